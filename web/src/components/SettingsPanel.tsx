// The tariff that prices losses (and its currency): read by every client, set by
// administrators. Open events are priced with a new tariff from their next update.

import { useEffect, useState } from "react";
import { ApiError } from "../api";
import * as api from "../endpoints";
import { formatDateTime } from "../format";
import { useAsync } from "../hooks/useAsync";
import { describedBy, Field } from "./Field";
import { ErrorBanner, Loading, Notice } from "./Status";

export function SettingsPanel() {
  const current = useAsync((signal) => api.settings(signal), []);
  const [tariff, setTariff] = useState("");
  const [currency, setCurrency] = useState("");
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const [fieldError, setFieldError] = useState<{ field: string; message: string } | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    if (current.state.status === "ok") {
      setTariff(String(current.state.data.tariff_per_m3));
      setCurrency(current.state.data.currency);
    }
  }, [current.state]);

  async function save() {
    setBusy(true);
    setSaved(false);
    setError(null);
    setFieldError(null);
    const value = Number(tariff.replace(",", "."));
    if (tariff.trim() === "" || !Number.isFinite(value) || value < 0) {
      setFieldError({ field: "tariff_per_m3", message: "Enter a price per cubic metre of 0 or more." });
      setBusy(false);
      return;
    }
    try {
      const updated = await api.updateSettings({ tariff_per_m3: value, currency: currency.trim().toUpperCase() });
      current.setData(() => updated);
      setSaved(true);
    } catch (err) {
      if (err instanceof ApiError && err.status === 422 && err.field) setFieldError({ field: err.field, message: err.message });
      else setError(err);
    } finally {
      setBusy(false);
    }
  }

  const errorFor = (field: string) => (fieldError?.field === field ? fieldError.message : undefined);
  return (
    <section className="card" aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      {current.state.status === "loading" && <Loading what="Loading settings…" />}
      {current.state.status === "error" && <ErrorBanner title="Could not load the settings" error={current.state.error} onRetry={() => current.reload()} />}
      {current.state.status === "ok" && (
        <>
          <p className="muted" data-testid="setting-tariff">
            Water lost is priced at the tariff: {current.state.data.tariff_per_m3 > 0 ? `${current.state.data.tariff_per_m3} ${current.state.data.currency || ""} per m³` : "not set (revenue is left out)"}
            {current.state.data.updated_by && ` — set by ${current.state.data.updated_by}, ${formatDateTime(current.state.data.updated_ms)}`}.
          </p>
          <div className="form-row form-row-2">
            <Field id="settings-tariff" label="Tariff per m³" error={errorFor("tariff_per_m3")} hint="open events use it from their next update">
              <input id="settings-tariff" data-testid="settings-tariff" inputMode="decimal" value={tariff} onChange={(e) => setTariff(e.target.value)} {...describedBy("settings-tariff", errorFor("tariff_per_m3"), "hint")} />
            </Field>
            <Field id="settings-currency" label="Currency (optional)" error={errorFor("currency")} hint="ISO code, e.g. EUR">
              <input id="settings-currency" data-testid="settings-currency" maxLength={3} value={currency} onChange={(e) => setCurrency(e.target.value)} {...describedBy("settings-currency", errorFor("currency"), "hint")} />
            </Field>
          </div>
          <div className="form-actions">
            <button type="button" className="btn btn-primary" disabled={busy} onClick={save} data-testid="settings-save">
              {busy ? "Saving…" : "Save"}
            </button>
          </div>
          {saved && <Notice kind="success" testId="settings-saved">Saved.</Notice>}
          {error !== null && <ErrorBanner title="Could not save" error={error} />}
        </>
      )}
    </section>
  );
}
