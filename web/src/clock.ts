// The "now" of the data. In a live system it is the wall clock; when the dashboard shows
// replayed or simulated data (demo data can lie in the past or the future) "today" means
// the day of the newest data, so the KPIs and the map's "recent" stay meaningful.

import { DAY, HOUR } from "./format";
import type { WaterEvent } from "./types";

export interface DataClock {
  now: number;
  /** "wall": the browser's clock; "data": the newest event's time (replayed data). */
  source: "wall" | "data";
}

export function newestEventTime(events: Iterable<WaterEvent>): number {
  let newest = 0;
  for (const e of events) newest = Math.max(newest, e.start_ms, e.last_evidence_ms, e.end_ms ?? 0);
  return newest;
}

export function dataClock(events: Iterable<WaterEvent>, wallNow: number = Date.now()): DataClock {
  const newest = newestEventTime(events);
  if (newest === 0) return { now: wallNow, source: "wall" };
  if (newest > wallNow + HOUR || newest < wallNow - 2 * DAY) return { now: newest, source: "data" };
  return { now: wallNow, source: "wall" };
}
