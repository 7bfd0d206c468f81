// One sensor: raw vs clean vs forecast band with anomalous points and quality flags, a
// time range relative to its newest data, and live points from the stream.

import { useMemo, useState } from "react";
import * as api from "../endpoints";
import { QualityFlags } from "../components/QualityFlags";
import { RangePicker } from "../components/RangePicker";
import { SeriesChart } from "../components/SeriesChart";
import { Empty, ErrorBanner, Loading, Notice } from "../components/Status";
import { formatDateTime, formatNumber, formatUnit, kindLabel } from "../format";
import { useAsync } from "../hooks/useAsync";
import { useStreamMessage, useStreamResync, useStreamSensor } from "../hooks/useStream";
import { findNewestTs } from "../newest";
import { href } from "../router";
import { appendLiveScore } from "../seriesLive";
import { follow, presetRange, type TimeRange } from "../timeRange";
import type { Sensor } from "../types";

const LIMIT = 100_000;

export function SensorPage({ id }: { id: string }) {
  // First: the sensor's registry entry and the time of its newest point.
  const setup = useAsync(async (signal) => {
    const [sensors, newest] = await Promise.all([api.sensors(signal), findNewestTs(id, signal)]);
    return { sensor: sensors.find((s) => s.sensor_id === id) ?? null, newest };
  }, [id]);

  const { state } = setup;
  if (state.status === "loading") return <Loading what="Finding this sensor’s newest data…" />;
  if (state.status === "error") return <ErrorBanner title={`Could not load sensor ${id}`} error={state.error} onRetry={() => setup.reload()} />;
  const { sensor, newest } = state.data;
  if (!sensor) {
    return (
      <div className="card">
        <h1>Unknown sensor</h1>
        <p>
          No sensor “{id}” is registered. <a href={href.sensors}>See all sensors</a>.
        </p>
      </div>
    );
  }
  return <SensorView sensor={sensor} newest={newest} />;
}

function SensorView({ sensor, newest }: { sensor: Sensor; newest: number | null }) {
  const id = sensor.sensor_id;
  const [latest, setLatest] = useState<number | null>(newest);
  // `range` is what was asked for (and fetched); `view` is shown and slides with live points.
  const [range, setRange] = useState<TimeRange>(() => presetRange("24h", newest ?? Date.now()));
  const [view, setView] = useState<TimeRange>(range);
  const pick = (next: TimeRange) => {
    setRange(next);
    setView(next);
  };

  const series = useAsync(
    (signal) => api.series(id, { from: Math.floor(range.from), to: Math.ceil(range.to), limit: LIMIT }, signal),
    [id, range.from, range.to],
  );

  useStreamSensor(id);
  useStreamResync(() => series.reload(true));
  useStreamMessage("score", (score) => {
    if (score.sensor_id !== id) return;
    setLatest((t) => Math.max(t ?? 0, score.ts_ms));
    const next = follow(view, score.ts_ms);
    if (score.ts_ms >= range.from && score.ts_ms <= next.to) series.setData((s) => appendLiveScore(s, score));
    if (next !== view) setView(next);
  });

  const data = series.state.data;
  const stats = useMemo(() => {
    if (!data) return null;
    const lastClean = [...data.clean].reverse().find((c) => c.value !== null);
    return {
      anomalous: data.scores.filter((s) => s.anomalous).length,
      summarised: data.rollups.reduce((n, r) => n + r.count, 0),
      worst: data.rollups.reduce<number | null>((w, r) => (r.worst_score === null ? w : Math.max(w ?? -Infinity, r.worst_score)), null),
      last: lastClean ?? null,
      truncated: data.raw.length >= LIMIT || data.clean.length >= LIMIT || data.scores.length >= LIMIT,
    };
  }, [data]);

  const unit = formatUnit(sensor.unit);
  return (
    <div>
      <div className="page-head">
        <div>
          <p className="crumbs">
            <a href={href.sensors}>Sensors</a> / {sensor.zone || "no zone"}
          </p>
          <h1>{id}</h1>
          <p className="muted">
            {kindLabel(sensor.kind)} in {unit} · zone {sensor.zone || "—"} · node {sensor.node_id || "—"}
            {sensor.balance_role === "inlet" && " · zone inlet"}
            {sensor.balance_role === "outlet" && " · zone outlet"}
            {sensor.outlet_of_zone && ` · outlet of zone ${sensor.outlet_of_zone}`}
            {sensor.balance_role === "storage" && ` · zone storage (tank of ${formatNumber(sensor.storage_area_m2, 0)} m²)`} · plausible {formatNumber(sensor.min, 1)}–{formatNumber(sensor.max, 1)} {unit}
          </p>
        </div>
        {stats?.last && (
          <div className="sensor-now">
            <div className="kpi-label">Latest clean value</div>
            <div className="kpi-value">
              {formatNumber(stats.last.value, 2)} {unit}
            </div>
            <div className="kpi-sub">{formatDateTime(stats.last.ts_ms)}</div>
          </div>
        )}
      </div>

      {latest === null ? (
        <Empty>This sensor has no data yet.</Empty>
      ) : (
        <section className="card">
          <div className="card-head">
            <RangePicker range={view} newest={latest} onChange={pick} />
            <span className="muted">
              {formatDateTime(view.from)} – {formatDateTime(view.to)}
            </span>
          </div>
          {series.state.status === "error" && (
            <ErrorBanner title="Could not load the series" error={series.state.error} onRetry={() => series.reload()} />
          )}
          {series.state.status === "loading" && <Loading what="Loading the series…" />}
          {data && (
            <>
              {stats?.truncated && <Notice kind="warning">Only the first {LIMIT.toLocaleString()} points of this range are shown: pick a shorter range.</Notice>}
              {data.raw.length === 0 && data.clean.length === 0 && data.scores.length === 0 && data.rollups.length === 0 ? (
                <Empty>No data in this range.</Empty>
              ) : null}
              <SeriesChart series={data} unit={sensor.unit} range={view} testId="sensor-chart" label={`${id}: raw, clean and forecast`} />
              {data.resolution === "raw" ? (
                <p className="chart-note muted">
                  {data.raw.length} raw readings · {data.clean.length} clean points · {data.scores.length} scores ·{" "}
                  <strong className="text-anomalous">{stats?.anomalous ?? 0} anomalous</strong>
                </p>
              ) : (
                <p className="chart-note muted" data-testid="rollup-note">
                  {data.rollups.length} {data.resolution} summaries of {stats?.summarised ?? 0} clean points · worst anomaly score{" "}
                  {stats?.worst === null || stats?.worst === undefined ? "—" : formatNumber(stats.worst, 2)} · pick 7 days or less
                  to see every point and the forecast band
                </p>
              )}
              {data.resolution === "raw" && <QualityFlags points={data.clean} />}
            </>
          )}
        </section>
      )}
    </div>
  );
}
