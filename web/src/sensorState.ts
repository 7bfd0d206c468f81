// The state a sensor is drawn in on the schematic. Worst first:
// fault (in an active sensor-fault or data-gap event) > event (named by another active
// event) > anomalous (anomalous evidence or live score in the last hours) > ok.

import { eventSensorIds, isActive, isSensorHealthEvent } from "./events";
import { HOUR } from "./format";
import type { WaterEvent } from "./types";

export type SensorState = "ok" | "anomalous" | "event" | "fault";

export const STATE_LABELS: Record<SensorState, string> = {
  ok: "OK",
  anomalous: "Anomalous recently",
  event: "In an open event",
  fault: "Fault / no data",
};

const RANK: Record<SensorState, number> = { ok: 0, anomalous: 1, event: 2, fault: 3 };
export const RECENT_MS = 6 * HOUR;

export function sensorStates(
  events: Iterable<WaterEvent>,
  liveAnomalies: ReadonlyMap<string, number>,
  now: number,
): Map<string, SensorState> {
  const states = new Map<string, SensorState>();
  const raise = (id: string, state: SensorState) => {
    const current = states.get(id) ?? "ok";
    if (RANK[state] > RANK[current]) states.set(id, state);
  };
  for (const e of events) {
    if (isActive(e)) {
      const state: SensorState = isSensorHealthEvent(e) ? "fault" : "event";
      eventSensorIds(e).forEach((id) => raise(id, state));
    }
    for (const ev of e.evidence) {
      if (ev.anomalous_points > 0 && ev.last_ms >= now - RECENT_MS) raise(ev.sensor_id, "anomalous");
    }
  }
  liveAnomalies.forEach((ts, id) => {
    if (ts >= now - RECENT_MS) raise(id, "anomalous");
  });
  return states;
}
