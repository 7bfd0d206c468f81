// Health of the four services, from GET /api/v1/health and then the stream's `health`
// messages (every 10 s).

import { useEffect, useState } from "react";
import * as api from "../endpoints";
import { useStreamMessage } from "../hooks/useStream";
import type { Health } from "../types";

export function HealthBadge() {
  const [health, setHealth] = useState<Health | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    api.health(controller.signal).then(setHealth, () => undefined);
    return () => controller.abort();
  }, []);
  useStreamMessage("health", setHealth);

  if (!health) return null;
  const down = health.services.filter((s) => s.status !== "SERVING");
  const text = down.length === 0 ? "services ok" : `degraded: ${down.map((s) => `${s.service} ${s.status.toLowerCase()}`).join(", ")}`;
  return (
    <span className={down.length ? "health health-bad" : "health health-ok"} data-testid="health-status" title={health.services.map((s) => `${s.service}: ${s.status}`).join("\n")}>
      {text}
    </span>
  );
}
