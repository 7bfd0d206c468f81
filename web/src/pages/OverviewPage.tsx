// Overview: KPIs, the network schematic, open events (updated live from the stream) and
// the per-zone summary.

import { useMemo, useState } from "react";
import { dataClock } from "../clock";
import { EventList } from "../components/EventList";
import { Kpi } from "../components/Kpi";
import { NetworkMap } from "../components/NetworkMap";
import { Empty, ErrorBanner, Loading, Notice } from "../components/Status";
import { ZoneTable } from "../components/ZoneTable";
import { byNewestStart, isActive, upsertEvent } from "../events";
import { formatDateTime, formatDay, formatMoney, formatMonth, formatVolume } from "../format";
import { useAsync } from "../hooks/useAsync";
import { useFreshIds } from "../hooks/useFreshIds";
import { useInterval } from "../hooks/useInterval";
import { useStreamMessage, useStreamResync } from "../hooks/useStream";
import { dayOf, healthyCount, lossIn, monthOf, type LossTotal } from "../kpis";
import { loadOverview } from "../overviewData";
import { href } from "../router";
import { sensorStates } from "../sensorState";

const NO_LIVE_ANOMALIES: ReadonlyMap<string, number> = new Map();

export function OverviewPage() {
  const overview = useAsync(loadOverview, []);
  const [fresh, markFresh] = useFreshIds();
  const [summaryTick, setSummaryTick] = useState(0);

  useStreamResync(() => overview.reload(true));
  useStreamMessage("insight", (event) => {
    overview.setData((d) => ({ ...d, events: upsertEvent(d.events, event) }));
    if (isActive(event)) markFresh(event.event_id);
    setSummaryTick((t) => t + 1);
    // An event about a sensor the page has not loaded (registered since): read them again.
    const known = overview.state.data?.sensors;
    if (known && event.sensor_ids.some((id) => !known.some((s) => s.sensor_id === id))) overview.reload(true);
  });
  // A safety net in case stream messages were missed while reconnecting.
  useInterval(() => overview.reload(true), 120_000);

  const { state } = overview;
  const derived = useMemo(() => {
    if (!state.data) return null;
    const { events, sensors, models } = state.data;
    const clock = dataClock(events);
    return {
      clock,
      active: events.filter(isActive).sort(byNewestStart),
      today: lossIn(events, dayOf(clock.now)),
      month: lossIn(events, monthOf(clock.now)),
      health: healthyCount(sensors, events),
      states: sensorStates(events, NO_LIVE_ANOMALIES, clock.now),
      production: models?.find((m) => m.status === "production") ?? null,
    };
  }, [state.data]);

  if (state.status === "loading" && !state.data) return <Loading what="Loading the overview…" />;
  if (!state.data || !derived) return <ErrorBanner title="Could not load the overview" error={state.error} onRetry={() => overview.reload()} />;

  const { sensors, models, modelsError } = state.data;
  const { clock, active, today, month, health, states, production } = derived;

  return (
    <div className="overview">
      <div className="page-head">
        <h1>Overview</h1>
        <a className="btn btn-small" href={href.sensors}>
          All sensors
        </a>
      </div>
      {state.status === "error" && <ErrorBanner title="Could not refresh" error={state.error} onRetry={() => overview.reload()} />}
      {clock.source === "data" && (
        <Notice>
          Figures follow the data’s own time: the newest data is from {formatDateTime(clock.now)} (replayed or simulated data).
        </Notice>
      )}

      <section className="kpis" aria-label="Key figures">
        <Kpi testId="kpi-water-today" label={`Water lost today (${formatDay(clock.now)})`} value={formatVolume(today.volumeM3)} sub={lossSub(today)} tone={today.volumeM3 > 0 ? "warn" : "normal"} />
        <Kpi testId="kpi-revenue-today" label="Revenue lost today" value={revenue(today)} sub={revenueSub(today)} />
        <Kpi testId="kpi-water-month" label={`Water lost in ${formatMonth(clock.now)}`} value={formatVolume(month.volumeM3)} sub={lossSub(month)} />
        <Kpi testId="kpi-revenue-month" label="Revenue lost this month" value={revenue(month)} sub={revenueSub(month)} />
        <Kpi
          testId="kpi-sensors-healthy"
          label="Sensors healthy"
          value={`${health.healthy} / ${health.total}`}
          sub={health.total - health.healthy > 0 ? `${health.total - health.healthy} with a fault or data gap` : "no sensor faults"}
          tone={health.healthy < health.total ? "bad" : "normal"}
        />
        <Kpi
          testId="kpi-model"
          label="Model in production"
          value={production ? production.version : models ? "none" : "unavailable"}
          sub={production ? production.kind : modelsError ? "model registry did not answer" : "seasonal profile until one is promoted"}
        />
      </section>

      <div className="overview-grid">
        <section className="card" aria-labelledby="open-events-title">
          <div className="card-head">
            <h2 id="open-events-title">Open events ({active.length})</h2>
            <a href={href.events}>All events →</a>
          </div>
          <EventList events={active} testId="open-events" now={clock.now} fresh={fresh} empty="No open events. The network looks normal." />
        </section>

        <section className="card" aria-labelledby="map-title">
          <div className="card-head">
            <h2 id="map-title">Network</h2>
            <span className="muted">{sensors.length} sensors</span>
          </div>
          {sensors.length === 0 ? <Empty>No sensors are registered yet.</Empty> : <NetworkMap sensors={sensors} states={states} />}
        </section>
      </div>

      <ZoneTable refreshKey={summaryTick} />
    </div>
  );
}

function lossSub(total: LossTotal): string {
  if (total.events === 0) return "no leaks or bursts";
  return `${formatVolume(total.lowM3)}–${formatVolume(total.highM3)} · ${total.events} event${total.events === 1 ? "" : "s"}`;
}

function revenue(total: LossTotal): string {
  if (total.events === 0) return formatMoney(0);
  return total.priced || total.revenue > 0 ? formatMoney(total.revenue) : "—";
}

function revenueSub(total: LossTotal): string | undefined {
  if (total.events === 0) return "no leaks or bursts";
  return total.priced ? undefined : "tariff not set (Administration → Settings)";
}
