// Turns a sensor's series into Chart.js datasets: raw readings, the cleaned line, the
// forecast band (lower/upper filled) with its mean, anomalous points and quality flags.

import type { ChartDataset } from "chart.js";
import { FLAG_STYLES } from "./quality";
import type { QualityFlag, Series } from "./types";

export interface XY {
  x: number;
  y: number | null;
}

export type LineDataset = ChartDataset<"line", XY[]>;

export const COLOURS = {
  raw: "#9AA5B1",
  clean: "#0072B2",
  forecast: "#E69F00",
  band: "rgba(230, 159, 0, 0.18)",
  anomalous: "#D55E00",
};

/** Id of the band's lower edge, hidden from the legend. */
export const BAND_LOWER = "band-lower";

export interface DatasetOptions {
  showRaw: boolean;
  compact: boolean;
}

export function buildDatasets(series: Series, options: DatasetOptions): LineDataset[] {
  const line = { pointRadius: 0, pointHitRadius: 4, spanGaps: false, tension: 0 } as const;
  if (series.rollups.length) return rollupDatasets(series, options, line);
  const datasets: LineDataset[] = [];
  const scatter = { showLine: false, pointHoverRadius: 7 } as const;

  if (options.showRaw) {
    datasets.push({
      ...line,
      label: "Raw",
      data: series.raw.map((r) => ({ x: r.ts_ms, y: r.value })),
      borderColor: COLOURS.raw,
      borderWidth: 1,
      order: 5,
    });
  }
  datasets.push({
    ...line,
    label: "Clean",
    data: series.clean.map((c) => ({ x: c.ts_ms, y: c.value })),
    borderColor: COLOURS.clean,
    borderWidth: options.compact ? 1.5 : 2,
    order: 2,
  });
  if (series.scores.length) {
    datasets.push({
      ...line,
      label: BAND_LOWER,
      data: series.scores.map((s) => ({ x: s.ts_ms, y: s.lower })),
      borderColor: "transparent",
      borderWidth: 0,
      fill: false,
      order: 9,
    });
    datasets.push({
      ...line,
      label: "Forecast 90 % band",
      data: series.scores.map((s) => ({ x: s.ts_ms, y: s.upper })),
      borderColor: "transparent",
      borderWidth: 0,
      backgroundColor: COLOURS.band,
      fill: "-1",
      order: 8,
    });
    datasets.push({
      ...line,
      label: "Forecast mean",
      data: series.scores.map((s) => ({ x: s.ts_ms, y: s.forecast_mean })),
      borderColor: COLOURS.forecast,
      borderWidth: 1.5,
      borderDash: [6, 4],
      order: 3,
    });
    const anomalous = series.scores.filter((s) => s.anomalous).map((s) => ({ x: s.ts_ms, y: s.value }));
    datasets.push({
      ...scatter,
      label: `Anomalous (${anomalous.length})`,
      data: anomalous,
      pointStyle: "triangle",
      pointRadius: options.compact ? 3.5 : 5,
      borderColor: COLOURS.anomalous,
      backgroundColor: COLOURS.anomalous,
      order: 0,
    });
  }
  if (!options.compact) {
    for (const [flag, style] of Object.entries(FLAG_STYLES) as [QualityFlag, NonNullable<(typeof FLAG_STYLES)[QualityFlag]>][]) {
      const points: XY[] = [];
      for (const c of series.clean) {
        if (!c.flags.includes(flag)) continue;
        const y = style.at === "raw" ? c.raw_value ?? c.value : c.value ?? c.raw_value;
        if (y !== null) points.push({ x: c.ts_ms, y });
      }
      if (!points.length) continue;
      datasets.push({
        ...scatter,
        label: `${style.label} (${points.length})`,
        data: points,
        pointStyle: style.pointStyle,
        pointRadius: 4.5,
        borderWidth: 1.5,
        borderColor: style.colour,
        backgroundColor: style.hollow ? "rgba(255,255,255,0.6)" : style.colour,
        order: 1,
      });
    }
  }
  return datasets;
}

const STEP_LABEL: Record<string, string> = { "5m": "5-minute", "1h": "hourly", "1d": "daily" };

/** A long range, drawn from rollups: the mean of each step and its min–max band. */
function rollupDatasets(series: Series, options: DatasetOptions, line: Partial<LineDataset>): LineDataset[] {
  const step = STEP_LABEL[series.resolution] ?? series.resolution;
  return [
    {
      ...line,
      label: BAND_LOWER,
      data: series.rollups.map((r) => ({ x: r.ts_ms, y: r.min })),
      borderColor: "transparent",
      borderWidth: 0,
      fill: false,
      order: 9,
    },
    {
      ...line,
      label: `Clean ${step} min–max`,
      data: series.rollups.map((r) => ({ x: r.ts_ms, y: r.max })),
      borderColor: "transparent",
      borderWidth: 0,
      backgroundColor: "rgba(0, 114, 178, 0.18)",
      fill: "-1",
      order: 8,
    },
    {
      ...line,
      label: `Clean ${step} mean`,
      data: series.rollups.map((r) => ({ x: r.ts_ms, y: r.mean })),
      borderColor: COLOURS.clean,
      borderWidth: options.compact ? 1.5 : 2,
      order: 2,
    },
  ];
}
