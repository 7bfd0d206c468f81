// The network schematic (offline: no map tiles): sensors at their lat/lon scaled into the
// box, a shape and colour per state, zones as padded hulls with their names, and optional
// location candidates ranked 1, 2, 3… Each sensor links to its page.

import { useMemo } from "react";
import { convexHull, fitProjection, hasPosition, pointsAttr, type LatLon, type Point } from "../geo";
import { kindLabel } from "../format";
import { placeLabels } from "../labelLayout";
import { href } from "../router";
import { STATE_LABELS, type SensorState } from "../sensorState";
import type { LocationCandidate, Sensor } from "../types";
import { SensorMarker, StateSymbol } from "./Badges";

const WIDTH = 800;
const HEIGHT = 480;
const PADDING = 48;
const ZONE_TINTS = ["#DCE7F2", "#E2EEDF", "#F2E8D8", "#ECE2F0", "#DDEEEE", "#F0E0E0"];
const STATE_ORDER: SensorState[] = ["ok", "anomalous", "event", "fault"];

interface Props {
  sensors: Sensor[];
  states: ReadonlyMap<string, SensorState>;
  candidates?: LocationCandidate[];
  /** Sensors to emphasise (e.g. an event's evidence). */
  emphasis?: ReadonlySet<string>;
  /** Zoom to this zone (and the candidates); other zones are cut at the edges. */
  focusZone?: string;
  title?: string;
}

interface Placed {
  sensor: Sensor;
  at: Point;
  state: SensorState;
}

export function NetworkMap({ sensors, states, candidates = [], emphasis, focusZone, title = "Network schematic" }: Props) {
  const byId = useMemo(() => new Map(sensors.map((s) => [s.sensor_id, s])), [sensors]);

  const candidateSpots = useMemo(
    () =>
      candidates
        .map((c, i) => {
          const sensor = c.sensor_id ? byId.get(c.sensor_id) : undefined;
          const pos: LatLon | null = hasPosition(c) ? c : sensor && hasPosition(sensor) ? sensor : null;
          return pos ? { rank: i + 1, candidate: c, pos } : null;
        })
        .filter((c): c is { rank: number; candidate: LocationCandidate; pos: LatLon } => c !== null),
    [candidates, byId],
  );

  const { placed, zones, unplaced, project } = useMemo(() => {
    const positioned = sensors.filter(hasPosition);
    const focused = focusZone ? positioned.filter((s) => s.zone === focusZone) : [];
    const frame = focused.length ? focused : positioned;
    const project = fitProjection([...frame, ...candidateSpots.map((c) => c.pos)], WIDTH, HEIGHT, PADDING);
    const placed: Placed[] = positioned.map((sensor) => ({ sensor, at: project(sensor), state: states.get(sensor.sensor_id) ?? "ok" }));
    const groups = new Map<string, Point[]>();
    for (const p of placed) {
      const zone = p.sensor.zone || "(no zone)";
      groups.set(zone, [...(groups.get(zone) ?? []), p.at]);
    }
    const zones = Array.from(groups.entries())
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, points], i) => {
        const hull = convexHull(points);
        const top = Math.min(...points.map((p) => p.y));
        const cx = points.reduce((sum, p) => sum + p.x, 0) / points.length;
        return { name, hull, label: { x: cx, y: Math.max(14, top - 26) }, tint: ZONE_TINTS[i % ZONE_TINTS.length] };
      });
    return { placed, zones, unplaced: sensors.length - positioned.length, project };
  }, [sensors, states, candidateSpots, focusZone]);

  const counts = useMemo(() => {
    const c: Record<SensorState, number> = { ok: 0, anomalous: 0, event: 0, fault: 0 };
    for (const s of sensors) c[states.get(s.sensor_id) ?? "ok"] += 1;
    return c;
  }, [sensors, states]);

  // Worst states drawn last, so they stay on top; their labels are placed first.
  const drawOrder = useMemo(() => [...placed].sort((a, b) => STATE_ORDER.indexOf(a.state) - STATE_ORDER.indexOf(b.state)), [placed]);
  const spots = useMemo(() => candidateSpots.map((c) => ({ ...c, at: project(c.pos) })), [candidateSpots, project]);
  const labels = useMemo(() => {
    const rank = (p: Placed) => STATE_ORDER.indexOf(p.state) * 2 + Number(p.sensor.zone_inlet);
    const byPriority = [...drawOrder].sort((a, b) => rank(b) - rank(a));
    return placeLabels(
      byPriority.map((p) => ({ id: p.sensor.sensor_id, at: p.at, text: p.sensor.sensor_id })),
      WIDTH,
      HEIGHT,
      spots.map(({ at }) => ({ x0: at.x - 20, y0: at.y - 34, x1: at.x + 20, y1: at.y - 16 })),
    );
  }, [drawOrder, spots]);

  return (
    <figure className="network-map" data-testid="network-map">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={title} preserveAspectRatio="xMidYMid meet">
        <title>{title}</title>
        <rect className="map-bg" x={0} y={0} width={WIDTH} height={HEIGHT} rx={8} />
        {zones.map((z) => (
          <g key={z.name} className="zone" data-zone={z.name}>
            {z.hull.length >= 3 ? (
              <polygon points={pointsAttr(z.hull)} fill={z.tint} stroke={z.tint} strokeWidth={44} strokeLinejoin="round" />
            ) : (
              <polyline points={pointsAttr(z.hull)} fill="none" stroke={z.tint} strokeWidth={44} strokeLinecap="round" strokeLinejoin="round" />
            )}
            <text className="zone-label" x={z.label.x} y={z.label.y} textAnchor="middle">
              {z.name}
            </text>
          </g>
        ))}
        {spots.map(({ rank, candidate, at }) => (
          <g key={`c${rank}`} className="candidate" data-testid="map-candidate">
            <circle cx={at.x} cy={at.y} r={rank === 1 ? 17 : 13} />
            <title>{`Candidate #${rank}: ${candidate.node_id || candidate.link_id || candidate.sensor_id} (score ${candidate.score.toFixed(2)})`}</title>
          </g>
        ))}
        {drawOrder.map(({ sensor, at, state }) => {
          const label = labels.get(sensor.sensor_id);
          return (
          <a key={sensor.sensor_id} href={href.sensor(sensor.sensor_id)} className="sensor-link" data-sensor-id={sensor.sensor_id} data-state={state}>
            <title>{`${sensor.sensor_id} · ${kindLabel(sensor.kind)} · ${STATE_LABELS[state]}`}</title>
            {emphasis?.has(sensor.sensor_id) && <circle className="emphasis" cx={at.x} cy={at.y} r={11} />}
            <SensorMarker state={state} x={at.x} y={at.y} r={sensor.zone_inlet ? 7 : 5.5} />
            {label && (
              <text className="sensor-label" x={label.x} y={label.y} textAnchor={label.anchor}>
                {sensor.sensor_id}
              </text>
            )}
          </a>
          );
        })}
        {spots.map(({ rank, at }) => (
          <text key={`r${rank}`} className="candidate-rank" x={at.x} y={at.y - (rank === 1 ? 21 : 17)} textAnchor="middle">
            #{rank}
          </text>
        ))}
      </svg>
      <figcaption className="map-legend">
        {STATE_ORDER.map((s) => (
          <span key={s} className="legend-item">
            <StateSymbol state={s} /> {STATE_LABELS[s]} ({counts[s]})
          </span>
        ))}
        {candidateSpots.length > 0 && (
          <span className="legend-item">
            <svg className="state-symbol" width={12} height={12} viewBox="-7 -7 14 14" aria-hidden="true">
              <circle className="candidate-symbol" r={5} />
            </svg>{" "}
            Location candidate
          </span>
        )}
        {unplaced > 0 && <span className="legend-item muted">{unplaced} sensor(s) without a position</span>}
      </figcaption>
    </figure>
  );
}
