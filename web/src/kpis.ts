// Overview figures: water and revenue lost in a period (leaks and bursts whose start falls
// in it, false positives left out) and how many sensors are healthy.

import { isActive, isSensorHealthEvent, eventSensorIds } from "./events";
import type { Sensor, WaterEvent } from "./types";

export interface Period {
  from: number;
  to: number;
}

export function dayOf(ms: number): Period {
  const start = new Date(ms);
  start.setHours(0, 0, 0, 0);
  const end = new Date(start);
  end.setDate(end.getDate() + 1);
  return { from: start.getTime(), to: end.getTime() };
}

export function monthOf(ms: number): Period {
  const start = new Date(ms);
  start.setHours(0, 0, 0, 0);
  start.setDate(1);
  const end = new Date(start);
  end.setMonth(end.getMonth() + 1);
  return { from: start.getTime(), to: end.getTime() };
}

export interface LossTotal {
  volumeM3: number;
  lowM3: number;
  highM3: number;
  revenue: number;
  events: number;
  /** False when no event in the period had a tariff (revenue not computed). */
  priced: boolean;
}

export function lossIn(events: Iterable<WaterEvent>, period: Period): LossTotal {
  const total: LossTotal = { volumeM3: 0, lowM3: 0, highM3: 0, revenue: 0, events: 0, priced: false };
  for (const e of events) {
    if (!e.loss || e.status === "false_positive") continue;
    if (e.start_ms < period.from || e.start_ms >= period.to) continue;
    total.volumeM3 += e.loss.volume_m3;
    total.lowM3 += e.loss.low_m3;
    total.highM3 += e.loss.high_m3;
    total.revenue += e.loss.revenue;
    total.events += 1;
    if (e.loss.tariff_per_m3 > 0) total.priced = true;
  }
  return total;
}

/** Sensors named by an open or acknowledged sensor-fault or data-gap event. */
export function faultySensors(events: Iterable<WaterEvent>): Set<string> {
  const out = new Set<string>();
  for (const e of events) {
    if (isActive(e) && isSensorHealthEvent(e)) eventSensorIds(e).forEach((id) => out.add(id));
  }
  return out;
}

export function healthyCount(sensors: Sensor[], events: Iterable<WaterEvent>): { healthy: number; total: number } {
  const faulty = faultySensors(events);
  return { healthy: sensors.filter((s) => !faulty.has(s.sensor_id)).length, total: sensors.length };
}
