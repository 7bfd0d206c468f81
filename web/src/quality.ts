// Quality flags of clean points: how each is drawn on the chart and named in its legend.

import type { PointStyle } from "chart.js";
import type { CleanPoint, QualityFlag } from "./types";

export interface FlagStyle {
  label: string;
  colour: string;
  pointStyle: PointStyle;
  /** Hollow marker (border only). */
  hollow: boolean;
  /** Where to mark it: the cleaned value, or the raw value (a spike is its raw reading). */
  at: "value" | "raw";
}

/** Flags drawn on the chart; the others (aggregated, gap) are only counted. */
export const FLAG_STYLES: Partial<Record<QualityFlag, FlagStyle>> = {
  imputed: { label: "Imputed", colour: "#CC79A7", pointStyle: "circle", hollow: true, at: "value" },
  spike: { label: "Spike", colour: "#000000", pointStyle: "crossRot", hollow: false, at: "raw" },
  stuck: { label: "Stuck", colour: "#009E73", pointStyle: "rect", hollow: true, at: "value" },
  out_of_range: { label: "Out of range", colour: "#56B4E9", pointStyle: "star", hollow: false, at: "raw" },
  conflict: { label: "Conflict", colour: "#7F3C8D", pointStyle: "rectRot", hollow: true, at: "value" },
  late: { label: "Late", colour: "#8C6D1F", pointStyle: "triangle", hollow: true, at: "value" },
};

export const ALL_FLAGS: QualityFlag[] = ["imputed", "spike", "stuck", "repeated", "out_of_range", "conflict", "late", "gap", "aggregated"];

export const FLAG_HELP: Record<QualityFlag, string> = {
  imputed: "filled in by interpolation",
  spike: "raw reading replaced as an outlier",
  stuck: "unchanged readings for too long",
  repeated: "repeats the readings before it (not evidence of an event)",
  out_of_range: "outside the sensor's plausible range",
  conflict: "a later reading replaced the value",
  late: "arrived after its slot was cleaned",
  gap: "no value: too long a gap to fill",
  aggregated: "several readings averaged into the slot",
};

export function flagCounts(points: CleanPoint[]): Map<QualityFlag, number> {
  const counts = new Map<QualityFlag, number>();
  for (const p of points) for (const f of p.flags) counts.set(f, (counts.get(f) ?? 0) + 1);
  return counts;
}
