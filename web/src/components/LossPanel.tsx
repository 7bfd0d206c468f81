// Water and money lost by a leak or burst, with the interval from the forecast band.

import { formatMoney, formatNumber, formatVolume } from "../format";
import type { WaterEvent } from "../types";

export function LossPanel({ event }: { event: WaterEvent }) {
  const loss = event.loss;
  return (
    <section className="card" data-testid="event-loss" aria-labelledby="loss-title">
      <h2 id="loss-title">Loss</h2>
      {!loss ? (
        <p className="empty">No loss estimate: only leaks and bursts lose water.</p>
      ) : (
        <dl className="facts">
          <div>
            <dt>Water lost</dt>
            <dd className="big" data-testid="event-loss-volume">
              {formatVolume(loss.volume_m3)}
            </dd>
            <dd className="muted">
              90 % interval {formatVolume(loss.low_m3)} – {formatVolume(loss.high_m3)}
            </dd>
          </div>
          <div>
            <dt>Revenue lost</dt>
            <dd className="big">{loss.tariff_per_m3 > 0 ? formatMoney(loss.revenue) : "—"}</dd>
            <dd className="muted">
              {loss.tariff_per_m3 > 0 ? `at ${formatMoney(loss.tariff_per_m3)} per m³` : "no tariff set (Administration → Settings)"}
            </dd>
          </div>
          <div>
            <dt>Losing now</dt>
            <dd className="big">{loss.current_flow_m3h > 0 ? `${formatNumber(loss.current_flow_m3h, 1)} m³/h` : "—"}</dd>
          </div>
        </dl>
      )}
    </section>
  );
}
