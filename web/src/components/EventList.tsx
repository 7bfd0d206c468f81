// Events as a list of rows (newest first). Each row opens the event's detail.

import { formatAgo, formatDateTime, formatVolume } from "../format";
import { href } from "../router";
import type { WaterEvent } from "../types";
import { StatusBadge, TypeBadge } from "./Badges";

interface Props {
  events: WaterEvent[];
  testId: string;
  /** "now" for "… ago" (the data clock). */
  now: number;
  /** Ids that arrived live a moment ago, to flash. */
  fresh?: ReadonlySet<string>;
  /** Shown instead of the rows when there are none. */
  empty: string;
}

export function EventList({ events, testId, now, fresh, empty }: Props) {
  if (events.length === 0) {
    return (
      <div className="event-list-empty" data-testid={testId} data-empty="true">
        <p className="empty">{empty}</p>
      </div>
    );
  }
  return (
    <ul className="event-list" data-testid={testId}>
      {events.map((e) => (
        <li
          key={e.event_id}
          className={`event-row sev-${severityClass(e.severity)}${fresh?.has(e.event_id) ? " fresh" : ""}`}
          data-testid="event-row"
          data-event-id={e.event_id}
          data-event-type={e.type}
          data-event-status={e.status}
        >
          <a href={href.event(e.event_id)} className="event-row-link">
            <div className="event-row-head">
              <TypeBadge type={e.type} />
              <StatusBadge status={e.status} />
              <span className="event-zone">{e.zone || e.sensor_ids[0] || "—"}</span>
              {(e.public_reports ?? 0) > 0 && (
                <span className="badge badge-reports" title="Corroborated by public reports">
                  {e.public_reports} report{e.public_reports === 1 ? "" : "s"}
                </span>
              )}
            </div>
            <div className="event-row-summary">{e.summary || e.event_id}</div>
            <div className="event-row-meta">
              <span title={formatDateTime(e.start_ms)}>started {formatAgo(e.start_ms, now)}</span>
              {e.loss && <span>lost {formatVolume(e.loss.volume_m3)}</span>}
              <span>confidence {Math.round(e.confidence * 100)} %</span>
            </div>
          </a>
        </li>
      ))}
    </ul>
  );
}

function severityClass(severity: number): "high" | "medium" | "low" {
  if (severity >= 0.7) return "high";
  if (severity >= 0.4) return "medium";
  return "low";
}
