// Administration: accounts, sensor import, settings.

import { SensorImport } from "../components/SensorImport";
import { SettingsPanel } from "../components/SettingsPanel";
import { UsersPanel } from "../components/UsersPanel";

export function AdminPage() {
  return (
    <div>
      <div className="page-head">
        <h1>Administration</h1>
      </div>
      <UsersPanel />
      <SensorImport />
      <SettingsPanel />
    </div>
  );
}
