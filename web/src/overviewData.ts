// What the overview needs in one load: sensors, the events of the current month plus every
// open or acknowledged one, and the model registry (optional: its failure only blanks the
// model figure).

import { dataClock } from "./clock";
import * as api from "./endpoints";
import { byNewestStart } from "./events";
import { monthOf } from "./kpis";
import type { RegisteredModel, Sensor, WaterEvent } from "./types";

export interface OverviewData {
  sensors: Sensor[];
  events: WaterEvent[];
  models: RegisteredModel[] | null;
  modelsError: unknown;
}

const LIMIT = 1000;

export async function loadOverview(signal: AbortSignal): Promise<OverviewData> {
  const modelsCall = api.models(signal).then(
    (models) => ({ models, error: null as unknown }),
    (error: unknown) => ({ models: null, error }),
  );
  const [sensors, recent, open, acknowledged] = await Promise.all([
    api.sensors(signal),
    api.events({ limit: LIMIT }, signal),
    api.events({ status: "open", limit: LIMIT }, signal),
    api.events({ status: "acknowledged", limit: LIMIT }, signal),
  ]);
  const all = new Map<string, WaterEvent>();
  for (const e of [...recent, ...open, ...acknowledged]) all.set(e.event_id, e);

  // The newest 1000 may not reach back to the start of the month: fetch the month itself.
  const month = monthOf(dataClock(all.values()).now);
  const oldest = recent.length ? recent[recent.length - 1].start_ms : 0;
  if (recent.length === LIMIT && oldest > month.from) {
    const inMonth = await api.events({ from: month.from, to: month.to, limit: LIMIT }, signal);
    for (const e of inMonth) all.set(e.event_id, e);
  }
  const { models, error } = await modelsCall;
  return { sensors, events: Array.from(all.values()).sort(byNewestStart), models, modelsError: error };
}
