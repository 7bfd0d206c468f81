// The live stream's state: "live", "reconnecting", "connecting" or "offline".

import { useStreamStatus } from "../hooks/useStream";

const TEXT = { live: "live", reconnecting: "reconnecting", connecting: "connecting", off: "offline" } as const;

export function LiveStatus() {
  const status = useStreamStatus();
  return (
    <span className={`live-status live-${status}`} data-testid="live-status" data-status={status} title="Live updates from the server" aria-live="polite">
      <span className="live-dot" aria-hidden="true" />
      {TEXT[status]}
    </span>
  );
}
