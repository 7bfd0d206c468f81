// An event's timeline: start, each action from its history, last evidence and end.

import { formatDateTime, humanize } from "../format";

const ACTION_TITLES: Record<string, string> = {
  acknowledge: "Acknowledged",
  resolve: "Resolved",
  false_positive: "Marked a false positive",
  comment: "Comment",
  confirm_leak: "Confirmed as a leak",
  confirm_sensor_fault: "Confirmed as a sensor fault",
};
import type { WaterEvent } from "../types";

interface Entry {
  at: number;
  title: string;
  detail?: string;
  kind: "detect" | "action";
}

export function EventTimeline({ event }: { event: WaterEvent }) {
  const entries: Entry[] = [{ at: event.start_ms, title: "Started", kind: "detect" }];
  if (event.last_evidence_ms && event.last_evidence_ms !== event.start_ms) {
    entries.push({ at: event.last_evidence_ms, title: "Last evidence", kind: "detect" });
  }
  if (event.end_ms) entries.push({ at: event.end_ms, title: "Ended", kind: "detect" });
  for (const h of event.history) {
    entries.push({
      at: h.at_ms,
      title: `${ACTION_TITLES[h.action] ?? humanize(h.action)}${h.actor ? ` by ${h.actor}` : ""}`,
      detail: h.comment || undefined,
      kind: "action",
    });
  }
  entries.sort((a, b) => a.at - b.at);

  return (
    <ol className="timeline" data-testid="event-timeline">
      {entries.map((e, i) => (
        <li key={`${e.at}-${i}`} className={`timeline-${e.kind}`}>
          <time dateTime={Number.isFinite(e.at) ? new Date(e.at).toISOString() : undefined}>{formatDateTime(e.at)}</time>
          <div className="timeline-title">{e.title}</div>
          {e.detail && <blockquote className="timeline-detail">{e.detail}</blockquote>}
        </li>
      ))}
    </ol>
  );
}
