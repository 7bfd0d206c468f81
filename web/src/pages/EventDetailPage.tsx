// One event: what happened, its loss, where, the evidence, the timeline and the actions.
// Stream updates of this event replace it as they come.

import { useMemo } from "react";
import * as api from "../endpoints";
import { StatusBadge, TypeBadge } from "../components/Badges";
import { CandidatesPanel } from "../components/CandidatesPanel";
import { EventActions } from "../components/EventActions";
import { EventTimeline } from "../components/EventTimeline";
import { EvidenceSection } from "../components/EvidenceSection";
import { LossPanel } from "../components/LossPanel";
import { ApiError } from "../api";
import { ErrorBanner, Loading } from "../components/Status";
import { formatDateTime, formatDuration, formatPercent, humanize } from "../format";
import { useAsync } from "../hooks/useAsync";
import { useStreamMessage, useStreamResync } from "../hooks/useStream";
import { href } from "../router";
import type { Sensor, WaterEvent } from "../types";

export function EventDetailPage({ id }: { id: string }) {
  const event = useAsync((signal) => api.event(id, signal), [id]);
  // Sensors only draw the map and give units: the page works without them.
  const sensors = useAsync((signal) => api.sensors(signal).catch((): Sensor[] | null => null), []);

  useStreamResync(() => event.reload(true));
  useStreamMessage("insight", (update) => {
    if (update.event_id === id) event.setData(() => update);
  });

  const sensorMap = useMemo(() => new Map((sensors.state.data ?? []).map((s) => [s.sensor_id, s])), [sensors.state.data]);

  const { state } = event;
  if (state.status === "loading") return <Loading what="Loading the event…" />;
  if (state.status === "error") {
    if (state.error instanceof ApiError && state.error.status === 404) {
      return (
        <div className="card">
          <h1>Event not found</h1>
          <p>
            There is no event “{id}”. <a href={href.events}>See all events</a>.
          </p>
        </div>
      );
    }
    return <ErrorBanner title="Could not load the event" error={state.error} onRetry={() => event.reload()} />;
  }
  const e = state.data;
  const replace = (updated: WaterEvent) => event.setData(() => updated);

  return (
    <div className="event-detail" data-testid="event-detail" data-event-id={e.event_id}>
      <div className="page-head">
        <div>
          <p className="crumbs">
            <a href={href.events}>Events</a> / {e.event_id}
          </p>
          <h1>
            <TypeBadge type={e.type} /> {e.zone ? `Zone ${e.zone}` : e.sensor_ids.join(", ")}
          </h1>
          <p className="lead">{e.summary}</p>
        </div>
        <div className="event-head-status">
          <StatusBadge status={e.status} testId="event-status" />
          {e.label && <span className="badge badge-quiet">label: {humanize(e.label)}</span>}
        </div>
      </div>

      <div className="detail-grid">
        <section className="card" aria-labelledby="facts-title">
          <h2 id="facts-title">Summary</h2>
          <dl className="facts facts-list">
            <div>
              <dt>Type</dt>
              <dd>{humanize(e.type)}</dd>
            </div>
            <div>
              <dt>Zone</dt>
              <dd>{e.zone || "—"}</dd>
            </div>
            <div>
              <dt>Status</dt>
              <dd>
                {humanize(e.status)}
                {e.acknowledged_by && ` · acknowledged by ${e.acknowledged_by} ${formatDateTime(e.acknowledged_ms)}`}
                {e.resolved_by && ` · resolved by ${e.resolved_by} ${formatDateTime(e.resolved_ms)}`}
              </dd>
            </div>
            <div>
              <dt>Started</dt>
              <dd>{formatDateTime(e.start_ms)}</dd>
            </div>
            {e.raised_ms ? (
              <div>
                <dt>Raised</dt>
                <dd title={e.trace_id ? `trace ${e.trace_id}` : undefined}>
                  {formatDateTime(e.raised_ms)} ({formatDuration(e.raised_ms - e.start_ms)} after its start)
                </dd>
              </div>
            ) : null}
            <div>
              <dt>{e.end_ms ? "Ended" : "Last evidence"}</dt>
              <dd>
                {formatDateTime(e.end_ms ?? e.last_evidence_ms)} ({formatDuration((e.end_ms ?? e.last_evidence_ms) - e.start_ms)})
              </dd>
            </div>
            <div>
              <dt>Severity / confidence</dt>
              <dd>
                {formatPercent(e.severity)} / {formatPercent(e.confidence)}
              </dd>
            </div>
            <div>
              <dt>Sensors</dt>
              <dd>
                {e.sensor_ids.length
                  ? e.sensor_ids.map((s, i) => (
                      <span key={s}>
                        {i > 0 && ", "}
                        <a href={href.sensor(s)}>{s}</a>
                      </span>
                    ))
                  : "—"}
              </dd>
            </div>
            <div>
              <dt>Public reports</dt>
              <dd data-testid="event-public-reports" data-count={e.public_reports ?? 0}>
                {(e.public_reports ?? 0) > 0
                  ? `Corroborated by ${e.public_reports} public report${e.public_reports === 1 ? "" : "s"}`
                  : "No public reports matched"}
              </dd>
            </div>
            {e.model_version && (
              <div>
                <dt>Model</dt>
                <dd>{e.model_version}</dd>
              </div>
            )}
            {e.label && (
              <div>
                <dt>Label</dt>
                <dd>
                  {humanize(e.label)}
                  {e.labelled_by && ` by ${e.labelled_by}`} {e.labelled_ms ? formatDateTime(e.labelled_ms) : ""}
                </dd>
              </div>
            )}
          </dl>
        </section>
        <EventActions event={e} onUpdated={replace} />
      </div>

      <LossPanel event={e} />
      <CandidatesPanel event={e} sensors={sensors.state.data ?? null} />
      <EvidenceSection event={e} sensors={sensorMap} />
      <section className="card" aria-labelledby="timeline-title">
        <h2 id="timeline-title">Timeline</h2>
        <EventTimeline event={e} />
      </section>
    </div>
  );
}
