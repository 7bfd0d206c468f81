// Accounts (admin): list, add, disable / enable.

import { useState, type FormEvent } from "react";
import { ApiError, errorMessage } from "../api";
import * as api from "../endpoints";
import { formatDateTime } from "../format";
import { useAsync } from "../hooks/useAsync";
import { useSession } from "../session";
import type { Role, User } from "../types";
import { describedBy, Field } from "./Field";
import { Empty, ErrorBanner, Loading, Notice } from "./Status";

type UserField = "name" | "password" | "role";

export function UsersPanel() {
  const { user: me } = useSession();
  const users = useAsync((signal) => api.users(signal), []);
  const [busy, setBusy] = useState<string | null>(null);
  const [rowError, setRowError] = useState<string | null>(null);

  async function toggle(u: User) {
    setBusy(u.name);
    setRowError(null);
    try {
      const updated = await api.setUserDisabled(u.name, !u.disabled);
      users.setData((list) => list.map((x) => (x.name === updated.name ? updated : x)));
    } catch (err) {
      setRowError(errorMessage(err));
    } finally {
      setBusy(null);
    }
  }

  const { state } = users;
  return (
    <section className="card" aria-labelledby="users-title">
      <h2 id="users-title">Users</h2>
      {state.status === "loading" && <Loading what="Loading users…" />}
      {state.status === "error" && <ErrorBanner title="Could not load the users" error={state.error} onRetry={() => users.reload()} />}
      {rowError && <ErrorBanner error={new Error(rowError)} />}
      {state.status === "ok" && state.data.length === 0 && <Empty>No accounts.</Empty>}
      {state.status === "ok" && state.data.length > 0 && (
        <div className="table-wrap">
          <table className="table" data-testid="users-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Role</th>
                <th>State</th>
                <th>Created</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {state.data.map((u) => (
                <tr key={u.name} data-testid="user-row" data-user={u.name} data-disabled={u.disabled}>
                  <td>
                    {u.name} {u.name === me.name && <span className="muted">(you)</span>}
                  </td>
                  <td>
                    {u.role === "client" ? "staff" : "public"}
                    {u.admin && <span className="badge badge-quiet">admin</span>}
                  </td>
                  <td>{u.disabled ? <span className="badge badge-off">disabled</span> : "active"}</td>
                  <td>{formatDateTime(u.created_ms)}</td>
                  <td>
                    <button
                      type="button"
                      className="btn btn-small"
                      disabled={busy !== null || (u.name === me.name && !u.disabled)}
                      title={u.name === me.name ? "You cannot disable your own account" : undefined}
                      onClick={() => toggle(u)}
                      data-testid={u.disabled ? "user-enable" : "user-disable"}
                    >
                      {busy === u.name ? "Saving…" : u.disabled ? "Enable" : "Disable"}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <AddUserForm onAdded={(u) => users.setData((list) => [...list.filter((x) => x.name !== u.name), u])} />
    </section>
  );
}

function AddUserForm({ onAdded }: { onAdded: (user: User) => void }) {
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [role, setRole] = useState<Role>("client");
  const [admin, setAdmin] = useState(false);
  const [errors, setErrors] = useState<Partial<Record<UserField, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  function check(): Partial<Record<UserField, string>> {
    const found: Partial<Record<UserField, string>> = {};
    if (!/^[a-z0-9._@-]{3,64}$/.test(name)) found.name = "3–64 characters of a–z, 0–9, . _ @ -";
    const bytes = new TextEncoder().encode(password).length;
    if (bytes < 10 || bytes > 72) found.password = "10–72 bytes";
    return found;
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    setDone(null);
    setFormError(null);
    const found = check();
    setErrors(found);
    if (Object.keys(found).length) return;
    setBusy(true);
    try {
      const user = await api.addUser({ name, password, role, admin: role === "client" && admin });
      onAdded(user);
      setDone(`Account ${user.name} created.`);
      setName("");
      setPassword("");
      setAdmin(false);
    } catch (err) {
      if (err instanceof ApiError && (err.field === "name" || err.field === "password" || err.field === "role")) {
        setErrors({ [err.field]: err.message });
      } else {
        setFormError(errorMessage(err));
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="form-grid add-user" onSubmit={submit} noValidate>
      <h3>Add an account</h3>
      <Field id="user-name" label="Name" error={errors.name}>
        <input id="user-name" data-testid="user-name" autoCapitalize="none" value={name} onChange={(e) => setName(e.target.value)} {...describedBy("user-name", errors.name)} />
      </Field>
      <Field id="user-password" label="Password" error={errors.password} hint="at least 10 characters">
        <input
          id="user-password"
          data-testid="user-password"
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          {...describedBy("user-password", errors.password, "hint")}
        />
      </Field>
      <Field id="user-role" label="Role" error={errors.role}>
        <select id="user-role" data-testid="user-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
          <option value="client">Staff (client)</option>
          <option value="public">Public</option>
        </select>
      </Field>
      <label className="checkbox">
        <input type="checkbox" data-testid="user-admin" checked={admin} disabled={role !== "client"} onChange={(e) => setAdmin(e.target.checked)} />
        Administrator
      </label>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" data-testid="user-add" disabled={busy}>
          {busy ? "Adding…" : "Add account"}
        </button>
      </div>
      {formError && <ErrorBanner error={new Error(formError)} />}
      {done && <Notice kind="success">{done}</Notice>}
    </form>
  );
}
