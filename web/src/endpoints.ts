// Typed calls of the gateway's routes. Client routes send the token and log out on 401;
// the public ones (levels, reports, auth/me) work without one.

import { ApiError, request } from "./api";
import type {
  EventAction,
  EventFilter,
  Health,
  LoginResponse,
  Me,
  NewPublicReport,
  PublicLevels,
  PublicReport,
  PublicReportReceipt,
  RegisteredModel,
  ReportStatus,
  Settings,
  Sensor,
  SensorImportResult,
  Resolution,
  Series,
  Summary,
  TrainResponse,
  TrainingRun,
  User,
  WaterEvent,
} from "./types";

const V1 = "/api/v1";
const enc = encodeURIComponent;

// ---- settings ----

export function settings(signal?: AbortSignal): Promise<Settings> {
  return request<Settings>(`${V1}/settings`, { signal });
}

export function updateSettings(update: { tariff_per_m3: number; currency: string }): Promise<Settings> {
  return request<Settings>(`${V1}/settings`, { method: "POST", body: update });
}

// ---- accounts ----

export function login(name: string, password: string): Promise<LoginResponse> {
  return request<LoginResponse>(`${V1}/auth/login`, { method: "POST", body: { name, password }, auth: "none" });
}

export function me(signal?: AbortSignal): Promise<Me> {
  return request<Me>(`${V1}/auth/me`, { signal, auth: "optional" });
}

export async function users(signal?: AbortSignal): Promise<User[]> {
  return (await request<{ users: User[] }>(`${V1}/users`, { signal })).users;
}

export function addUser(user: { name: string; password: string; role: string; admin: boolean }): Promise<User> {
  return request<User>(`${V1}/users`, { method: "POST", body: user });
}

export function setUserDisabled(name: string, disabled: boolean): Promise<User> {
  return request<User>(`${V1}/users/${enc(name)}/${disabled ? "disable" : "enable"}`, { method: "POST" });
}

// ---- sensors and series ----

export async function sensors(signal?: AbortSignal): Promise<Sensor[]> {
  return (await request<{ sensors: Sensor[] }>(`${V1}/sensors`, { signal })).sensors;
}

/** Without `resolution`, the gateway picks one by the range (raw when `to` is absent). */
export function series(
  id: string,
  range: { from?: number; to?: number; limit?: number; resolution?: Resolution },
  signal?: AbortSignal,
): Promise<Series> {
  return request<Series>(`${V1}/sensors/${enc(id)}/series`, { query: range, signal });
}

/** `cadenceMs`: expected interval of the readings (default 60000); `inlets`: ids of zone inlet flow sensors. */
export function importSensors(csv: string, options: { cadenceMs?: number; inlets?: string[] } = {}): Promise<SensorImportResult> {
  const body: { csv: string; cadence_ms?: number; inlets?: string[] } = { csv };
  if (options.cadenceMs) body.cadence_ms = options.cadenceMs;
  if (options.inlets && options.inlets.length) body.inlets = options.inlets;
  return request<SensorImportResult>(`${V1}/sensors/import`, { method: "POST", body });
}

// ---- events ----

export async function events(filter: EventFilter, signal?: AbortSignal): Promise<WaterEvent[]> {
  const query = { ...filter };
  return (await request<{ events: WaterEvent[] }>(`${V1}/events`, { query, signal })).events;
}

export function event(id: string, signal?: AbortSignal): Promise<WaterEvent> {
  return request<WaterEvent>(`${V1}/events/${enc(id)}`, { signal });
}

export function eventAction(id: string, action: EventAction, comment?: string): Promise<WaterEvent> {
  const body = comment && comment.trim() ? { comment: comment.trim() } : {};
  return request<WaterEvent>(`${V1}/events/${enc(id)}/${action}`, { method: "POST", body });
}

export function summary(signal?: AbortSignal): Promise<Summary> {
  return request<Summary>(`${V1}/summary`, { signal });
}

/** Health answers 503 with the same body when a service is degraded: that is data too. */
export async function health(signal?: AbortSignal): Promise<Health> {
  try {
    return await request<Health>(`${V1}/health`, { signal });
  } catch (error) {
    if (error instanceof ApiError && error.status === 503 && isHealth(error.body)) return error.body;
    throw error;
  }
}

function isHealth(value: unknown): value is Health {
  return typeof value === "object" && value !== null && "services" in value && "status" in value;
}

// ---- models and training ----

export async function models(signal?: AbortSignal): Promise<RegisteredModel[]> {
  return (await request<{ models?: RegisteredModel[] }>(`${V1}/models`, { signal })).models ?? [];
}

export async function trainingRuns(signal?: AbortSignal): Promise<TrainingRun[]> {
  return (await request<{ runs?: TrainingRun[] }>(`${V1}/training-runs`, { signal })).runs ?? [];
}

export function train(): Promise<TrainResponse> {
  return request<TrainResponse>(`${V1}/models/train`, { method: "POST" });
}

export function promote(version: string): Promise<RegisteredModel> {
  return request<RegisteredModel>(`${V1}/models/${enc(version)}/promote`, { method: "POST" });
}

export function rollback(): Promise<RegisteredModel> {
  return request<RegisteredModel>(`${V1}/models/rollback`, { method: "POST" });
}

// ---- public reports (client side) ----

export async function reports(filter: { status?: ReportStatus; limit?: number }, signal?: AbortSignal): Promise<PublicReport[]> {
  return (await request<{ reports: PublicReport[] }>(`${V1}/reports`, { query: filter, signal })).reports;
}

export function handleReport(id: string, action: "review" | "dismiss", note: string): Promise<PublicReport> {
  const body = note.trim() ? { note: note.trim() } : {};
  return request<PublicReport>(`${V1}/reports/${enc(id)}/${action}`, { method: "POST", body });
}

// ---- public routes (anyone) ----

export function publicLevels(q: { lat: number; lon: number; radius?: number }, signal?: AbortSignal): Promise<PublicLevels> {
  return request<PublicLevels>(`${V1}/public/levels`, { query: q, signal, auth: "optional" });
}

export function submitPublicReport(report: NewPublicReport): Promise<PublicReportReceipt> {
  return request<PublicReportReceipt>(`${V1}/public/reports`, { method: "POST", body: report, auth: "optional" });
}

/** URL of the live stream (EventSource cannot send headers, so the token rides in the query). */
export function streamURL(token: string, sensor?: string | null): string {
  const params = new URLSearchParams({ access_token: token });
  if (sensor) params.set("sensor", sensor);
  return `${V1}/stream?${params.toString()}`;
}
