// Appends a live `score` message to a loaded series: a score point and, when it is newer
// than the last clean point, the scored value as a clean point (the stream carries no raw).

import type { LiveScore, Series } from "./types";

export function appendLiveScore(series: Series, s: LiveScore): Series {
  if (series.resolution !== "raw") return series; // a long range shows rollups, not points
  if (series.scores.some((p) => p.ts_ms === s.ts_ms)) {
    return { ...series, scores: series.scores.map((p) => (p.ts_ms === s.ts_ms ? { ...p, ...s } : p)) };
  }
  const score = {
    ts_ms: s.ts_ms,
    value: s.value,
    forecast_mean: s.forecast_mean,
    lower: s.lower,
    upper: s.upper,
    anomaly_score: s.anomaly_score,
    anomalous: s.anomalous,
  };
  const scores = [...series.scores, score].sort((a, b) => a.ts_ms - b.ts_ms);
  const lastClean = series.clean.length ? series.clean[series.clean.length - 1].ts_ms : -Infinity;
  const clean =
    s.ts_ms > lastClean
      ? [...series.clean, { ts_ms: s.ts_ms, value: s.value, raw_value: null, smoothed: null, flags: [], revision: 0 }]
      : series.clean;
  return { ...series, scores, clean };
}
