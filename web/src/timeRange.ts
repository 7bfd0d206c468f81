// Time ranges of the sensor chart, relative to the sensor's newest data point (demo data
// can lie in the past or the future, so "last 6 h" means the 6 h before the newest point).

import { DAY, HOUR, MINUTE } from "./format";

export type Preset = "6h" | "24h" | "7d" | "30d" | "1y";
/** Up to 7 days every point is drawn; longer ranges come as rollups (5-minute, hourly). */
export const PRESETS: { key: Preset; label: string; ms: number }[] = [
  { key: "6h", label: "Last 6 h", ms: 6 * HOUR },
  { key: "24h", label: "Last 24 h", ms: 24 * HOUR },
  { key: "7d", label: "Last 7 d", ms: 7 * DAY },
  { key: "30d", label: "Last 30 d", ms: 30 * DAY },
  { key: "1y", label: "Last year", ms: 365 * DAY },
];

export interface TimeRange {
  preset: Preset | "custom";
  from: number;
  to: number;
}

/** A little room after the newest point so live points appear inside the chart. */
const HEADROOM = 5 * MINUTE;

export function presetRange(preset: Preset, newest: number): TimeRange {
  const ms = PRESETS.find((p) => p.key === preset)?.ms ?? 6 * HOUR;
  return { preset, from: newest - ms + HEADROOM, to: newest + HEADROOM };
}

/** A preset range slides forward with live points; a custom one stays put. */
export function follow(range: TimeRange, ts: number): TimeRange {
  if (range.preset === "custom" || ts + HEADROOM <= range.to) return range;
  const span = range.to - range.from;
  return { ...range, to: ts + HEADROOM, from: ts + HEADROOM - span };
}

/** `datetime-local` input value for a time, in the browser's zone. */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function fromLocalInput(value: string): number | null {
  if (!value) return null;
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? ms : null;
}
