// Training runs, newest first, with a progress bar for the running one.

import { formatDateTime, formatNumber, formatPercent, humanize } from "../format";
import type { TrainingRun } from "../types";

export function RunsTable({ runs }: { runs: TrainingRun[] }) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid="runs-table">
        <thead>
          <tr>
            <th>Run</th>
            <th>Status</th>
            <th>Progress</th>
            <th className="num">Loss (train / validation)</th>
            <th>Started</th>
            <th>Outcome</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => {
            const epoch = r.epoch ?? 0;
            const max = r.max_epochs ?? 0;
            return (
              <tr key={r.run_id} data-testid="run-row" data-status={r.status}>
                <td>
                  <div className="mono">{r.run_id}</div>
                  <div className="muted">{r.trigger || "—"}</div>
                </td>
                <td>
                  <span className={`badge run-${r.status ?? "unknown"}`}>{humanize(r.status ?? "unknown")}</span>
                </td>
                <td>
                  {max > 0 ? (
                    <div className="progress-cell">
                      <progress value={epoch} max={max} aria-label={`epoch ${epoch} of ${max}`} data-testid="run-progress" />
                      <span>
                        epoch {epoch}/{max}
                      </span>
                    </div>
                  ) : (
                    "—"
                  )}
                </td>
                <td className="num">
                  {formatNumber(r.train_loss, 3)} / {formatNumber(r.validation_loss, 3)}
                </td>
                <td>
                  {formatDateTime(r.started_ms)}
                  {r.finished_ms ? <div className="muted">finished {formatDateTime(r.finished_ms)}</div> : null}
                </td>
                <td className="notes">
                  <strong>{humanize(r.outcome ?? "pending")}</strong>
                  {r.candidate_version && <span className="mono"> {r.candidate_version}</span>}
                  {r.metrics?.scaled_crps !== undefined && (
                    <div className="muted">
                      CRPS {formatNumber(r.metrics.scaled_crps, 3)}
                      {r.compared_scaled_crps ? ` vs ${formatNumber(r.compared_scaled_crps, 3)}` : ""} · coverage{" "}
                      {formatPercent(r.metrics.coverage90)}
                    </div>
                  )}
                  {r.reason && <div className="muted">{r.reason}</div>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
