// Shapes of the gateway's JSON (README.md "REST API", Sources/Gateway/JSONViews.swift).
// Fields the gateway writes with proto3 JSON (models, training runs) are left out when
// they hold their default (0, "", false), so they are optional here.

export type Role = "client" | "public";

export interface ApiErrorBody {
  error: { status: number; code: string; message: string; field?: string };
}

// ---- accounts ----

export interface Me {
  name: string;
  role: Role;
  admin: boolean;
  anonymous: boolean;
}

export interface LoginResponse {
  token: string;
  expires_ms: number;
  user: { name: string; role: Role; admin: boolean; anonymous?: boolean };
}

export interface User {
  name: string;
  role: Role;
  admin: boolean;
  disabled: boolean;
  created_ms: number;
}

// ---- sensors and series ----

export type SensorKind = "pressure" | "flow" | "level" | "meter" | "unspecified";

export interface Sensor {
  sensor_id: string;
  kind: SensorKind;
  unit: string;
  zone: string;
  node_id: string;
  lat: number;
  lon: number;
  min: number;
  max: number;
  cadence_ms: number;
  zone_inlet: boolean;
  /** The sensor's part in its zone's water balance ("" when none). */
  balance_role: "" | "inlet" | "outlet" | "storage";
  /** For a storage sensor: its tank's cross-section, m². */
  storage_area_m2: number;
  /** For a meter between two zones: the other zone, which it takes water out of ("" when none). */
  outlet_of_zone: string;
}

export interface RawReading {
  ts_ms: number;
  value: number;
  received_ms: number;
  conflict: boolean;
}

export type QualityFlag = "imputed" | "aggregated" | "gap" | "out_of_range" | "late" | "stuck" | "spike" | "conflict" | "repeated";

export interface CleanPoint {
  ts_ms: number;
  value: number | null;
  raw_value: number | null;
  smoothed: number | null;
  flags: QualityFlag[];
  revision: number;
}

export interface ScorePoint {
  ts_ms: number;
  value: number;
  forecast_mean: number;
  lower: number;
  upper: number;
  anomaly_score: number;
  anomalous: boolean;
  warmed_up?: boolean;
  model_version?: string;
  revision?: number;
}

export type Resolution = "raw" | "5m" | "1h" | "1d";

/** A summary of a step of the series (`resolution` other than raw). */
export interface RollupPoint {
  ts_ms: number;
  count: number;
  min: number | null;
  mean: number | null;
  max: number | null;
  score_count: number;
  worst_score: number | null;
}

/** Every point at resolution raw; else only `rollups`. */
export interface Series {
  sensor_id: string;
  resolution: Resolution;
  raw: RawReading[];
  clean: CleanPoint[];
  scores: ScorePoint[];
  rollups: RollupPoint[];
}

export interface SensorImportResult {
  registered: number;
  rejected: { sensor_id: string; reason: string }[];
}

// ---- events ----

export const EVENT_TYPES = ["leak", "burst", "sensor_fault", "data_gap", "demand_anomaly", "tank_anomaly"] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const EVENT_STATUSES = ["open", "acknowledged", "resolved", "false_positive"] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];

export interface Evidence {
  sensor_id: string;
  kind: string;
  first_ms: number;
  last_ms: number;
  peak_score: number;
  mean_relative_deviation: number;
  anomalous_points: number;
}

export interface EventHistoryEntry {
  action: string;
  actor: string;
  at_ms: number;
  comment: string;
}

export interface Loss {
  volume_m3: number;
  low_m3: number;
  high_m3: number;
  revenue: number;
  tariff_per_m3: number;
  current_flow_m3h: number;
}

export interface LocationCandidate {
  node_id: string;
  link_id: string;
  sensor_id: string;
  score: number;
  lat: number;
  lon: number;
}

/** An event as GET /api/v1/events/{id} answers it (and the stream's `insight` message). */
export interface WaterEvent {
  event_id: string;
  type: EventType;
  status: EventStatus;
  zone: string;
  sensor_ids: string[];
  start_ms: number;
  last_evidence_ms: number;
  end_ms: number | null;
  severity: number;
  confidence: number;
  model_version: string;
  summary: string;
  acknowledged_by: string;
  acknowledged_ms: number;
  resolved_by: string;
  resolved_ms: number;
  updated_ms: number;
  evidence: Evidence[];
  history: EventHistoryEntry[];
  loss: Loss | null;
  candidates: LocationCandidate[];
  location_note: string;
  label: string | null;
  labelled_by: string;
  labelled_ms: number;
  /** Public reports matched to this event (newer gateways). */
  public_reports?: number;
  /** The trace id of the reading that raised it ("" when it carried none). */
  trace_id?: string;
  /** When it was first raised: the data time of the raising point, and insight's clock. */
  raised_ms?: number | null;
  raised_wall_ms?: number | null;
  /** Leaks and bursts on a network model: the data time from which the top pipe was named. */
  located_ms?: number | null;
}

export type EventAction = "acknowledge" | "resolve" | "false-positive" | "comment" | "confirm-leak" | "confirm-sensor-fault";

export interface EventFilter {
  type?: EventType;
  status?: EventStatus;
  zone?: string;
  from?: number;
  to?: number;
  limit?: number;
}

export interface ZoneSummary {
  zone: string;
  open_events: number;
  open_by_type: Record<string, number>;
  loss_m3: number;
  revenue: number;
  current_excess_m3h: number;
}

export interface Summary {
  generated_ms: number;
  zones: ZoneSummary[];
}

// ---- health ----

export interface ServiceHealth {
  service: string;
  status: string;
  instance_id?: string;
  started_ms?: number;
  counters?: Record<string, number>;
  detail?: string;
}

export interface Health {
  status: "ok" | "degraded";
  services: ServiceHealth[];
}

// ---- models and training ----

export interface ModelMetrics {
  scaled_crps?: number;
  mase?: number;
  coverage90?: number;
  points?: number;
}

export type ModelStatus = "candidate" | "production" | "archived";

export interface RegisteredModel {
  version: string;
  kind?: string;
  status?: ModelStatus;
  created_ms?: number;
  window_from_ms?: number;
  window_to_ms?: number;
  metrics?: ModelMetrics;
  compared_with?: string;
  compared_scaled_crps?: number;
  reason?: string;
  promoted_ms?: number;
  config_json?: string;
}

export interface TrainingRun {
  run_id: string;
  trigger?: string;
  status?: "running" | "succeeded" | "failed";
  outcome?: "pending" | "promoted" | "archived" | "failed";
  started_ms?: number;
  finished_ms?: number;
  window_from_ms?: number;
  window_to_ms?: number;
  sensors?: number;
  epoch?: number;
  max_epochs?: number;
  train_loss?: number;
  validation_loss?: number;
  candidate_version?: string;
  metrics?: ModelMetrics;
  compared_with?: string;
  compared_scaled_crps?: number;
  reason?: string;
}

export interface TrainResponse {
  queued?: boolean;
  message?: string;
}

// ---- public reports and levels ----

export type ReportStatus = "new" | "reviewed" | "dismissed";

export interface PublicReport {
  report_id: string;
  name: string;
  locality: string;
  remark: string;
  suspected_leak: boolean;
  has_position: boolean;
  lat: number | null;
  lon: number | null;
  received_ms: number;
  status: ReportStatus;
  event_ids: string[];
  handled_by: string;
  handled_ms: number;
  note: string;
}

export interface NewPublicReport {
  name: string;
  locality: string;
  remark: string;
  suspected_leak: boolean;
  lat?: number;
  lon?: number;
}

export interface PublicReportReceipt {
  report_id: string;
  matched_events: number;
  message: string;
}

export interface TankLevel {
  name: string;
  kind: "tank" | "reservoir";
  level_m: number | null;
  updated_ms: number | null;
  distance_m: number;
  lat: number;
  lon: number;
}

export type PressureStatus = "normal" | "low" | "outage" | "unknown";

export interface PublicLevels {
  radius_m: number;
  tanks: TankLevel[];
  pressure: { status: PressureStatus; message: string; sensors: number };
}

// ---- live stream ----

/** `event: score` on the stream (only for the sensor asked for). */
export interface LiveScore {
  sensor_id: string;
  ts_ms: number;
  value: number;
  forecast_mean: number;
  lower: number;
  upper: number;
  anomaly_score: number;
  anomalous: boolean;
}

export interface StreamHello {
  name: string;
  sensor?: string | null;
}

/** GET /api/v1/settings: what prices losses. */
export interface Settings {
  tariff_per_m3: number;
  currency: string;
  updated_by: string;
  updated_ms: number;
}
