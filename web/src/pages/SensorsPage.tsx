// All sensors by zone, with a filter box; each opens its page.

import { useMemo, useState } from "react";
import * as api from "../endpoints";
import { Empty, ErrorBanner, Loading } from "../components/Status";
import { formatNumber, formatUnit, kindLabel } from "../format";
import { useAsync } from "../hooks/useAsync";
import { href } from "../router";
import type { Sensor } from "../types";

export function SensorsPage() {
  const sensors = useAsync((signal) => api.sensors(signal), []);
  const [filter, setFilter] = useState("");

  const zones = useMemo(() => {
    const list = sensors.state.data ?? [];
    const needle = filter.trim().toLowerCase();
    const matching = needle
      ? list.filter((s) => [s.sensor_id, s.zone, s.kind, s.node_id].some((v) => v.toLowerCase().includes(needle)))
      : list;
    const groups = new Map<string, Sensor[]>();
    for (const s of matching) groups.set(s.zone || "(no zone)", [...(groups.get(s.zone || "(no zone)") ?? []), s]);
    return Array.from(groups.entries()).sort(([a], [b]) => a.localeCompare(b));
  }, [sensors.state.data, filter]);

  const { state } = sensors;
  return (
    <div>
      <div className="page-head">
        <h1>Sensors</h1>
        <input
          className="search"
          type="search"
          placeholder="Filter by id, zone, kind, node"
          aria-label="Filter sensors"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          data-testid="sensor-filter"
        />
      </div>
      {state.status === "loading" && <Loading what="Loading sensors…" />}
      {state.status === "error" && <ErrorBanner title="Could not load the sensors" error={state.error} onRetry={() => sensors.reload()} />}
      {state.status === "ok" && state.data.length === 0 && <Empty>No sensors are registered yet. An administrator can import a sensors.csv on the Admin page.</Empty>}
      {state.status === "ok" && state.data.length > 0 && zones.length === 0 && <Empty>No sensor matches “{filter}”.</Empty>}
      {zones.map(([zone, list]) => (
        <section key={zone} className="card">
          <h2>
            {zone} <span className="muted">({list.length})</span>
          </h2>
          <div className="table-wrap">
            <table className="table" data-testid="sensor-table">
              <thead>
                <tr>
                  <th>Sensor</th>
                  <th>Kind</th>
                  <th>Unit</th>
                  <th>Node</th>
                  <th className="num">Range</th>
                </tr>
              </thead>
              <tbody>
                {list.map((s) => (
                  <tr key={s.sensor_id} data-testid="sensor-row" data-sensor-id={s.sensor_id}>
                    <td>
                      <a href={href.sensor(s.sensor_id)}>{s.sensor_id}</a>
                      {s.balance_role && <span className="badge badge-quiet">{s.balance_role}</span>}
                    </td>
                    <td>{kindLabel(s.kind)}</td>
                    <td>{formatUnit(s.unit)}</td>
                    <td>{s.node_id || "—"}</td>
                    <td className="num">
                      {formatNumber(s.min, 1)} – {formatNumber(s.max, 1)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ))}
    </div>
  );
}
