// Client-side checks of the public forms, mirroring the gateway's rules (which stay the
// authority: its 422 message is always shown too).

export type FieldErrors<K extends string> = Partial<Record<K, string>>;

export type ReportField = "name" | "locality" | "remark" | "lat" | "lon";

export interface ReportDraft {
  name: string;
  locality: string;
  remark: string;
  suspectedLeak: boolean | null;
  lat: string;
  lon: string;
}

interface TextRule {
  label: string;
  min: number;
  max: number;
  /** Characters allowed (as the gateway's PublicReportRules), and how to say so. */
  allowed: RegExp;
  allowedText: string;
}

const NAME: TextRule = { label: "your name", min: 1, max: 80, allowed: /^[\p{L}\p{M} .'-]$/u, allowedText: "letters, spaces and . ' -" };
const LOCALITY: TextRule = {
  label: "the street or area",
  min: 1,
  max: 120,
  allowed: /^[\p{L}\p{M}\p{N} ,.'\-/#]$/u,
  allowedText: "letters, digits, spaces and , . ' - / #",
};
const REMARK: TextRule = { label: "the remark", min: 0, max: 1000, allowed: /^(?:\n|[^<>\p{Cc}])$/u, allowedText: "text without < > or control characters" };

function checkText(value: string, rule: TextRule): string | undefined {
  const chars = Array.from(value.trim());
  if (chars.length < rule.min) return `Enter ${rule.label}.`;
  if (chars.length > rule.max) return `${capital(rule.label)} must be at most ${rule.max} characters (now ${chars.length}).`;
  const bad = chars.find((c) => !rule.allowed.test(c));
  if (bad !== undefined) return `${capital(rule.label)} may hold only ${rule.allowedText}; “${bad === "\t" ? "tab" : bad}” is not allowed.`;
  return undefined;
}

function capital(text: string): string {
  const t = text.replace(/^(your|the) /, "");
  return t[0].toUpperCase() + t.slice(1);
}

/** A coordinate field: empty is allowed when `optional`; otherwise a number in [-limit, limit]. */
export function checkCoordinate(value: string, label: string, limit: number, optional: boolean): string | undefined {
  const text = value.trim();
  if (text === "") return optional ? undefined : `Enter the ${label}.`;
  const n = Number(text);
  if (!Number.isFinite(n)) return `The ${label} must be a number, like ${limit === 90 ? "52.0116" : "4.3571"}.`;
  if (n < -limit || n > limit) return `The ${label} must be between -${limit} and ${limit}.`;
  return undefined;
}

export function checkReport(draft: ReportDraft): FieldErrors<ReportField> {
  const errors: FieldErrors<ReportField> = {};
  const name = checkText(draft.name, NAME);
  if (name) errors.name = name;
  const locality = checkText(draft.locality, LOCALITY);
  if (locality) errors.locality = locality;
  const remark = checkText(draft.remark, REMARK);
  if (remark) errors.remark = remark;
  const hasLat = draft.lat.trim() !== "";
  const hasLon = draft.lon.trim() !== "";
  const lat = checkCoordinate(draft.lat, "latitude", 90, !hasLon);
  if (lat) errors.lat = lat;
  const lon = checkCoordinate(draft.lon, "longitude", 180, !hasLat);
  if (lon) errors.lon = lon;
  return errors;
}

export type LevelsField = "lat" | "lon" | "radius";

export function checkLevels(lat: string, lon: string, radius: string): FieldErrors<LevelsField> {
  const errors: FieldErrors<LevelsField> = {};
  const latError = checkCoordinate(lat, "latitude", 90, false);
  if (latError) errors.lat = latError;
  const lonError = checkCoordinate(lon, "longitude", 180, false);
  if (lonError) errors.lon = lonError;
  if (radius.trim() !== "") {
    const r = Number(radius);
    if (!Number.isFinite(r) || r <= 0 || r > 10_000) errors.radius = "The radius must be a number of metres from 1 to 10000.";
  }
  return errors;
}
