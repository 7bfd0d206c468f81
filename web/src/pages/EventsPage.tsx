// All events, filterable by type, status and zone; new and updated events arrive live.

import { useMemo, useState } from "react";
import { dataClock } from "../clock";
import * as api from "../endpoints";
import { EventList } from "../components/EventList";
import { ErrorBanner, Loading } from "../components/Status";
import { matchesFilter, upsertEvent } from "../events";
import { statusLabel, typeLabel } from "../format";
import { useAsync } from "../hooks/useAsync";
import { useFreshIds } from "../hooks/useFreshIds";
import { useStreamMessage, useStreamResync } from "../hooks/useStream";
import { EVENT_STATUSES, EVENT_TYPES, type EventFilter, type EventStatus, type EventType } from "../types";

const LIMIT = 500;

export function EventsPage() {
  const [type, setType] = useState<EventType | "">("");
  const [status, setStatus] = useState<EventStatus | "">("");
  const [zone, setZone] = useState("");
  const filter: EventFilter = useMemo(() => ({ type: type || undefined, status: status || undefined, zone: zone || undefined }), [type, status, zone]);

  const events = useAsync((signal) => api.events({ ...filter, limit: LIMIT }, signal), [filter]);
  // Zones to choose from: the sensors' zones (one call, kept across filter changes).
  const zones = useAsync(async (signal) => Array.from(new Set((await api.sensors(signal)).map((s) => s.zone).filter(Boolean))).sort(), []);
  const [fresh, markFresh] = useFreshIds();

  useStreamResync(() => events.reload(true));
  useStreamMessage("insight", (event) => {
    events.setData((list) => upsertEvent(list, event, (e) => matchesFilter(e, filter)));
    if (matchesFilter(event, filter)) markFresh(event.event_id);
  });

  const { state } = events;
  const now = useMemo(() => dataClock(state.data ?? []).now, [state.data]);
  const filtered = Boolean(type || status || zone);

  return (
    <div>
      <div className="page-head">
        <h1>Events</h1>
      </div>
      <form className="filters card" onSubmit={(e) => e.preventDefault()} aria-label="Filter events">
        <label>
          Type
          <select value={type} onChange={(e) => setType(e.target.value as EventType | "")} data-testid="filter-type">
            <option value="">All types</option>
            {EVENT_TYPES.map((t) => (
              <option key={t} value={t}>
                {typeLabel(t)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select value={status} onChange={(e) => setStatus(e.target.value as EventStatus | "")} data-testid="filter-status">
            <option value="">All statuses</option>
            {EVENT_STATUSES.map((s) => (
              <option key={s} value={s}>
                {statusLabel(s)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Zone
          <select value={zone} onChange={(e) => setZone(e.target.value)} data-testid="filter-zone">
            <option value="">All zones</option>
            {(zones.state.data ?? []).map((z) => (
              <option key={z} value={z}>
                {z}
              </option>
            ))}
          </select>
        </label>
        {filtered && (
          <button
            type="button"
            className="btn btn-small btn-quiet"
            onClick={() => {
              setType("");
              setStatus("");
              setZone("");
            }}
          >
            Clear filters
          </button>
        )}
      </form>

      {state.status === "loading" && <Loading what="Loading events…" />}
      {state.status === "error" && <ErrorBanner title="Could not load the events" error={state.error} onRetry={() => events.reload()} />}
      {state.status === "ok" && (
        <section className="card">
          <p className="muted">
            {state.data.length === LIMIT ? `The newest ${LIMIT} events` : `${state.data.length} event${state.data.length === 1 ? "" : "s"}`}, newest first.
          </p>
          <EventList
            events={state.data}
            testId="events-list"
            now={now}
            fresh={fresh}
            empty={filtered ? "No events match these filters." : "No events yet."}
          />
        </section>
      )}
    </div>
  );
}
