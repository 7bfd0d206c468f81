// Where the leak most likely is: ranked candidates (node, pipe or sensor) and the note on
// how they were found; the schematic draws them too.

import { formatNumber } from "../format";
import { hasPosition } from "../geo";
import { sensorStates } from "../sensorState";
import type { Sensor, WaterEvent } from "../types";
import { NetworkMap } from "./NetworkMap";
import { Empty } from "./Status";

const NO_LIVE: ReadonlyMap<string, number> = new Map();

export function CandidatesPanel({ event, sensors }: { event: WaterEvent; sensors: Sensor[] | null }) {
  const states = sensorStates([event], NO_LIVE, event.last_evidence_ms);
  const emphasis = new Set(event.evidence.map((e) => e.sensor_id));
  return (
    <section className="card" data-testid="event-candidates" aria-labelledby="candidates-title">
      <h2 id="candidates-title">Location</h2>
      {event.location_note && <p className="muted">{event.location_note}</p>}
      {event.candidates.length === 0 ? (
        <Empty>No location candidates for this event.</Empty>
      ) : (
        <ol className="candidates">
          {event.candidates.map((c, i) => (
            <li key={`${c.node_id}-${c.link_id}-${c.sensor_id}-${i}`} data-testid="candidate-row">
              <strong>#{i + 1}</strong> {describe(c)}
              <span className="muted">
                {" "}
                score {formatNumber(c.score, 2)}
                {hasPosition(c) && ` · ${c.lat.toFixed(5)}, ${c.lon.toFixed(5)}`}
              </span>
            </li>
          ))}
        </ol>
      )}
      {sensors && sensors.length > 0 && (
        <NetworkMap sensors={sensors} states={states} candidates={event.candidates} emphasis={emphasis} focusZone={event.zone || undefined} title="Event location on the schematic" />
      )}
    </section>
  );
}

function describe(c: WaterEvent["candidates"][number]): string {
  const parts: string[] = [];
  if (c.node_id) parts.push(`node ${c.node_id}`);
  if (c.link_id) parts.push(`pipe ${c.link_id}`);
  if (c.sensor_id) parts.push(`near sensor ${c.sensor_id}`);
  return parts.join(", ") || "unnamed place";
}
