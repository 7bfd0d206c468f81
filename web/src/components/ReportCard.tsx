// One public report with its linked events and the Review / Dismiss buttons.

import { useState } from "react";
import { errorMessage } from "../api";
import * as api from "../endpoints";
import { formatDateTime, humanize } from "../format";
import { href } from "../router";
import type { PublicReport } from "../types";

interface Props {
  report: PublicReport;
  onUpdated: (report: PublicReport) => void;
}

export function ReportCard({ report: r, onUpdated }: Props) {
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState<"review" | "dismiss" | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function handle(action: "review" | "dismiss") {
    setBusy(action);
    setError(null);
    try {
      onUpdated(await api.handleReport(r.report_id, action, note));
      setNote("");
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(null);
    }
  }

  const noteId = `note-${r.report_id}`;
  return (
    <li className="card report" data-testid="report-row" data-report-id={r.report_id} data-status={r.status}>
      <div className="report-head">
        <span className={`badge report-${r.status}`} data-testid="report-status">
          {humanize(r.status)}
        </span>
        {r.suspected_leak && <span className="badge badge-leak">suspected leak</span>}
        <strong>{r.locality}</strong>
        <span className="muted">
          from {r.name} · {formatDateTime(r.received_ms)}
        </span>
      </div>
      {r.remark ? <p className="report-remark">{r.remark}</p> : <p className="muted">No remark.</p>}
      <div className="report-meta">
        {r.has_position && r.lat !== null && r.lon !== null ? (
          <span>
            Position {r.lat.toFixed(5)}, {r.lon.toFixed(5)}
          </span>
        ) : (
          <span className="muted">No position given</span>
        )}
        <span>
          {r.event_ids.length === 0
            ? "Matched no event"
            : r.event_ids.map((id, i) => (
                <span key={id}>
                  {i === 0 ? "Events: " : ", "}
                  <a href={href.event(id)}>{id}</a>
                </span>
              ))}
        </span>
      </div>
      {r.handled_by && (
        <p className="muted">
          {humanize(r.status)} by {r.handled_by} {formatDateTime(r.handled_ms)}
          {r.note && `: “${r.note}”`}
        </p>
      )}
      <div className="report-actions">
        <label htmlFor={noteId} className="sr-only">
          Note
        </label>
        <input
          id={noteId}
          placeholder="Note (optional)"
          value={note}
          onChange={(e) => setNote(e.target.value)}
          maxLength={1000}
          data-testid="report-note"
        />
        <button type="button" className="btn btn-small btn-primary" disabled={busy !== null || r.status === "reviewed"} onClick={() => handle("review")} data-testid="report-review">
          {busy === "review" ? "Saving…" : "Review"}
        </button>
        <button type="button" className="btn btn-small" disabled={busy !== null || r.status === "dismissed"} onClick={() => handle("dismiss")} data-testid="report-dismiss">
          {busy === "dismiss" ? "Saving…" : "Dismiss"}
        </button>
      </div>
      {error && (
        <div className="banner banner-error" role="alert">
          <div className="banner-text">{error}</div>
        </div>
      )}
    </li>
  );
}
