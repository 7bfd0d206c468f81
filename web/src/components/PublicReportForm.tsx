// A resident reports a problem (POST /api/v1/public/reports, open to anyone). The form
// checks what the gateway checks, and always shows the gateway's own 422 message next to
// the field it names.

import { useState, type FormEvent } from "react";
import { ApiError, errorMessage } from "../api";
import * as api from "../endpoints";
import { coordText, currentPosition } from "../geolocation";
import type { NewPublicReport, PublicReportReceipt } from "../types";
import { checkReport, type FieldErrors, type ReportDraft, type ReportField } from "../validation";
import { describedBy, Field } from "./Field";

const EMPTY: ReportDraft = { name: "", locality: "", remark: "", suspectedLeak: false, lat: "", lon: "" };
type ServerField = ReportField | "suspected_leak";
const FIELDS: ServerField[] = ["name", "locality", "remark", "lat", "lon", "suspected_leak"];

export function PublicReportForm() {
  const [draft, setDraft] = useState<ReportDraft>(EMPTY);
  const [errors, setErrors] = useState<FieldErrors<ServerField>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [receipt, setReceipt] = useState<PublicReportReceipt | null>(null);

  const set = <K extends keyof ReportDraft>(key: K, value: ReportDraft[K]) => setDraft((d) => ({ ...d, [key]: value }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    setReceipt(null);
    const found = checkReport(draft);
    setErrors(found);
    if (Object.keys(found).length) {
      setFormError("Please correct the marked fields.");
      return;
    }
    setFormError(null);
    setBusy(true);
    const body: NewPublicReport = {
      name: draft.name.trim(),
      locality: draft.locality.trim(),
      remark: draft.remark.trim(),
      suspected_leak: draft.suspectedLeak ?? false,
    };
    if (draft.lat.trim() && draft.lon.trim()) {
      body.lat = Number(draft.lat);
      body.lon = Number(draft.lon);
    }
    try {
      setReceipt(await api.submitPublicReport(body));
      setDraft(EMPTY);
    } catch (err) {
      if (err instanceof ApiError && err.status === 422) {
        const named = err.field;
        const field = FIELDS.find((f) => f === named);
        if (field) setErrors({ [field]: err.message });
        setFormError(err.message);
      } else if (err instanceof ApiError && err.status === 429) {
        setFormError(`Too many reports from this address. ${err.retryAfter ? `Try again in ${err.retryAfter} s.` : "Please try again later."}`);
      } else {
        setFormError(errorMessage(err));
      }
    } finally {
      setBusy(false);
    }
  }

  async function locate() {
    setFormError(null);
    try {
      const p = await currentPosition();
      setDraft((d) => ({ ...d, lat: coordText(p.lat), lon: coordText(p.lon) }));
    } catch (err) {
      setFormError(errorMessage(err));
    }
  }

  const remarkLength = Array.from(draft.remark.trim()).length;
  return (
    <section className="card" aria-labelledby="report-title">
      <h2 id="report-title">Report a problem</h2>
      <p className="muted">Seen water on the street, low pressure or discoloured water? Tell the utility.</p>
      {receipt && (
        <div className="banner banner-success" role="status" data-testid="report-success" data-report-id={receipt.report_id}>
          <div className="banner-text">
            <strong>Thank you — report {receipt.report_id} received.</strong> {receipt.message}
            {receipt.matched_events > 0 && ` It matches ${receipt.matched_events} problem${receipt.matched_events === 1 ? "" : "s"} we already know of.`}
          </div>
        </div>
      )}
      <form className="form-grid" onSubmit={submit} noValidate>
        <Field id="report-name" label="Your name" error={errors.name} errorTestId="report-name-error">
          <input id="report-name" data-testid="report-name" autoComplete="name" maxLength={200} value={draft.name} onChange={(e) => set("name", e.target.value)} {...describedBy("report-name", errors.name)} />
        </Field>
        <Field id="report-locality" label="Street or area" error={errors.locality} errorTestId="report-locality-error">
          <input
            id="report-locality"
            data-testid="report-locality"
            autoComplete="street-address"
            maxLength={300}
            value={draft.locality}
            onChange={(e) => set("locality", e.target.value)}
            {...describedBy("report-locality", errors.locality)}
          />
        </Field>
        <Field id="report-remark" label="What did you notice? (optional)" error={errors.remark} hint={`${remarkLength} / 1000 characters`} errorTestId="report-remark-error">
          <textarea
            id="report-remark"
            data-testid="report-remark"
            rows={4}
            value={draft.remark}
            onChange={(e) => set("remark", e.target.value)}
            {...describedBy("report-remark", errors.remark, "count")}
          />
        </Field>
        <fieldset className={errors.suspected_leak ? "field field-invalid" : "field"}>
          <legend>Do you think there is a leak?</legend>
          <label className="radio">
            <input type="radio" name="suspected-leak" data-testid="report-leak-yes" checked={draft.suspectedLeak === true} onChange={() => set("suspectedLeak", true)} />
            Yes
          </label>
          <label className="radio">
            <input type="radio" name="suspected-leak" data-testid="report-leak-no" checked={draft.suspectedLeak === false} onChange={() => set("suspectedLeak", false)} />
            No
          </label>
          {errors.suspected_leak && (
            <div className="field-error" role="alert">
              {errors.suspected_leak}
            </div>
          )}
        </fieldset>
        <div className="form-row">
          <Field id="report-lat" label="Latitude (optional)" error={errors.lat} errorTestId="report-lat-error">
            <input id="report-lat" data-testid="report-lat" inputMode="decimal" value={draft.lat} onChange={(e) => set("lat", e.target.value)} {...describedBy("report-lat", errors.lat)} />
          </Field>
          <Field id="report-lon" label="Longitude (optional)" error={errors.lon} errorTestId="report-lon-error">
            <input id="report-lon" data-testid="report-lon" inputMode="decimal" value={draft.lon} onChange={(e) => set("lon", e.target.value)} {...describedBy("report-lon", errors.lon)} />
          </Field>
          <button type="button" className="btn btn-small" onClick={locate} data-testid="report-locate">
            Use my location
          </button>
        </div>
        {formError && (
          <div className="banner banner-error" role="alert" data-testid="report-error">
            <div className="banner-text">{formError}</div>
          </div>
        )}
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" data-testid="report-submit" disabled={busy}>
            {busy ? "Sending…" : "Send report"}
          </button>
        </div>
      </form>
    </section>
  );
}
