// The sensors whose data made the event: a table, and a small chart per sensor of its
// series around the event (the event's span shaded).

import * as api from "../endpoints";
import { formatDateTime, formatNumber, formatPercent, HOUR } from "../format";
import { useAsync } from "../hooks/useAsync";
import { href } from "../router";
import type { Evidence, Sensor, WaterEvent } from "../types";
import { SeriesChart } from "./SeriesChart";
import { Empty, ErrorBanner, Loading } from "./Status";

const MAX_CHARTS = 6;

export function EvidenceSection({ event, sensors }: { event: WaterEvent; sensors: ReadonlyMap<string, Sensor> }) {
  if (event.evidence.length === 0) {
    return (
      <section className="card">
        <h2>Evidence</h2>
        <Empty>This event carries no sensor evidence.</Empty>
      </section>
    );
  }
  const charted = [...event.evidence].sort((a, b) => Math.abs(b.peak_score) - Math.abs(a.peak_score)).slice(0, MAX_CHARTS);
  return (
    <section className="card" aria-labelledby="evidence-title">
      <h2 id="evidence-title">Evidence</h2>
      <div className="table-wrap">
        <table className="table" data-testid="event-evidence">
          <thead>
            <tr>
              <th>Sensor</th>
              <th>Role</th>
              <th>First</th>
              <th>Last</th>
              <th className="num">Peak score</th>
              <th className="num">Mean deviation</th>
              <th className="num">Anomalous points</th>
            </tr>
          </thead>
          <tbody>
            {event.evidence.map((e) => (
              <tr key={`${e.sensor_id}-${e.kind}`}>
                <td>
                  <a href={href.sensor(e.sensor_id)}>{e.sensor_id}</a>
                </td>
                <td>{e.kind || "—"}</td>
                <td>{formatDateTime(e.first_ms)}</td>
                <td>{formatDateTime(e.last_ms)}</td>
                <td className="num">{formatNumber(e.peak_score, 2)}</td>
                <td className="num">{formatPercent(e.mean_relative_deviation)}</td>
                <td className="num">{e.anomalous_points}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="evidence-charts">
        {charted.map((e) => (
          <EvidenceChart key={`${e.sensor_id}-${e.kind}`} evidence={e} event={event} sensor={sensors.get(e.sensor_id)} />
        ))}
      </div>
      {event.evidence.length > MAX_CHARTS && <p className="muted">Charts for the {MAX_CHARTS} strongest sensors.</p>}
    </section>
  );
}

function EvidenceChart({ evidence, event, sensor }: { evidence: Evidence; event: WaterEvent; sensor?: Sensor }) {
  const start = Math.min(evidence.first_ms || event.start_ms, event.start_ms);
  const end = Math.max(evidence.last_ms, event.end_ms ?? event.last_evidence_ms, event.last_evidence_ms);
  const span = Math.max(end - start, HOUR);
  const range = { from: start - Math.max(3 * HOUR, span / 2), to: end + Math.max(HOUR, span / 4) };
  const series = useAsync(
    (signal) => api.series(evidence.sensor_id, { from: Math.floor(range.from), to: Math.ceil(range.to), limit: 20_000 }, signal),
    [evidence.sensor_id, range.from, range.to],
  );
  const { state } = series;
  return (
    <figure className="evidence-chart" data-testid="evidence-chart" data-sensor-id={evidence.sensor_id}>
      <figcaption>
        <a href={href.sensor(evidence.sensor_id)}>{evidence.sensor_id}</a> <span className="muted">{evidence.kind}</span>
      </figcaption>
      {state.status === "loading" && <Loading what="Loading…" />}
      {state.status === "error" && <ErrorBanner error={state.error} onRetry={() => series.reload()} />}
      {state.status === "ok" && (
        <SeriesChart
          series={state.data}
          unit={sensor?.unit ?? ""}
          range={range}
          highlight={{ from: event.start_ms, to: event.end_ms ?? event.last_evidence_ms }}
          compact
          showRaw={false}
          label={`${evidence.sensor_id} around the event`}
        />
      )}
    </figure>
  );
}
