// "Water near me": tank and reservoir levels and the pressure status around a position
// (GET /api/v1/public/levels, open to anyone).

import { useState, type FormEvent } from "react";
import { ApiError, errorMessage } from "../api";
import * as api from "../endpoints";
import { formatDateTime, formatDistance, formatNumber } from "../format";
import { coordText, currentPosition } from "../geolocation";
import type { PublicLevels as Levels } from "../types";
import { checkLevels, type FieldErrors, type LevelsField } from "../validation";
import { describedBy, Field } from "./Field";
import { Loading } from "./Status";

const PRESSURE_TEXT = { normal: "Normal", low: "Low pressure", outage: "No water", unknown: "Unknown" } as const;

export function PublicLevels() {
  const [lat, setLat] = useState("");
  const [lon, setLon] = useState("");
  const [radius, setRadius] = useState("2000");
  const [errors, setErrors] = useState<FieldErrors<LevelsField>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState<"locating" | "loading" | null>(null);
  const [result, setResult] = useState<Levels | null>(null);

  async function look(latText: string, lonText: string, radiusText: string) {
    const found = checkLevels(latText, lonText, radiusText);
    setErrors(found);
    setFormError(null);
    if (Object.keys(found).length) return;
    setBusy("loading");
    try {
      const r = radiusText.trim() ? Number(radiusText) : undefined;
      setResult(await api.publicLevels({ lat: Number(latText), lon: Number(lonText), radius: r }));
    } catch (err) {
      setResult(null);
      if (err instanceof ApiError && err.status === 422 && (err.field === "lat" || err.field === "lon" || err.field === "radius")) {
        setErrors({ [err.field]: err.message });
      } else if (err instanceof ApiError && err.status === 429) {
        setFormError("Too many requests. Please wait a moment and try again.");
      } else {
        setFormError(errorMessage(err));
      }
    } finally {
      setBusy(null);
    }
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    void look(lat, lon, radius);
  }

  async function locate() {
    setBusy("locating");
    setFormError(null);
    try {
      const p = await currentPosition();
      setLat(coordText(p.lat));
      setLon(coordText(p.lon));
      await look(coordText(p.lat), coordText(p.lon), radius);
    } catch (err) {
      setFormError(errorMessage(err));
      setBusy(null);
    }
  }

  return (
    <section className="card" aria-labelledby="levels-title">
      <h2 id="levels-title">Water near me</h2>
      <p className="muted">Tank levels and water pressure around a place. Use your location or enter coordinates.</p>
      <form className="form-grid" onSubmit={submit} noValidate>
        <Field id="levels-lat" label="Latitude" error={errors.lat}>
          <input id="levels-lat" data-testid="levels-lat" inputMode="decimal" value={lat} onChange={(e) => setLat(e.target.value)} placeholder="e.g. 52.0116" {...describedBy("levels-lat", errors.lat)} />
        </Field>
        <Field id="levels-lon" label="Longitude" error={errors.lon}>
          <input id="levels-lon" data-testid="levels-lon" inputMode="decimal" value={lon} onChange={(e) => setLon(e.target.value)} placeholder="e.g. 4.3571" {...describedBy("levels-lon", errors.lon)} />
        </Field>
        <Field id="levels-radius" label="Radius (m)" error={errors.radius} hint="up to 10000">
          <input
            id="levels-radius"
            data-testid="levels-radius"
            inputMode="numeric"
            value={radius}
            onChange={(e) => setRadius(e.target.value)}
            {...describedBy("levels-radius", errors.radius, "up to 10000")}
          />
        </Field>
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" data-testid="levels-submit" disabled={busy !== null}>
            {busy === "loading" ? "Looking…" : "Show water near here"}
          </button>
          <button type="button" className="btn" data-testid="levels-locate" disabled={busy !== null} onClick={locate}>
            {busy === "locating" ? "Locating…" : "Use my location"}
          </button>
        </div>
      </form>
      {formError && (
        <div className="banner banner-error" role="alert" data-testid="levels-error">
          <div className="banner-text">{formError}</div>
        </div>
      )}
      {busy === "loading" && <Loading what="Looking up levels…" />}
      {result && <LevelsResult levels={result} />}
    </section>
  );
}

function LevelsResult({ levels }: { levels: Levels }) {
  const { pressure, tanks } = levels;
  return (
    <div className="levels-result" data-testid="levels-result" aria-live="polite">
      <div className={`pressure pressure-${pressure.status}`} data-testid="pressure-status" data-status={pressure.status}>
        <span className="pressure-label">{PRESSURE_TEXT[pressure.status] ?? pressure.status}</span>
        <span className="pressure-message">{pressure.message}</span>
        {pressure.sensors > 0 && <span className="muted"> ({pressure.sensors} pressure sensor{pressure.sensors === 1 ? "" : "s"} nearby)</span>}
      </div>
      {tanks.length === 0 ? (
        <p className="empty">No tanks or reservoirs within {formatDistance(levels.radius_m)}.</p>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th>Tank</th>
                <th className="num">Level</th>
                <th>Updated</th>
                <th className="num">Distance</th>
              </tr>
            </thead>
            <tbody>
              {tanks.map((t) => (
                <tr key={`${t.name}-${t.lat}-${t.lon}`} data-testid="tank-row" data-tank={t.name}>
                  <td>
                    {t.name} <span className="muted">{t.kind}</span>
                  </td>
                  <td className="num">{t.level_m === null ? "no reading" : `${formatNumber(t.level_m, 2)} m`}</td>
                  <td>{t.updated_ms === null ? "—" : formatDateTime(t.updated_ms)}</td>
                  <td className="num">{formatDistance(t.distance_m)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
