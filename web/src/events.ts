// Rules about events shared by the pages: which are still active, how a live update is
// merged into a list, and which actions the current status allows.

import type { EventAction, EventFilter, EventStatus, EventType, WaterEvent } from "./types";

/** Open or acknowledged: still being dealt with. */
export function isActive(event: Pick<WaterEvent, "status">): boolean {
  return event.status === "open" || event.status === "acknowledged";
}

export const HEALTH_TYPES: ReadonlySet<EventType> = new Set<EventType>(["sensor_fault", "data_gap"]);

export function isSensorHealthEvent(event: Pick<WaterEvent, "type">): boolean {
  return HEALTH_TYPES.has(event.type);
}

/** Newest start first, as the API lists them. */
export function byNewestStart(a: WaterEvent, b: WaterEvent): number {
  return b.start_ms - a.start_ms || a.event_id.localeCompare(b.event_id);
}

/**
 * Merges a new or updated event into a list: replaces the one with the same id, adds it
 * when `keep` accepts it, drops it when `keep` no longer does.
 */
export function upsertEvent(list: WaterEvent[], event: WaterEvent, keep: (e: WaterEvent) => boolean = () => true): WaterEvent[] {
  const rest = list.filter((e) => e.event_id !== event.event_id);
  if (!keep(event)) return rest.length === list.length ? list : rest;
  return [...rest, event].sort(byNewestStart);
}

export function matchesFilter(event: WaterEvent, filter: EventFilter): boolean {
  if (filter.type && event.type !== filter.type) return false;
  if (filter.status && event.status !== filter.status) return false;
  if (filter.zone && event.zone !== filter.zone) return false;
  if (filter.from && event.start_ms < filter.from) return false;
  if (filter.to && event.start_ms > filter.to) return false;
  return true;
}

/** Every sensor an event names: its sensors and its evidence. */
export function eventSensorIds(event: WaterEvent): string[] {
  return Array.from(new Set([...event.sensor_ids, ...event.evidence.map((e) => e.sensor_id)]));
}

export interface ActionRule {
  action: EventAction;
  label: string;
  /** Why it cannot be done now, or null when it can. */
  blockedBy: (status: EventStatus) => string | null;
}

const closed = (status: EventStatus) =>
  status === "resolved" || status === "false_positive" ? "The event is already closed." : null;

export const ACTIONS: Record<EventAction, ActionRule> = {
  acknowledge: {
    action: "acknowledge",
    label: "Acknowledge",
    blockedBy: (s) => (s === "open" ? null : "Only an open event can be acknowledged."),
  },
  resolve: { action: "resolve", label: "Resolve", blockedBy: closed },
  "false-positive": { action: "false-positive", label: "False positive", blockedBy: closed },
  comment: { action: "comment", label: "Add comment", blockedBy: () => null },
  "confirm-leak": { action: "confirm-leak", label: "Confirm leak", blockedBy: () => null },
  "confirm-sensor-fault": { action: "confirm-sensor-fault", label: "Confirm sensor fault", blockedBy: () => null },
};
