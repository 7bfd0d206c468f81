// The model registry and training runs: train now, promote a candidate or archived model,
// roll back. Runs are polled every few seconds while one is queued or running.

import { useState } from "react";
import { ApiError } from "../api";
import * as api from "../endpoints";
import { ErrorBanner, Loading, Notice, Empty } from "../components/Status";
import { RunsTable } from "../components/RunsTable";
import { formatDateTime, formatNumber, formatPercent } from "../format";
import { useAsync } from "../hooks/useAsync";
import { useInterval } from "../hooks/useInterval";
import type { RegisteredModel } from "../types";

const POLL_MS = 3000;
const QUEUE_GRACE_MS = 60_000;

type Message = { kind: "success" | "warning"; text: string } | null;

export function ModelsPage() {
  const registry = useAsync(async (signal) => {
    const [models, runs] = await Promise.all([api.models(signal), api.trainingRuns(signal)]);
    return { models, runs };
  }, []);
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<Message>(null);
  const [error, setError] = useState<unknown>(null);
  const [queuedAt, setQueuedAt] = useState(0);

  const data = registry.state.data;
  const running = data?.runs.some((r) => r.status === "running") ?? false;
  const waitingForQueue = queuedAt > 0 && Date.now() - queuedAt < QUEUE_GRACE_MS && !running;
  useInterval(() => registry.reload(true), running || waitingForQueue ? POLL_MS : null);

  async function act(key: string, call: () => Promise<string>) {
    setBusy(key);
    setMessage(null);
    setError(null);
    try {
      setMessage({ kind: "success", text: await call() });
      registry.reload(true);
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) setMessage({ kind: "warning", text: err.message });
      else setError(err);
    } finally {
      setBusy(null);
    }
  }

  const train = () =>
    act("train", async () => {
      const reply = await api.train();
      setQueuedAt(Date.now());
      return reply.message || "Training run queued.";
    });
  const promote = (m: RegisteredModel) =>
    act(`promote:${m.version}`, async () => `${(await api.promote(m.version)).version} is now in production.`);
  const rollback = () => act("rollback", async () => `Rolled back: ${(await api.rollback()).version} is in production again.`);

  const { state } = registry;
  return (
    <div>
      <div className="page-head">
        <h1>Models</h1>
        <div className="button-row">
          <button type="button" className="btn btn-primary" data-testid="train-now" disabled={busy !== null || running} onClick={train}>
            {busy === "train" ? "Queuing…" : running ? "Training…" : "Train now"}
          </button>
          <button type="button" className="btn" data-testid="rollback" disabled={busy !== null} onClick={rollback}>
            {busy === "rollback" ? "Rolling back…" : "Roll back"}
          </button>
        </div>
      </div>
      {message && <Notice kind={message.kind} testId="models-message">{message.text}</Notice>}
      {error !== null && <ErrorBanner title="The action failed" error={error} />}
      {state.status === "loading" && <Loading what="Loading models…" />}
      {state.status === "error" && <ErrorBanner title="Could not load the model registry" error={state.error} onRetry={() => registry.reload()} />}
      {data && (
        <>
          <section className="card" aria-labelledby="runs-title">
            <div className="card-head">
              <h2 id="runs-title">Training runs</h2>
              {(running || waitingForQueue) && <span className="muted">updating every {POLL_MS / 1000} s</span>}
            </div>
            {data.runs.length === 0 ? <Empty>No training runs yet.</Empty> : <RunsTable runs={data.runs} />}
          </section>
          <section className="card" aria-labelledby="registry-title">
            <h2 id="registry-title">Registry</h2>
            {data.models.length === 0 ? (
              <Empty>No trained models yet: the seasonal profile scores until a DeepAR model is promoted.</Empty>
            ) : (
              <div className="table-wrap">
                <table className="table" data-testid="models-table">
                  <thead>
                    <tr>
                      <th>Version</th>
                      <th>Kind</th>
                      <th>Status</th>
                      <th className="num">Scaled CRPS</th>
                      <th className="num">MASE</th>
                      <th className="num">90 % coverage</th>
                      <th>Created</th>
                      <th>Notes</th>
                      <th />
                    </tr>
                  </thead>
                  <tbody>
                    {data.models.map((m) => (
                      <tr key={m.version} data-testid="model-row" data-version={m.version} data-status={m.status}>
                        <td className="mono">{m.version}</td>
                        <td>{m.kind || "—"}</td>
                        <td>
                          <span className={`badge model-${m.status ?? "unknown"}`}>{m.status ?? "—"}</span>
                        </td>
                        <td className="num">{formatNumber(m.metrics?.scaled_crps, 3)}</td>
                        <td className="num">{formatNumber(m.metrics?.mase, 2)}</td>
                        <td className="num">{formatPercent(m.metrics?.coverage90)}</td>
                        <td>{formatDateTime(m.created_ms)}</td>
                        <td className="notes">
                          {m.reason}
                          {m.compared_with && <span className="muted"> (vs {m.compared_with})</span>}
                          {m.promoted_ms ? <span className="muted"> · promoted {formatDateTime(m.promoted_ms)}</span> : null}
                        </td>
                        <td>
                          {m.status !== "production" && (
                            <button
                              type="button"
                              className="btn btn-small"
                              data-testid="promote"
                              disabled={busy !== null}
                              onClick={() => promote(m)}
                            >
                              {busy === `promote:${m.version}` ? "Promoting…" : "Promote"}
                            </button>
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        </>
      )}
    </div>
  );
}

