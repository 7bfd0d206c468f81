// What an operator does with an event: acknowledge, comment, resolve, and label it
// (confirm leak / confirm sensor fault / false positive). The returned event replaces the
// shown one, so the status changes at once; a 409 shows the gateway's message.

import { useState } from "react";
import { ApiError, errorMessage } from "../api";
import * as api from "../endpoints";
import { ACTIONS } from "../events";
import type { EventAction, WaterEvent } from "../types";
import { Notice } from "./Status";

const DONE: Record<EventAction, string> = {
  acknowledge: "Acknowledged.",
  resolve: "Resolved.",
  "false-positive": "Marked as a false positive.",
  comment: "Comment added.",
  "confirm-leak": "Labelled as a confirmed leak.",
  "confirm-sensor-fault": "Labelled as a confirmed sensor fault.",
};

const TEST_IDS: Record<EventAction, string> = {
  acknowledge: "action-acknowledge",
  resolve: "action-resolve",
  "false-positive": "action-false-positive",
  comment: "action-comment",
  "confirm-leak": "action-confirm-leak",
  "confirm-sensor-fault": "action-confirm-sensor-fault",
};

interface Props {
  event: WaterEvent;
  onUpdated: (event: WaterEvent) => void;
}

export function EventActions({ event, onUpdated }: Props) {
  const [comment, setComment] = useState("");
  const [busy, setBusy] = useState<EventAction | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  async function run(action: EventAction) {
    setError(null);
    setDone(null);
    if (action === "comment" && !comment.trim()) {
      setError("Write a comment first.");
      return;
    }
    setBusy(action);
    try {
      const updated = await api.eventAction(event.event_id, action, comment);
      onUpdated(updated);
      setComment("");
      setDone(DONE[action]);
    } catch (err) {
      setError(errorMessage(err));
      // A timeout does not say the action failed: the service may have applied it.
      // Show the event as it now is, so the page does not contradict itself.
      if (err instanceof ApiError && (err.status === 503 || err.status === 0)) {
        try {
          onUpdated(await api.event(event.event_id));
        } catch {
          // still unreachable: the message above says so
        }
      }
    } finally {
      setBusy(null);
    }
  }

  const button = (action: EventAction, style = "btn") => {
    const blocked = ACTIONS[action].blockedBy(event.status);
    return (
      <button
        type="button"
        className={style}
        data-testid={TEST_IDS[action]}
        disabled={busy !== null || blocked !== null}
        title={blocked ?? undefined}
        onClick={() => run(action)}
      >
        {busy === action ? "Working…" : ACTIONS[action].label}
      </button>
    );
  };

  return (
    <section className="card event-actions" aria-labelledby="actions-title">
      <h2 id="actions-title">Actions</h2>
      <label htmlFor="event-comment">Comment (required to add a comment; optional with the other actions)</label>
      <textarea
        id="event-comment"
        data-testid="event-comment"
        rows={3}
        maxLength={2000}
        value={comment}
        onChange={(e) => setComment(e.target.value)}
        placeholder="e.g. crew dispatched to Main St"
      />
      <div className="button-row">
        {button("acknowledge", "btn btn-primary")}
        {button("comment")}
        {button("resolve")}
      </div>
      <div className="button-row">
        <span className="muted">Label for training:</span>
        {button("confirm-leak")}
        {button("confirm-sensor-fault")}
        {button("false-positive")}
      </div>
      {error && (
        <div className="banner banner-error" role="alert" data-testid="action-error">
          <div className="banner-text">{error}</div>
        </div>
      )}
      {done && <Notice kind="success" testId="action-done">{done}</Notice>}
    </section>
  );
}
