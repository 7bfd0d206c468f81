// Register sensors from a sensors.csv (admin): paste it or pick the file.

import { useState, type ChangeEvent } from "react";
import * as api from "../endpoints";
import type { SensorImportResult } from "../types";
import { describedBy, Field } from "./Field";
import { ErrorBanner, Notice } from "./Status";

const HEADER = "sensor_id,kind,unit,zone,node_id,lat,lon,min,max";

export function SensorImport() {
  const [csv, setCsv] = useState("");
  const [cadence, setCadence] = useState("60");
  const [inlets, setInlets] = useState("");
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<SensorImportResult | null>(null);
  const [error, setError] = useState<unknown>(null);

  async function pickFile(e: ChangeEvent<HTMLInputElement>) {
    const file = e.target.files?.[0];
    if (file) setCsv(await file.text());
  }

  async function submit() {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const seconds = Number(cadence);
      const inletIds = inlets
        .split(/[\s,]+/)
        .map((id) => id.trim())
        .filter(Boolean);
      setResult(await api.importSensors(csv, { cadenceMs: Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined, inlets: inletIds }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const rows = csv.trim() ? csv.trim().split(/\r?\n/).length - 1 : 0;
  return (
    <section className="card" aria-labelledby="import-title">
      <h2 id="import-title">Import sensors</h2>
      <p className="muted">
        A sensors.csv with the columns <code>{HEADER}</code>.
      </p>
      <label className="file-pick">
        Choose a file <input type="file" accept=".csv,text/csv" onChange={pickFile} data-testid="import-file" />
      </label>
      <label htmlFor="import-csv" className="sr-only">
        CSV text
      </label>
      <textarea
        id="import-csv"
        data-testid="import-csv"
        rows={8}
        className="mono"
        placeholder={`${HEADER}\nnorth-p1,pressure,bar,north,J-N1,52.02356,4.355708,0,10`}
        value={csv}
        onChange={(e) => setCsv(e.target.value)}
        spellCheck={false}
      />
      <div className="form-row form-row-2">
        <Field id="import-cadence" label="Reading interval (s)" hint="how often each sensor reports">
          <input id="import-cadence" data-testid="import-cadence" inputMode="numeric" value={cadence} onChange={(e) => setCadence(e.target.value)} {...describedBy("import-cadence", undefined, "hint")} />
        </Field>
        <Field id="import-inlets" label="Zone inlet flow sensors (optional)" hint="ids, separated by commas">
          <input id="import-inlets" data-testid="import-inlets" value={inlets} onChange={(e) => setInlets(e.target.value)} placeholder="north-flow-in, east-flow-in" {...describedBy("import-inlets", undefined, "hint")} />
        </Field>
      </div>
      <div className="form-actions">
        <button type="button" className="btn btn-primary" disabled={busy || !csv.trim()} onClick={submit} data-testid="import-submit">
          {busy ? "Importing…" : `Import${rows > 0 ? ` ${rows} row${rows === 1 ? "" : "s"}` : ""}`}
        </button>
      </div>
      {error !== null && <ErrorBanner title="Import failed" error={error} />}
      {result && (
        <div data-testid="import-result">
          <Notice kind={result.rejected.length ? "warning" : "success"}>
            Registered {result.registered} sensor{result.registered === 1 ? "" : "s"}
            {result.rejected.length ? `; rejected ${result.rejected.length}.` : "."}
          </Notice>
          {result.rejected.length > 0 && (
            <div className="table-wrap">
              <table className="table" data-testid="import-rejected">
                <thead>
                  <tr>
                    <th>Sensor</th>
                    <th>Reason</th>
                  </tr>
                </thead>
                <tbody>
                  {result.rejected.map((r, i) => (
                    <tr key={`${r.sensor_id}-${i}`}>
                      <td>{r.sensor_id || "(no id)"}</td>
                      <td>{r.reason}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      )}
    </section>
  );
}
