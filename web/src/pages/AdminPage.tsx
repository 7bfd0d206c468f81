// Administration: accounts, sensor import, settings.

import { SensorImport } from "../components/SensorImport";
import { UsersPanel } from "../components/UsersPanel";

export function AdminPage() {
  return (
    <div>
      <div className="page-head">
        <h1>Administration</h1>
      </div>
      <UsersPanel />
      <SensorImport />
      <section className="card" aria-labelledby="settings-title">
        <h2 id="settings-title">Settings</h2>
        <dl className="facts facts-list">
          <div>
            <dt>Water tariff</dt>
            <dd data-testid="setting-tariff">
              Set with <code>WATERLINE_TARIFF_PER_M3</code> on the insight service (price of a cubic metre; 0 leaves revenue out). It cannot be changed from here
              yet.
            </dd>
          </div>
        </dl>
      </section>
    </div>
  );
}
