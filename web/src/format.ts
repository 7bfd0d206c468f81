// Units, numbers and dates as operators read them. Times are shown in the browser's zone.

import type { EventStatus, EventType, SensorKind } from "./types";

const dateTime = new Intl.DateTimeFormat(undefined, {
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});
const timeOnly = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const dayMonth = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });
const dayOnly = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "short", day: "numeric" });
const monthOnly = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "long" });

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

function valid(ms: number | null | undefined): ms is number {
  return typeof ms === "number" && Number.isFinite(ms) && ms > 0;
}

export function formatDateTime(ms: number | null | undefined): string {
  return valid(ms) ? dateTime.format(ms) : "—";
}

export function formatTime(ms: number): string {
  return timeOnly.format(ms);
}

export function formatDay(ms: number): string {
  return dayOnly.format(ms);
}

export function formatMonth(ms: number): string {
  return monthOnly.format(ms);
}

/** Axis label: the time, with the date when the span covers more than a day. */
export function formatAxisTime(ms: number, spanMs: number): string {
  if (spanMs > 2 * DAY) return `${dayMonth.format(ms)} ${timeOnly.format(ms)}`;
  return timeOnly.format(ms);
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "—";
  const minutes = Math.round(ms / MINUTE);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** "5 min ago" / "in 2 h" relative to `now`. */
export function formatAgo(ms: number, now: number = Date.now()): string {
  const diff = now - ms;
  if (Math.abs(diff) < MINUTE) return "just now";
  return diff > 0 ? `${formatDuration(diff)} ago` : `in ${formatDuration(-diff)}`;
}

export function formatNumber(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  return value.toLocaleString(undefined, { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function formatVolume(m3: number | null | undefined): string {
  if (m3 === null || m3 === undefined || !Number.isFinite(m3)) return "—";
  return `${formatNumber(m3, m3 < 10 ? 1 : 0)} m³`;
}

/** Money in the tariff's currency (the tariff has no currency code: plain amount). */
export function formatMoney(amount: number | null | undefined): string {
  if (amount === null || amount === undefined || !Number.isFinite(amount)) return "—";
  return formatNumber(amount, 2);
}

export function formatDistance(m: number): string {
  return m >= 1000 ? `${formatNumber(m / 1000, 1)} km` : `${Math.round(m)} m`;
}

export function formatPercent(fraction: number | null | undefined): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return "—";
  return `${Math.round(fraction * 100)} %`;
}

export function formatUnit(unit: string): string {
  return unit.replace("m3", "m³");
}

const TYPE_LABELS: Record<EventType, string> = {
  leak: "Leak",
  burst: "Burst",
  sensor_fault: "Sensor fault",
  data_gap: "Data gap",
  demand_anomaly: "Demand anomaly",
  tank_anomaly: "Tank anomaly",
};

const STATUS_LABELS: Record<EventStatus, string> = {
  open: "Open",
  acknowledged: "Acknowledged",
  resolved: "Resolved",
  false_positive: "False positive",
};

const KIND_LABELS: Record<SensorKind, string> = {
  pressure: "Pressure",
  flow: "Flow",
  level: "Level",
  meter: "Meter",
  unspecified: "Sensor",
};

export function typeLabel(type: string): string {
  return TYPE_LABELS[type as EventType] ?? humanize(type);
}

export function statusLabel(status: string): string {
  return STATUS_LABELS[status as EventStatus] ?? humanize(status);
}

export function kindLabel(kind: string): string {
  return KIND_LABELS[kind as SensorKind] ?? humanize(kind);
}

/** "sensor_fault" / "confirm-leak" -> "Sensor fault" / "Confirm leak". */
export function humanize(text: string): string {
  const words = text.replace(/[_-]+/g, " ").trim();
  return words ? words[0].toUpperCase() + words.slice(1) : "";
}
