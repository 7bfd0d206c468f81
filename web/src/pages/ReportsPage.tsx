// Reports sent by the public: filter by status, see the events they matched, review or
// dismiss them with a note.

import { useState } from "react";
import * as api from "../endpoints";
import { ReportCard } from "../components/ReportCard";
import { ErrorBanner, Loading } from "../components/Status";
import { useAsync } from "../hooks/useAsync";
import { useInterval } from "../hooks/useInterval";
import type { PublicReport, ReportStatus } from "../types";

const STATUSES: { value: ReportStatus | ""; label: string }[] = [
  { value: "new", label: "New" },
  { value: "reviewed", label: "Reviewed" },
  { value: "dismissed", label: "Dismissed" },
  { value: "", label: "All" },
];

export function ReportsPage() {
  const [status, setStatus] = useState<ReportStatus | "">("new");
  const reports = useAsync((signal) => api.reports({ status: status || undefined, limit: 200 }, signal), [status]);
  useInterval(() => reports.reload(true), 30_000);

  const replace = (updated: PublicReport) =>
    reports.setData((list) =>
      list
        .map((r) => (r.report_id === updated.report_id ? updated : r))
        .filter((r) => !status || r.status === status || r.report_id === updated.report_id),
    );

  const { state } = reports;
  return (
    <div>
      <div className="page-head">
        <h1>Public reports</h1>
        <div className="segmented" role="group" aria-label="Report status">
          {STATUSES.map((s) => (
            <button
              key={s.label}
              type="button"
              className={status === s.value ? "seg active" : "seg"}
              aria-pressed={status === s.value}
              data-testid={`reports-status-${s.value || "all"}`}
              onClick={() => setStatus(s.value)}
            >
              {s.label}
            </button>
          ))}
        </div>
      </div>
      {state.status === "loading" && <Loading what="Loading reports…" />}
      {state.status === "error" && <ErrorBanner title="Could not load the reports" error={state.error} onRetry={() => reports.reload()} />}
      {state.status === "ok" && state.data.length === 0 && (
        <p className="empty card" data-testid="reports-empty">
          {status ? `No ${status} reports.` : "No reports from the public yet."}
        </p>
      )}
      {state.status === "ok" && state.data.length > 0 && (
        <ul className="report-list" data-testid="reports-list">
          {state.data.map((r) => (
            <ReportCard key={r.report_id} report={r} onUpdated={replace} />
          ))}
        </ul>
      )}
    </div>
  );
}
