#!/usr/bin/env python3
"""Rebuild one LeakDB scenario offline and write it as a Waterline scenario folder.

LeakDB (Vrachimis et al., 2018) is a leakage benchmark: 1000 scenarios on EPANET's Net1 and
1000 on Hanoi, each one year at 30-minute steps with 0-2 leaks, random demands and pipe
uncertainty. The PyPI package `epyt-flow` rebuilds any scenario (its LeakDB module
`epyt_flow.data.benchmarks.leakdb`: `load_scenarios` gives the scenario configuration with
the leaks, which ship with the package) and `ScenarioSimulator` simulates it. Its loaders
download the network and the demand-pattern files first; this script copies them from
`--data` (see ../shared/data/leakdb) into a temporary folder so nothing is downloaded.

Usage:

    python scripts/leakdb-scenario.py --network Net1 --scenario 930 --days 28 --out DIR \
        [--data ../shared/data/leakdb] [--start 2026-01-05T00:00:00Z] [--seed N]

Only the first --days days are simulated: EPANET runs forward in time, so they are the same
as the first days of the year-long run. The demands and model uncertainties are random;
numpy's generator is seeded with --seed (default: the scenario number), so a run is
reproducible, but the values differ from the published LeakDB data set (the leaks -- node,
size, start, end, profile -- are LeakDB's).

The folder written (Waterline's scenario-folder format, see Sources/Simulation/ScenarioFolder.swift):

- scenario.json  {"name", "description", "start_ms", "step_ms", "tariff_per_m3", "zones", "network"}
                 ("network": "network.inp", the EPANET file copied into the folder, for
                 localisation; its junction ids are the sensors' node_id)
                 One zone (the whole network); its inlet sensors are the flow sensors on the
                 links from a reservoir or tank into the network, so their sum is the
                 network's net supply (demand + leaks). A tank's link is negative while the
                 tank fills.
- sensors.csv    sensor_id,kind,unit,zone,node_id,lat,lon,min,max -- what LeakDB measures:
                 pressure at every junction (`<zone>-p-<node>`, m), the level of every tank
                 (`<zone>-l-<tank>`, m) and the flow in every link (`<zone>-f-<link>`, m3/h,
                 signed: positive from the link's first to its second node). lat/lon are the
                 EPANET coordinates mapped linearly into a small area around 47.0 N, 8.0 E
                 (links at the middle of their two nodes); min/max are the observed range
                 widened by half of it on each side, not below 0 unless the data really is
                 (a stopped pump's pipe reading -0.0002 m3/h of solver noise gets min -0.01).
- readings.csv   sensor_id,ts_ms,value -- one row per sensor per 30-minute step, by time then
                 sensor id, values rounded to 4 decimals.
- labels.json    the leaks active in the window, [start_ms, end_ms) as in LeakDB's labels
                 (a leak still running at the window's end is cut there), with the leak node
                 (LeakDB's leaks are emitters at nodes, so pipe_id is null), the peak leak
                 (emitter) flow inside the window in m3/h and the volume it lost over the
                 labelled steps (leak_volume_m3: each step's emitter flow x 30 minutes). epyt-flow keeps a leak's emitter
                 on for one step past LeakDB's end (its event is switched off after end_time).

Units. epyt-flow's LeakDB sets EPANET's flow units to m3/h (CMH) but leaves the pressure
units of the .inp: Net1.inp is a US-unit file, so pressures come back in psi. Converted here:
- flow: to m3/h from whatever EPANET reports (CMH for LeakDB: factor 1);
- pressure: to metres of water head with EPANET's own factors (psi: x 0.3048 / 0.4333);
- tank level: EPANET's "pressure" at a tank is its water level (head - elevation), in the
  pressure unit, converted the same way.
Waterline takes pressure in `m` and converts it to bar itself.

bench/scenarios/leakdb.py imports this file (parse_args, build_scenario) to write a fixed
sample of full-year scenarios.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import NoReturn

STEP_S = 1800  # LeakDB's hydraulic and reporting time step: 30 minutes
TARIFF_PER_M3 = 1.5
CENTRE_LAT, CENTRE_LON = 47.0, 8.0
AREA_SPAN_DEG = 0.02  # the network's larger side spans about 2 km on the map

# What each network needs in --data, and the file name epyt-flow's loader looks for.
NETWORKS = {
    "net1": {"name": "Net1", "use_net1": True, "inp": ("Net1.inp", "Net1.inp")},
    "hanoi": {"name": "Hanoi", "use_net1": False, "inp": ("Hanoi_CMH.inp", "Hanoi.inp")},
}
PATTERN_FILES = ["weekPat_30min.mat", "yearOffset_30min.mat"]

# EPANET's unit constants (src/types.h), so conversions invert EPANET's exactly.
M_PER_FT = 0.3048
PSI_PER_FT = 0.4333
KPA_PER_PSI = 6.895
BAR_PER_PSI = 0.068948


def log(message: str) -> None:
    print(f"leakdb-scenario: {message}", file=sys.stderr, flush=True)


class ScenarioError(Exception):
    """A scenario cannot be built (missing data file, missing package, unexpected result)."""


def fail(message: str) -> NoReturn:
    raise ScenarioError(message)


# MARK: - Command line and inputs


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Rebuild one LeakDB scenario with epyt-flow and write a Waterline scenario folder.")
    parser.add_argument("--network", default="Net1", help="Net1 or Hanoi (default Net1)")
    parser.add_argument("--scenario", type=int, required=True, help="LeakDB scenario number, 1-1000")
    parser.add_argument("--days", type=int, default=28, help="days kept from the start of the year (default 28)")
    parser.add_argument("--out", required=True, help="scenario folder to write")
    parser.add_argument("--data", default=default_data_dir(),
                        help="folder with the LeakDB network and pattern files (default ../shared/data/leakdb)")
    parser.add_argument("--start", default="2026-01-05T00:00:00Z",
                        help="timestamp of the first step, ISO 8601 (default 2026-01-05T00:00:00Z)")
    parser.add_argument("--seed", type=int, default=None,
                        help="seed for the random demands and uncertainties (default: the scenario number)")
    args = parser.parse_args(argv)
    if args.network.lower() not in NETWORKS:
        parser.error(f"--network must be one of {', '.join(n['name'] for n in NETWORKS.values())}")
    if not 1 <= args.scenario <= 1000:
        parser.error("--scenario must be between 1 and 1000")
    if not 1 <= args.days <= 365:
        parser.error("--days must be between 1 and 365")
    try:
        start = datetime.fromisoformat(args.start.replace("Z", "+00:00"))
    except ValueError:
        parser.error(f"--start is not an ISO 8601 timestamp: {args.start}")
    if start.tzinfo is None:
        start = start.replace(tzinfo=timezone.utc)
    args.start_ms = int(round(start.timestamp() * 1000))
    if args.seed is None:
        args.seed = args.scenario
    return args


def default_data_dir() -> str:
    """../shared/data/leakdb next to the repository, where the workplace keeps it."""
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return os.path.normpath(os.path.join(repo, "..", "shared", "data", "leakdb"))


def stage_data_files(data_dir: str, network: dict, into: str) -> None:
    """Copies the files epyt-flow would download into `into`, failing on a missing one."""
    source_inp, loader_inp = network["inp"]
    wanted = [(source_inp, loader_inp)] + [(f, f) for f in PATTERN_FILES]
    for source, _ in wanted:
        path = os.path.join(data_dir, source)
        if not os.path.isfile(path):
            fail(f"missing data file {path} (the {network['name']} LeakDB scenarios need "
                 f"{', '.join(s for s, _ in wanted)} in --data)")
    for source, target in wanted:
        shutil.copyfile(os.path.join(data_dir, source), os.path.join(into, target))


# MARK: - Simulation


@dataclass
class Leak:
    node_id: str
    kind: str  # abrupt or incipient
    diameter_m: float
    start_s: int
    end_s: int
    peak_flow_m3h: float | None = None
    volume_m3: float | None = None


@dataclass
class Simulation:
    times_s: list[int]
    flow_units: str
    pressure_units: str
    junctions: list[str]
    tanks: list[str]
    reservoirs: list[str]
    links: list[str]
    link_nodes: dict[str, tuple[str, str]]
    coords: dict[str, tuple[float, float]]
    pressure_m: dict[str, list[float]]  # every node, metres of head
    flow_m3h: dict[str, list[float]]  # every link, m3/h
    leaks: list[Leak] = field(default_factory=list)
    build_s: float = 0.0  # seconds building the scenario (demand patterns, .inp, uncertainties)
    simulate_s: float = 0.0  # seconds spent in EPANET


def import_epyt_flow():
    try:
        import numpy as np
        import epyt_flow
        from epanet_plus import EpanetConstants
        from epyt_flow.data.benchmarks.leakdb import load_scenarios
        from epyt_flow.simulation import ScenarioSimulator
        from epyt_flow.simulation.events import AbruptLeakage
        from epyt_flow.simulation.scada.custom_control import CustomControlModule
    except ImportError as error:
        fail(f"{error}; install the pinned packages: pip install -r scripts/requirements-leakdb.txt "
             "(or run `make leakdb-scenario`)")
    return np, epyt_flow, EpanetConstants, load_scenarios, ScenarioSimulator, AbruptLeakage, CustomControlModule


def flow_factors(C) -> dict[int, tuple[str, float]]:
    """EPANET flow unit -> (name, factor to m3/h)."""
    gallon_m3 = 0.003785411784
    return {
        C.EN_CFS: ("cfs", 0.028316846592 * 3600),
        C.EN_GPM: ("gpm", gallon_m3 * 60),
        C.EN_MGD: ("mgd", 1e6 * gallon_m3 / 24),
        C.EN_IMGD: ("imgd", 1e6 * 0.00454609 / 24),
        C.EN_AFD: ("afd", 1233.48183754752 / 24),
        C.EN_LPS: ("l/s", 3.6),
        C.EN_LPM: ("l/min", 0.06),
        C.EN_MLD: ("ml/d", 1000 / 24),
        C.EN_CMH: ("m3/h", 1.0),
        C.EN_CMD: ("m3/d", 1 / 24),
        C.EN_CMS: ("m3/s", 3600.0),
    }


def pressure_factors(C) -> dict[int, tuple[str, float]]:
    """EPANET pressure unit -> (name, factor to metres of head), the inverse of EPANET's."""
    return {
        C.EN_PSI: ("psi", M_PER_FT / PSI_PER_FT),
        C.EN_KPA: ("kPa", M_PER_FT / (PSI_PER_FT * KPA_PER_PSI)),
        C.EN_METERS: ("m", 1.0),
        C.EN_BAR: ("bar", M_PER_FT / (PSI_PER_FT * BAR_PER_PSI)),
        C.EN_FEET: ("ft", M_PER_FT),
    }


def simulate(network: dict, scenario: int, days: int, seed: int, download_dir: str) -> Simulation:
    """Builds the LeakDB scenario with epyt-flow and simulates its first `days` days."""
    np, epyt_flow, C, load_scenarios, ScenarioSimulator, AbruptLeakage, CustomControlModule = import_epyt_flow()
    log(f"epyt-flow {epyt_flow.VERSION}: building LeakDB {network['name']} scenario {scenario} "
        f"(random demands, seed {seed})")
    np.random.seed(seed)
    build_started = time.monotonic()
    config, = load_scenarios([scenario], use_net1=network["use_net1"], download_dir=download_dir, verbose=False)

    leaks = [Leak(node_id=e.node_id, kind="abrupt" if isinstance(e, AbruptLeakage) else "incipient",
                  diameter_m=float(e.diameter), start_s=int(e.start_time), end_s=int(e.end_time))
             for e in config.system_events]
    leak_nodes = sorted({leak.node_id for leak in leaks})

    class EmitterProbe(CustomControlModule):
        """Records EPANET's emitter (leak) flow at the leak nodes at every reporting step."""

        def __init__(self):
            super().__init__()
            self.flows: dict[int, list[float]] = {}

        def step(self, scada_data) -> None:
            t = int(scada_data.sensor_readings_time[0])
            if t % STEP_S == 0:
                api = self._epanet_api
                self.flows[t] = [api.getnodevalue(api.get_node_idx(n), C.EN_EMITTERFLOW) for n in leak_nodes]

    with ScenarioSimulator(scenario_config=config) as sim:
        sim.set_general_parameters(simulation_duration=days * 86400)
        api = sim.epanet_api
        flow_units, to_m3h = flow_factors(C)[sim.get_flow_units()]
        pressure_units, to_m = pressure_factors(C)[sim.get_pressure_units()]
        probe = EmitterProbe()
        sim.add_custom_control(probe)
        log(f"simulating {days} days at 30-minute steps ({len(leaks)} leak(s) in the year)")
        started = time.monotonic()
        scada = sim.run_simulation(float_type=np.float64)
        simulate_s = time.monotonic() - started
        log(f"simulated in {simulate_s:.1f} s")

        nodes = api.get_all_nodes_id()
        tanks = api.get_all_tanks_id()
        reservoirs = api.get_all_reservoirs_id()
        junctions = [n for n in nodes if n not in tanks and n not in reservoirs]
        links = api.get_all_links_id()
        link_nodes = dict(zip(links, (tuple(pair) for pair in api.get_all_links_connecting_nodes_id())))
        coords = {n: tuple(float(v) for v in api.getcoord(api.get_node_idx(n))) for n in nodes}

    times = [int(t) for t in scada.sensor_readings_time]
    keep = [i for i, t in enumerate(times) if t < days * 86400]
    pressures = scada.get_data_pressures(sensor_locations=nodes)
    flows = scada.get_data_flows(sensor_locations=links)
    pressure_m = {n: [float(pressures[i, j]) * to_m for i in keep] for j, n in enumerate(nodes)}
    flow_m3h = {link: [float(flows[i, j]) * to_m3h for i in keep] for j, link in enumerate(links)}

    window_end_s = days * 86400
    for leak in leaks:
        column = leak_nodes.index(leak.node_id)
        inside = [probe.flows[t][column] * to_m3h for t in probe.flows
                  if leak.start_s <= t < min(leak.end_s, window_end_s)]
        leak.peak_flow_m3h = max(inside) if inside else None
        leak.volume_m3 = sum(inside) * STEP_S / 3600 if inside else None

    return Simulation(
        times_s=[times[i] for i in keep], flow_units=flow_units, pressure_units=pressure_units,
        junctions=junctions, tanks=tanks, reservoirs=reservoirs, links=links,
        link_nodes=link_nodes, coords=coords, pressure_m=pressure_m, flow_m3h=flow_m3h, leaks=leaks,
        build_s=started - build_started, simulate_s=simulate_s)


# MARK: - Scenario folder


@dataclass
class Sensor:
    sensor_id: str
    kind: str
    unit: str
    node_id: str
    lat: float
    lon: float
    values: list[float]
    min: float = 0.0
    max: float = 0.0


def map_coordinates(coords: dict[str, tuple[float, float]]):
    """A linear map of EPANET x/y onto lat/lon around (47.0, 8.0), keeping the aspect."""
    xs = [x for x, _ in coords.values()]
    ys = [y for _, y in coords.values()]
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    extent = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    deg_per_unit = AREA_SPAN_DEG / extent
    lon_stretch = 1 / math.cos(math.radians(CENTRE_LAT))

    def to_lat_lon(x: float, y: float) -> tuple[float, float]:
        return CENTRE_LAT + (y - cy) * deg_per_unit, CENTRE_LON + (x - cx) * deg_per_unit * lon_stretch

    return to_lat_lon


def plausible_range(values: list[float]) -> tuple[float, float]:
    """The observed range (of the values as written) widened by half of it on each side, not
    below 0 unless the data is really negative."""
    written = [round(v, 4) + 0.0 for v in values]
    low, high = min(written), max(written)
    spread = high - low
    if spread <= 0:
        spread = max(abs(high), 1.0)
    lower, upper = low - spread / 2, high + spread / 2
    if low >= 0:
        lower = max(lower, 0.0)
    elif -low <= 1e-3 * spread:
        # Only solver noise below 0 (a stopped pump's pipe reads -0.0002 m3/h): allow just that.
        lower = math.floor(low * 100) / 100
    return lower, upper


def build_sensors(sim: Simulation, zone: str) -> list[Sensor]:
    """Pressure at the junctions, level in the tanks, flow in every link (LeakDB's SCADA)."""
    to_lat_lon = map_coordinates(sim.coords)
    sensors = []
    for node in sim.junctions:
        sensors.append(Sensor(f"{zone}-p-{node}", "pressure", "m", node, *to_lat_lon(*sim.coords[node]),
                              sim.pressure_m[node]))
    for tank in sim.tanks:
        sensors.append(Sensor(f"{zone}-l-{tank}", "level", "m", tank, *to_lat_lon(*sim.coords[tank]),
                              sim.pressure_m[tank]))
    for link in sim.links:
        a, b = sim.link_nodes[link]
        (xa, ya), (xb, yb) = sim.coords[a], sim.coords[b]
        sensors.append(Sensor(f"{zone}-f-{link}", "flow", "m3/h", link, *to_lat_lon((xa + xb) / 2, (ya + yb) / 2),
                              sim.flow_m3h[link]))
    for sensor in sensors:
        sensor.min, sensor.max = plausible_range(sensor.values)
    return sensors


def inlet_sensors(sim: Simulation, sensors: list[Sensor], zone: str) -> list[str]:
    """Flow sensors on links from a reservoir or tank into the network, made positive inward."""
    sources = set(sim.reservoirs) | set(sim.tanks)
    by_id = {s.sensor_id: s for s in sensors}
    inlets = []
    for link in sim.links:
        a, b = sim.link_nodes[link]
        if (a in sources) == (b in sources):
            continue
        sensor = by_id[f"{zone}-f-{link}"]
        if b in sources:  # drawn towards the source: flip so that positive means into the network
            sensor.values = [-v for v in sensor.values]
            sensor.min, sensor.max = plausible_range(sensor.values)
            log(f"flow on link {link} is negated so that positive means out of {b} into the network")
        inlets.append(sensor.sensor_id)
    return inlets


def leak_labels(sim: Simulation, start_ms: int, days: int, zone: str) -> list[dict]:
    """LeakDB's leaks that overlap the window, cut at its end, as Waterline labels."""
    window_end_s = days * 86400
    labels = []
    for leak in sorted(sim.leaks, key=lambda leak: leak.start_s):
        # LeakDB labels steps floor(start / step) .. ceil(end / step) - 1 as leaking.
        first = math.floor(leak.start_s / STEP_S) * STEP_S
        end = min(math.ceil(leak.end_s / STEP_S) * STEP_S, window_end_s)
        if first >= window_end_s:
            continue
        peak = leak.peak_flow_m3h
        labels.append({
            "type": "leak",
            "start_ms": start_ms + first * 1000,
            "end_ms": start_ms + end * 1000,
            "zone": zone,
            "pipe_id": None,
            "node_id": leak.node_id,
            "sensor_id": None,
            "leak_flow_m3h": round(peak, 4) if peak is not None else None,
            "leak_volume_m3": round(leak.volume_m3, 2) if leak.volume_m3 is not None else None,
        })
    return labels


def describe(args, network: dict, sim: Simulation, labels: list[dict], epyt_flow_version: str) -> str:
    leaks = "; ".join(
        f"{leak.kind} leak at node {leak.node_id} (diameter {leak.diameter_m:.3f} m) from day "
        f"{leak.start_s / 86400:.2f} to day {leak.end_s / 86400:.2f}"
        + (f", peak {leak.peak_flow_m3h:.1f} m3/h in the window" if leak.peak_flow_m3h is not None else "")
        for leak in sim.leaks) or "no leaks"
    return (
        f"LeakDB {network['name']} scenario {args.scenario}, first {args.days} days of the year at 30-minute steps, "
        f"rebuilt with epyt-flow {epyt_flow_version} (random demands and uncertainties, seed {args.seed}; "
        f"the leaks are LeakDB's, the values differ from the published data set). Year's leaks: {leaks}. "
        f"{len(labels)} leak label(s) in the window. Units: {conversion('flow', sim.flow_units, 'm3/h')}; "
        f"{conversion('pressure', sim.pressure_units, 'm')} (metres of water head); tank level in m is "
        f"EPANET's pressure at the tank, i.e. its water depth, converted the same way. "
        f"Link flows are signed (positive from the link's first to its second node).")


def conversion(quantity: str, source: str, target: str) -> str:
    if source == target:
        return f"{quantity} in {target} as EPANET reports it (no conversion)"
    factor = {"psi": " (x 0.3048/0.4333 = 0.70344, EPANET's own factors)"}.get(source, " (EPANET's factors)")
    return f"{quantity} converted from EPANET's {source} to {target}{factor}"


def fmt(value: float) -> str:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def write_folder(out: str, meta: dict, sensors: list[Sensor], times_ms: list[int], labels: list[dict], zone: str) -> None:
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "scenario.json"), "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")
    with open(os.path.join(out, "sensors.csv"), "w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["sensor_id", "kind", "unit", "zone", "node_id", "lat", "lon", "min", "max"])
        for s in sensors:
            writer.writerow([s.sensor_id, s.kind, s.unit, zone, s.node_id, f"{s.lat:.6f}", f"{s.lon:.6f}",
                             fmt(s.min), fmt(s.max)])
    ordered = sorted(sensors, key=lambda s: s.sensor_id)
    with open(os.path.join(out, "readings.csv"), "w", newline="") as f:
        f.write("sensor_id,ts_ms,value\n")
        for i, ts in enumerate(times_ms):
            f.writelines(f"{s.sensor_id},{ts},{fmt(s.values[i])}\n" for s in ordered)
    with open(os.path.join(out, "labels.json"), "w") as f:
        json.dump(labels, f, indent=2)
        f.write("\n")


@dataclass
class Built:
    """What build_scenario wrote, for the caller's report."""
    sensors: int
    steps: int
    labels: list[dict]
    build_s: float
    simulate_s: float
    write_s: float


def build_scenario(args: argparse.Namespace) -> Built:
    """Builds the scenario of `args` (from parse_args) end to end and writes its folder to
    args.out. Raises ScenarioError when it cannot."""
    network = NETWORKS[args.network.lower()]
    zone = network["name"].lower()
    data_dir = os.path.abspath(args.data)

    with tempfile.TemporaryDirectory(prefix="leakdb-") as download_dir:
        log(f"loading {network['name']} network and demand patterns from {data_dir}")
        stage_data_files(data_dir, network, download_dir)
        sim = simulate(network, args.scenario, args.days, args.seed, download_dir)

    import epyt_flow
    steps = len(sim.times_s)
    if steps != args.days * 86400 // STEP_S:
        fail(f"expected {args.days * 86400 // STEP_S} steps, the simulation gave {steps}")
    sensors = build_sensors(sim, zone)
    inlets = inlet_sensors(sim, sensors, zone)
    labels = leak_labels(sim, args.start_ms, args.days, zone)
    meta = {
        "name": f"leakdb-{zone}-{args.scenario}",
        "description": describe(args, network, sim, labels, epyt_flow.VERSION),
        "start_ms": args.start_ms,
        "step_ms": STEP_S * 1000,
        "tariff_per_m3": TARIFF_PER_M3,
        "zones": [{"id": zone, "name": network["name"], "inlet_sensors": inlets}],
        "network": "network.inp",
    }
    times_ms = [args.start_ms + t * 1000 for t in sim.times_s]
    log(f"writing {args.out}: {len(sensors)} sensors x {steps} steps, {len(labels)} leak label(s)")
    write_started = time.monotonic()
    write_folder(args.out, meta, sensors, times_ms, labels, zone)
    # The EPANET file the scenario was built from, for localisation (junction ids = node_id).
    shutil.copyfile(os.path.join(data_dir, network["inp"][0]), os.path.join(args.out, "network.inp"))
    return Built(sensors=len(sensors), steps=steps, labels=labels, build_s=sim.build_s,
                 simulate_s=sim.simulate_s, write_s=time.monotonic() - write_started)


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    network = NETWORKS[args.network.lower()]
    started = time.monotonic()
    try:
        labels = build_scenario(args).labels
    except ScenarioError as error:
        log(f"error: {error}")
        sys.exit(1)

    for label in labels:
        log(f"leak at node {label['node_id']}: day {(label['start_ms'] - args.start_ms) / 86400000:.2f} "
            f"to day {(label['end_ms'] - args.start_ms) / 86400000:.2f}, peak {label['leak_flow_m3h']} m3/h")
    if not labels:
        log(f"note: scenario {args.scenario} has no leak in its first {args.days} days; labels.json is []")
        suggest = leaky_scenarios(network, args.days)
        if suggest:
            log(f"{network['name']} scenarios with a leak starting in the first {args.days} days include: "
                + ", ".join(map(str, suggest[:12])))
    log(f"done in {time.monotonic() - started:.1f} s")


def leaky_scenarios(network: dict, days: int) -> list[int]:
    """LeakDB scenario numbers with a leak starting within the first `days` days."""
    from epyt_flow.data.benchmarks.leakdb_data import HANOI_LEAKAGES, NET1_LEAKAGES
    info = json.loads(NET1_LEAKAGES if network["use_net1"] else HANOI_LEAKAGES)
    return sorted(int(s) for s, leaks in info.items()
                  if any(leak["leak_start_time"] * STEP_S < days * 86400 for leak in leaks))


if __name__ == "__main__":
    main(sys.argv[1:])
