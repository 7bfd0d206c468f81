// Per zone: open events by type, what their leaks and bursts lost, and the current excess
// flow (GET /api/v1/summary). Refreshed shortly after live event updates.

import { useEffect } from "react";
import * as api from "../endpoints";
import { formatMoney, formatNumber, formatVolume, typeLabel } from "../format";
import { useAsync } from "../hooks/useAsync";
import { Empty, ErrorBanner, Loading } from "./Status";

export function ZoneTable({ refreshKey }: { refreshKey: number }) {
  const summary = useAsync((signal) => api.summary(signal), []);
  const { reload } = summary;

  useEffect(() => {
    if (refreshKey === 0) return;
    const timer = window.setTimeout(() => reload(true), 2000);
    return () => window.clearTimeout(timer);
  }, [refreshKey, reload]);

  const { state } = summary;
  return (
    <section className="card" aria-labelledby="zones-title">
      <div className="card-head">
        <h2 id="zones-title">Zones</h2>
        <span className="muted">open and acknowledged events</span>
      </div>
      {state.status === "loading" && !state.data && <Loading what="Loading zones…" />}
      {state.status === "error" && <ErrorBanner title="Could not load the zone summary" error={state.error} onRetry={() => reload()} />}
      {state.data && state.data.zones.length === 0 && <Empty>No zone has an open event.</Empty>}
      {state.data && state.data.zones.length > 0 && (
        <div className="table-wrap">
          <table className="table" data-testid="zone-summary">
            <thead>
              <tr>
                <th>Zone</th>
                <th>Open events</th>
                <th className="num">Water lost</th>
                <th className="num">Revenue lost</th>
                <th className="num">Excess flow now</th>
              </tr>
            </thead>
            <tbody>
              {state.data.zones.map((z) => (
                <tr key={z.zone}>
                  <td>{z.zone || "—"}</td>
                  <td>
                    {z.open_events}
                    {Object.keys(z.open_by_type).length > 0 && (
                      <span className="muted">
                        {" "}
                        ({Object.entries(z.open_by_type)
                          .map(([type, n]) => `${n} ${typeLabel(type).toLowerCase()}`)
                          .join(", ")})
                      </span>
                    )}
                  </td>
                  <td className="num">{formatVolume(z.loss_m3)}</td>
                  <td className="num">{z.revenue > 0 ? formatMoney(z.revenue) : "—"}</td>
                  <td className="num">{z.current_excess_m3h > 0 ? `${formatNumber(z.current_excess_m3h, 1)} m³/h` : "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
