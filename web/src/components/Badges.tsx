// Small labelled badges: colour always comes with text, so state is readable without colour.

import { statusLabel, typeLabel } from "../format";
import { STATE_LABELS, type SensorState } from "../sensorState";
import type { EventStatus, EventType } from "../types";

export function StatusBadge({ status, testId }: { status: EventStatus; testId?: string }) {
  return (
    <span className={`badge status-${status}`} data-testid={testId} data-status={status}>
      {statusLabel(status)}
    </span>
  );
}

export function TypeBadge({ type }: { type: EventType }) {
  return <span className={`badge type-${type}`}>{typeLabel(type)}</span>;
}

export function StateBadge({ state }: { state: SensorState }) {
  return (
    <span className={`badge state-${state}`}>
      <StateSymbol state={state} /> {STATE_LABELS[state]}
    </span>
  );
}

/** The marker drawn for a state on the map, as a tiny inline SVG (shape + colour). */
export function StateSymbol({ state, size = 12 }: { state: SensorState; size?: number }) {
  return (
    <svg className="state-symbol" width={size} height={size} viewBox="-7 -7 14 14" aria-hidden="true">
      <SensorMarker state={state} x={0} y={0} r={5} />
    </svg>
  );
}

/** Shapes differ per state (circle, triangle, diamond, square) so colour is not needed. */
export function SensorMarker({ state, x, y, r }: { state: SensorState; x: number; y: number; r: number }) {
  const cls = `marker marker-${state}`;
  switch (state) {
    case "anomalous":
      return <polygon className={cls} points={`${x},${y - r * 1.2} ${x + r * 1.1},${y + r * 0.8} ${x - r * 1.1},${y + r * 0.8}`} />;
    case "event":
      return <polygon className={cls} points={`${x},${y - r * 1.25} ${x + r * 1.25},${y} ${x},${y + r * 1.25} ${x - r * 1.25},${y}`} />;
    case "fault":
      return <rect className={cls} x={x - r} y={y - r} width={2 * r} height={2 * r} />;
    default:
      return <circle className={cls} cx={x} cy={y} r={r} />;
  }
}
