// Finds the time of a sensor's newest data point. The series route answers points from
// `from` upwards (oldest first, capped by `limit`), so the newest is found by probing with
// limit=1: a first guess near the wall clock (a live system), else galloping forward from
// the oldest point, then bisecting, then one read of the last few hours.

import * as api from "./endpoints";
import { DAY, HOUR } from "./format";
import type { Series } from "./types";

function firstTs(series: Series): number | null {
  const candidates = [series.raw[0]?.ts_ms, series.clean[0]?.ts_ms, series.scores[0]?.ts_ms].filter(
    (t): t is number => typeof t === "number",
  );
  return candidates.length ? Math.min(...candidates) : null;
}

export function lastTs(series: Series): number | null {
  const candidates = [
    series.raw[series.raw.length - 1]?.ts_ms,
    series.clean[series.clean.length - 1]?.ts_ms,
    series.scores[series.scores.length - 1]?.ts_ms,
  ].filter((t): t is number => typeof t === "number");
  return candidates.length ? Math.max(...candidates) : null;
}

/** The first point at or after `from`, or null when there is none. */
async function probe(id: string, from: number, signal: AbortSignal): Promise<number | null> {
  return firstTs(await api.series(id, { from: Math.max(0, Math.floor(from)), limit: 1 }, signal));
}

const CLOSE_ENOUGH = 6 * HOUR;
const MAX_PROBES = 40;

export async function findNewestTs(id: string, signal: AbortSignal, wallNow: number = Date.now()): Promise<number | null> {
  let probes = 0;
  const step = async (from: number) => {
    probes += 1;
    return probe(id, from, signal);
  };
  // `known`: a time with data; `beyond`: a time after which there is none.
  const first = (await step(wallNow - HOUR)) ?? (await step(0));
  if (first === null) return null;
  let known: number = first;
  let beyond: number | null = null;
  let stride = DAY;
  while (beyond === null && probes < MAX_PROBES) {
    const next: number | null = await step(known + stride);
    if (next === null) beyond = known + stride;
    else {
      known = next;
      stride *= 2;
    }
  }
  let end: number = beyond ?? known + stride;
  while (end - known > CLOSE_ENOUGH && probes < MAX_PROBES) {
    const mid: number = (known + end) / 2;
    const next: number | null = await step(mid);
    if (next === null || next >= end) end = mid;
    else known = next;
  }
  const tail = await api.series(id, { from: known, limit: 100_000 }, signal);
  return lastTs(tail) ?? known;
}
