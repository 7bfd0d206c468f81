#!/usr/bin/env python3
"""Write EPANET expected-value fixtures for Waterline's hydraulic solver.

For each network below, copies its .inp into Tests/HydraulicsTests/Fixtures/ (the small test
networks are written there by hand and committed) and runs EPANET 2.2 (the toolkit library
shipped in the PyPI package `wntr`, through wntr.sim.EpanetSimulator) on that copy, writing:

    <name>.expected.json         hydraulic snapshot at t = 0 (options.time.duration = 0)
    <name>.t7200.expected.json   the row at t = 7200 s of a 2-hour extended-period run
                                 (Net1 and Net3 only: demand patterns, tank levels moved)
    <name>.eps.expected.json     an extended-period run (ltown: 24 h; pumps: 24 h; controls: 48 h)

Networks: net1, net3 (EPANET's examples, from wntr), leakdb-net1, hanoi (LeakDB), ltown (L-Town,
BattLeDIM 2020), and test networks written for these fixtures: valves-pressure, valves-flow
(one valve in each state, t = 0), pumps, controls (extended period) and pda (pressure-driven
demand, t = 0). For ltown and the test networks, EPANET is also run directly on the .inp (not on
wntr's rewrite of it): the two runs must agree value for value, or the script stops.

Each snapshot file:

    {"network", "source", "epanet": "wntr X / EPANET Y", "time_s",
     "units": {"head": "m", "flow": "m3/s", "pressure": "m", "demand": "m3/s"},
     "headloss": "<definition>",
     "options": {...},                             # ltown and the test networks only, as below
     "pattern_multipliers": {"<pattern id>": m},   # at time_s, before the demand multiplier
     "tank_heads": {"<tank id>": h},               # fixed heads for the solver at time_s
     "reservoir_heads": {"<reservoir id>": h},
     "nodes": {"<id>": {"type", "head", "pressure", "demand"}},
     "links": {"<id>": {"type", "flow", "status", "headloss"[, "speed"][, "epanet_status"]}}}

Each extended-period file:

    {"network", "source", "epanet", "hydraulic_step_s", "report_step_s", "duration_s", "units",
     "options": {"flow_units", "headloss", "demand_model"[, "minimum_pressure_m",
                 "required_pressure_m", "pressure_exponent"], "duration_s", "hydraulic_step_s",
                 "pattern_step_s", "pattern_start_s", "report_step_s", "report_start_s",
                 "rule_step_s", "start_clocktime_s"},     # as EPANET read them from the .inp
     "times": [t0, t1, ...],                              # the report times, s
     "tank_heads": {"<tank id>": [h at each report time]},
     "link_status": {"<link id>": [open|closed|active at each report time]},
     "link_epanet_status": {"<link id>": [EPANET's code name at each report time]},
     "snapshots": {"<t>": {"nodes": {"<id>": {"head", "pressure", "demand"}},
                           "links": {"<id>": {"flow", "status"[, "speed"][, "epanet_status"]}}}}}

link_status covers the pumps, the valves, the links a control or rule acts on and any link
closed at some report time (e.g. a pipe EPANET shuts at a full or empty tank);
link_epanet_status repeats those of them whose code is ever more than open/closed/active.
snapshots holds every report time for the test networks, t = 0, 6, 12, 18 and 24 h for ltown.
EPANET takes extra hydraulic steps between report times (tank full or empty, a tank-level
control, a control at a clock time, a rule every rule_step_s); only report times are written.

SI units as wntr reports them. A node's demand is its outflow: at a tank or reservoir it is
minus the water it supplies (a filling tank has a positive demand). A link's headloss is
head(start node) - head(end node) in m (negative across a running pump), taken from EPANET's
own headloss output, which it computes in double precision (for a pipe, per unit length:
times the length here), so it is more precise than the difference of the float32 heads; for
a closed link, which EPANET reports with headloss 0, it is the difference of the heads. status is
open|closed|active; epanet_status is EPANET's own code name where it says more than that
(XHEAD: pump closed, cannot deliver the head; TEMPCLOSED: check valve / pump shut by reverse
flow, or a link shut at a full or empty tank; XFLOW, XFCV, XPRESSURE: valve open because its
setting cannot be met). A pump's speed is its relative speed (0 while closed by a control or a
speed pattern of 0). Numbers are rounded to 6 significant digits (the binary output holds
float32 anyway).

The output depends only on the .inp files and the pinned packages: running the script
again rewrites the same bytes.

Usage (from the repository root):

    python3 -m venv .venv-hydraulics
    .venv-hydraulics/bin/pip install -r bench/hydraulics/requirements.txt
    .venv-hydraulics/bin/python bench/hydraulics/make-fixtures.py [--leakdb ../shared/data/leakdb]
        [--ltown ../shared/data/ltown-2018/network.inp]

The LeakDB files are read from --leakdb (default: ../shared/data/leakdb next to the
repository), L-Town from --ltown (default: ../shared/data/ltown-2018/network.inp); where they
are missing, the copies already in Fixtures/ are used.
"""

import argparse
import contextlib
import ctypes
import json
import math
import os
import shutil
import sys
import tempfile
from pathlib import Path

import wntr
from wntr.epanet.io import BinFile
from wntr.epanet.toolkit import ENepanet

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "Tests" / "HydraulicsTests" / "Fixtures"
WNTR_NETWORKS = Path(wntr.__file__).resolve().parent / "library" / "networks"

EPANET_VERSION = 2.2
LATER_TIME_S = 7200

# EPANET's StatusType codes in the binary output file.
STATUS_CODES = {
    0: ("closed", "XHEAD"),
    1: ("closed", "TEMPCLOSED"),
    2: ("closed", "CLOSED"),
    3: ("open", "OPEN"),
    4: ("active", "ACTIVE"),
    5: ("open", "XFLOW"),
    6: ("open", "XFCV"),
    7: ("open", "XPRESSURE"),
}
PLAIN_CODES = {2, 3, 4}


def networks(leakdb: Path):
    """(fixture name, source file, source description, times) for each network."""
    return [
        ("net1", WNTR_NETWORKS / "Net1.inp",
         f"EPANET example network Net1 (US EPA, public domain), as bundled in wntr {wntr.__version__} "
         "(wntr/library/networks/Net1.inp)", [0, LATER_TIME_S]),
        ("net3", WNTR_NETWORKS / "Net3.inp",
         f"EPANET example network Net3 (US EPA, public domain), as bundled in wntr {wntr.__version__} "
         "(wntr/library/networks/Net3.inp)", [0, LATER_TIME_S]),
        ("leakdb-net1", leakdb / "Net1.inp",
         "LeakDB (Vrachimis et al., 2018; EUPL-1.2) Net1.inp", [0]),
        ("hanoi", leakdb / "Hanoi_CMH.inp",
         "LeakDB (Vrachimis et al., 2018; EUPL-1.2) Hanoi_CMH.inp", [0]),
    ]


# The networks below get both kinds of fixture and a cross-check: EPANET run directly on the
# .inp here (not on wntr's rewrite) must give the same binary results, value for value.
WRITTEN_HERE = "written for these fixtures (Tests/HydraulicsTests/Fixtures/{}.inp)"
EPS_LTOWN_S = 86400
LTOWN_SNAPSHOTS = [0, 21600, 43200, 64800, 86400]

# EPANET's time parameters (EN_DURATION, EN_HYDSTEP, ...), read back from the toolkit.
EN_TIME_PARAMS = {"duration_s": 0, "hydraulic_step_s": 1, "pattern_step_s": 3, "pattern_start_s": 4,
                  "report_step_s": 5, "report_start_s": 6, "rule_step_s": 7, "start_clocktime_s": 10}


def checked_networks(ltown: Path):
    """(fixture name, source file, source description, snapshot times, extended period) for each
    network that is checked against a direct EPANET run. Extended period: None, or (duration in s,
    times of the full snapshots, None for every report time)."""
    def here(name, what):
        return FIXTURES / f"{name}.inp", f"Waterline test network, {WRITTEN_HERE.format(name)}: {what}"
    return [
        ("ltown", ltown,
         "L-Town v1.2 (BattLeDIM 2020; KIOS Research, Vrachimis et al.; EUPL-1.2 as shipped in the "
         "PyPI package epyt): the nominal model ../shared/data/ltown-2018/network.inp, the same file "
         "as epyt 2.3.5.3's epyt/networks/L-TOWN.inp", [0], (EPS_LTOWN_S, LTOWN_SNAPSHOTS)),
        ("valves-pressure", *here("valves-pressure", "PRV active, open (upstream head below setting), "
         "closed by reverse head, CLOSED and OPEN in [STATUS]; PSV active and open"), [0], None),
        ("valves-flow", *here("valves-flow", "FCV active, FCV that cannot reach its setting (XFCV), "
         "TCV, PBV, GPV with a headloss curve, FCV OPEN in [STATUS]"), [0], None),
        ("pumps", *here("pumps", "pumps with a 5-point, a 3-point (speed 0.9) and a 1-point curve, "
         "a speed pattern, XHEAD; two tanks filling and draining"), [], (86400, None)),
        ("controls", *here("controls", "simple controls of every form, rules with AND/OR/ELSE/PRIORITY, "
         "a tank filling to its maximum and one emptying to its minimum; clock starts at 6 AM"),
         [], (172800, None)),
        ("pda", *here("pda", "pressure-driven demand (PDA, 5 m / 25 m, exponent 0.5), junctions "
         "below, between and above the pressure limits"), [0], None),
    ]


def sig6(x: float) -> float:
    x = float(x)
    if not math.isfinite(x):
        raise ValueError(f"non-finite value {x}")
    r = float(f"{x:.6g}")
    return 0.0 if r == 0 else r  # no -0.0


def epanet_version() -> str:
    en = ENepanet(version=EPANET_VERSION)
    v = ctypes.c_int()
    en.ENlib.EN_getversion(ctypes.byref(v))
    n = v.value  # e.g. 20200
    return f"{n // 10000}.{n // 100 % 100}.{n % 100}"


def link_type(link) -> str:
    if link.link_type == "Pipe":
        return "cv" if link.check_valve else "pipe"
    if link.link_type == "Pump":
        return "pump"
    return link.valve_type.lower()  # prv, psv, pbv, fcv, tcv, gpv


def simulate(name: str, inp: Path, duration_s: int):
    """EPANET through wntr's EpanetSimulator (on wntr's rewrite of the .inp): (model, results)."""
    wn = wntr.network.WaterNetworkModel(str(inp))
    wn.options.time.duration = duration_s
    # EPANET also writes scratch files ("en" + random) into the working directory.
    with tempfile.TemporaryDirectory(prefix="waterline-hyd-") as tmp, contextlib.chdir(tmp):
        sim = wntr.sim.EpanetSimulator(wn, reader=BinFile(convert_status=False))
        res = sim.run_sim(file_prefix=os.path.join(tmp, name), version=EPANET_VERSION,
                          convergence_error=True)
    return wn, res


def snapshot(name: str, inp: Path, source: str, time_s: int, version: str, run=None) -> dict:
    wn, res = run if run is not None else simulate(name, inp, time_s)
    if time_s and time_s % wn.options.time.report_timestep:
        raise ValueError(f"{name}: report step does not divide {time_s} s")
    if time_s not in res.node["head"].index:
        raise ValueError(f"{name}: no results at {time_s} s")

    head = res.node["head"].loc[time_s]
    pressure = res.node["pressure"].loc[time_s]
    demand = res.node["demand"].loc[time_s]
    flow = res.link["flowrate"].loc[time_s]
    status = res.link["status"].loc[time_s]
    setting = res.link["setting"].loc[time_s]
    hl = res.link["headloss"].loc[time_s]

    nodes, tanks, reservoirs = {}, {}, {}
    for nid in wn.node_name_list:
        kind = wn.get_node(nid).node_type.lower()
        nodes[nid] = {"type": kind, "head": sig6(head[nid]),
                      "pressure": sig6(pressure[nid]), "demand": sig6(demand[nid])}
        if kind == "tank":
            tanks[nid] = sig6(head[nid])
        elif kind == "reservoir":
            reservoirs[nid] = sig6(head[nid])

    links = {}
    for lid in wn.link_name_list:
        link = wn.get_link(lid)
        code = int(round(status[lid]))
        plain, epanet = STATUS_CODES[code]
        if code <= 2:  # closed: EPANET reports 0, give the head difference across it
            loss = head[link.start_node_name] - head[link.end_node_name]
        elif link.link_type == "Pump":  # EPANET: h1 - h2, signed
            loss = hl[lid]
        elif link.link_type == "Pipe":  # EPANET: |h1 - h2| per unit length (wntr: m/m)
            loss = math.copysign(abs(hl[lid]) * link.length, flow[lid])
        else:  # valve: EPANET: |h1 - h2|
            loss = math.copysign(abs(hl[lid]), flow[lid])
        entry = {"type": link_type(link), "flow": sig6(flow[lid]), "status": plain,
                 "headloss": sig6(loss)}
        if link.link_type == "Pump":
            entry["speed"] = sig6(setting[lid])
        if code not in PLAIN_CODES:
            entry["epanet_status"] = epanet
        links[lid] = entry

    patterns = {pid: sig6(wn.get_pattern(pid).at(time_s)) for pid in wn.pattern_name_list}

    return {
        "network": name,
        "source": source,
        "epanet": f"wntr {wntr.__version__} / EPANET {version}",
        "time_s": time_s,
        "units": {"head": "m", "flow": "m3/s", "pressure": "m", "demand": "m3/s"},
        "headloss": "head(start node) - head(end node), m",
        "pattern_multipliers": patterns,
        "tank_heads": tanks,
        "reservoir_heads": reservoirs,
        "nodes": nodes,
        "links": links,
    }


def to_json(doc: dict) -> str:
    """Top-level keys one a line; in nodes and links, one element a line."""
    def one(v):
        return json.dumps(v, separators=(", ", ": "))
    lines = []
    for k, v in doc.items():
        if k in ("nodes", "links"):
            inner = ",\n".join(f"  {one(i)}: {one(e)}" for i, e in v.items())
            lines.append(f" {one(k)}: {{\n{inner}\n }}")
        else:
            lines.append(f" {one(k)}: {one(v)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def direct_run(name: str, inp: Path, duration_s: int, darcy_weisbach: bool):
    """EPANET on the .inp file itself: (its options, its results)."""
    with tempfile.TemporaryDirectory(prefix="waterline-hyd-") as tmp, contextlib.chdir(tmp):
        out = os.path.join(tmp, f"{name}.direct.bin")
        en = ENepanet(version=EPANET_VERSION)
        en.ENopen(str(inp), os.path.join(tmp, f"{name}.direct.rpt"), out)
        try:
            en.ENsettimeparam(EN_TIME_PARAMS["duration_s"], duration_s)
            times = {k: int(en.ENgettimeparam(code)) for k, code in EN_TIME_PARAMS.items()}
            model, pmin, preq, pexp = ctypes.c_int(), ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
            if en.ENlib.EN_getdemandmodel(en._project, ctypes.byref(model), ctypes.byref(pmin),
                                          ctypes.byref(preq), ctypes.byref(pexp)):
                raise RuntimeError(f"{name}: EN_getdemandmodel failed")
            en.ENsolveH()
            en.ENsolveQ()
        finally:
            en.ENclose()
        res = BinFile(convert_status=False).read(out, True, darcy_weisbach)
    options = {"demand_model": "PDA" if model.value == 1 else "DDA"}
    if model.value == 1:
        options.update(minimum_pressure_m=sig6(pmin.value), required_pressure_m=sig6(preq.value),
                       pressure_exponent=sig6(pexp.value))
    options.update(times)
    return options, res


def checked_run(name: str, inp: Path, duration_s: int):
    """simulate(), and the same run of EPANET directly on the file, which must agree exactly.
    Returns (model, results, options)."""
    wn, res = simulate(name, inp, duration_s)
    options, direct = direct_run(name, inp, duration_s, wn.options.hydraulic.headloss == "D-W")
    for kind, keys in (("node", ("head", "pressure", "demand")),
                       ("link", ("flowrate", "status", "setting", "headloss"))):
        for key in keys:
            a, b = getattr(res, kind)[key], getattr(direct, kind)[key]
            if not (a.index.equals(b.index) and a.columns.equals(b.columns)
                    and (a.to_numpy() == b.to_numpy()).all()):
                raise RuntimeError(f"{name}: EPANET on wntr's rewrite and on {inp.name} differ in {kind} {key}")
    units = {"flow_units": wn.options.hydraulic.inpfile_units, "headloss": wn.options.hydraulic.headloss}
    return wn, res, {**units, **options}


def control_targets(wn) -> set:
    """Links that a simple control or a rule acts on."""
    return {action.target()[0].name for _, control in wn.controls() for action in control.actions()}


def eps_doc(name: str, source: str, version: str, wn, res, options: dict, snapshot_times) -> dict:
    """The extended-period fixture: tank heads and statuses at every report time, full snapshots
    at snapshot_times (every report time if None)."""
    times = [int(t) for t in res.node["head"].index]
    expected = list(range(options["report_start_s"], options["duration_s"] + 1, options["report_step_s"]))
    if times != expected:
        raise ValueError(f"{name}: report times {times[:3]}... are not {expected[:3]}...")
    head, pressure, demand = res.node["head"], res.node["pressure"], res.node["demand"]
    flow, setting = res.link["flowrate"], res.link["setting"]
    codes = res.link["status"].round().astype(int)

    targets = control_targets(wn)
    watched = [lid for lid in wn.link_name_list
               if wn.get_link(lid).link_type != "Pipe" or lid in targets or (codes[lid] != 3).any()]

    def nodes_at(t):
        return {nid: {"head": sig6(head.at[t, nid]), "pressure": sig6(pressure.at[t, nid]),
                      "demand": sig6(demand.at[t, nid])} for nid in wn.node_name_list}

    def links_at(t):
        links = {}
        for lid in wn.link_name_list:
            code = int(codes.at[t, lid])
            entry = {"flow": sig6(flow.at[t, lid]), "status": STATUS_CODES[code][0]}
            if wn.get_link(lid).link_type == "Pump":
                entry["speed"] = sig6(setting.at[t, lid])
            if code not in PLAIN_CODES:
                entry["epanet_status"] = STATUS_CODES[code][1]
            links[lid] = entry
        return links

    for t in snapshot_times or []:
        if t not in times:
            raise ValueError(f"{name}: {t} s is not a report time")
    return {
        "network": name,
        "source": source,
        "epanet": f"wntr {wntr.__version__} / EPANET {version}",
        "hydraulic_step_s": options["hydraulic_step_s"],
        "report_step_s": options["report_step_s"],
        "duration_s": options["duration_s"],
        "units": {"head": "m", "flow": "m3/s", "pressure": "m", "demand": "m3/s", "time": "s"},
        "options": options,
        "times": times,
        "tank_heads": {tid: [sig6(head.at[t, tid]) for t in times] for tid in wn.tank_name_list},
        "link_status": {lid: [STATUS_CODES[int(c)][0] for c in codes[lid]] for lid in watched},
        "link_epanet_status": {lid: [STATUS_CODES[int(c)][1] for c in codes[lid]] for lid in watched
                               if any(int(c) not in PLAIN_CODES for c in codes[lid])},
        "snapshots": {str(t): {"nodes": nodes_at(t), "links": links_at(t)}
                      for t in (snapshot_times or times)},
    }


def eps_to_json(doc: dict) -> str:
    """Like to_json: top-level keys one a line; one tank or link a line in the time series, and one
    node or link a line in each snapshot."""
    def one(v):
        return json.dumps(v, separators=(", ", ": "))

    def block(d: dict, indent: str, inner) -> str:
        if not d:
            return "{}"
        body = ",\n".join(f"{indent} {one(k)}: {inner(v)}" for k, v in d.items())
        return "{\n" + body + f"\n{indent}}}"

    lines = []
    for k, v in doc.items():
        if k in ("tank_heads", "link_status", "link_epanet_status"):
            lines.append(f" {one(k)}: {block(v, ' ', one)}")
        elif k == "snapshots":
            def snap(sv):
                return block(sv, "  ", lambda m: block(m, "   ", one))
            lines.append(f" {one(k)}: {block(v, ' ', snap)}")
        else:
            lines.append(f" {one(k)}: {one(v)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def write_if_changed(path: Path, text: str) -> bool:
    if path.exists() and path.read_text() == text:
        return False
    path.write_text(text)
    return True


def copy_if_changed(src: Path, dst: Path) -> bool:
    if dst.exists() and dst.read_bytes() == src.read_bytes():
        return False
    shutil.copyfile(src, dst)
    return True


def place_inp(src: Path, inp: Path) -> bool:
    """Copies a network file into Fixtures/ (if it is not already the one there); where the
    source is missing, the committed copy is used. False when there is neither."""
    if src != inp and src.exists():
        if copy_if_changed(src, inp):
            print(f"copied {src} -> {inp.relative_to(ROOT)}")
    elif not inp.exists():
        print(f"error: {src} not found and no {inp} to fall back on", file=sys.stderr)
        return False
    return True


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--leakdb", type=Path, default=ROOT.parent / "shared" / "data" / "leakdb",
                    help="folder with LeakDB's Net1.inp, Hanoi_CMH.inp and LICENSE.md")
    ap.add_argument("--ltown", type=Path,
                    default=ROOT.parent / "shared" / "data" / "ltown-2018" / "network.inp",
                    help="L-Town's network.inp (BattLeDIM 2020 nominal model)")
    args = ap.parse_args()

    FIXTURES.mkdir(parents=True, exist_ok=True)
    version = epanet_version()

    lic = args.leakdb / "LICENSE.md"
    if lic.exists():
        if copy_if_changed(lic, FIXTURES / "LICENSE-LeakDB.md"):
            print("copied LICENSE-LeakDB.md")

    for name, src, source, times in networks(args.leakdb):
        inp = FIXTURES / f"{name}.inp"
        if not place_inp(src, inp):
            return 1
        for t in times:
            doc = snapshot(name, inp, source, t, version)
            suffix = ".expected.json" if t == 0 else f".t{t}.expected.json"
            out = FIXTURES / f"{name}{suffix}"
            changed = write_if_changed(out, to_json(doc))
            print(f"{out.relative_to(ROOT)}: {len(doc['nodes'])} nodes, {len(doc['links'])} links"
                  + ("" if changed else " (unchanged)"))

    for name, src, source, times, eps in checked_networks(args.ltown):
        inp = FIXTURES / f"{name}.inp"
        if not place_inp(src, inp):
            return 1
        for t in times:
            wn, res, options = checked_run(name, inp, t)
            doc = snapshot(name, inp, source, t, version, run=(wn, res))
            doc = dict(item for k, v in doc.items()  # "options" after "headloss"
                       for item in ([(k, v), ("options", options)] if k == "headloss" else [(k, v)]))
            suffix = ".expected.json" if t == 0 else f".t{t}.expected.json"
            out = FIXTURES / f"{name}{suffix}"
            changed = write_if_changed(out, to_json(doc))
            print(f"{out.relative_to(ROOT)}: {len(doc['nodes'])} nodes, {len(doc['links'])} links"
                  + ("" if changed else " (unchanged)"))
        if eps is not None:
            duration_s, snapshot_times = eps
            wn, res, options = checked_run(name, inp, duration_s)
            doc = eps_doc(name, source, version, wn, res, options, snapshot_times)
            out = FIXTURES / f"{name}.eps.expected.json"
            changed = write_if_changed(out, eps_to_json(doc))
            print(f"{out.relative_to(ROOT)}: {len(doc['times'])} report times, "
                  f"{len(doc['snapshots'])} snapshots" + ("" if changed else " (unchanged)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
