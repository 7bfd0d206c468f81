#!/usr/bin/env python3
"""Write EPANET expected-value fixtures for Waterline's steady-state hydraulic solver.

For each network below, copies its .inp into Tests/HydraulicsTests/Fixtures/ and runs
EPANET 2.2 (the toolkit library shipped in the PyPI package `wntr`, through
wntr.sim.EpanetSimulator) on that copy, writing one JSON file per snapshot:

    <name>.expected.json         hydraulic snapshot at t = 0 (options.time.duration = 0)
    <name>.t7200.expected.json   the row at t = 7200 s of a 2-hour extended-period run
                                 (Net1 and Net3 only: demand patterns, tank levels moved)

Each file:

    {"network", "source", "epanet": "wntr X / EPANET Y", "time_s",
     "units": {"head": "m", "flow": "m3/s", "pressure": "m", "demand": "m3/s"},
     "headloss": "<definition>",
     "pattern_multipliers": {"<pattern id>": m},   # at time_s, before the demand multiplier
     "tank_heads": {"<tank id>": h},               # fixed heads for the solver at time_s
     "reservoir_heads": {"<reservoir id>": h},
     "nodes": {"<id>": {"type", "head", "pressure", "demand"}},
     "links": {"<id>": {"type", "flow", "status", "headloss"[, "speed"][, "epanet_status"]}}}

SI units as wntr reports them. A node's demand is its outflow: at a tank or reservoir it is
minus the water it supplies (a filling tank has a positive demand). A link's headloss is
head(start node) - head(end node) in m (negative across a running pump), taken from EPANET's
own headloss output, which it computes in double precision (for a pipe, per unit length:
times the length here), so it is more precise than the difference of the float32 heads; for
a closed link, which EPANET reports with headloss 0, it is the difference of the heads. status is
open|closed|active; epanet_status is EPANET's own code name where it says more than that
(XHEAD: pump closed, cannot deliver the head; TEMPCLOSED: check valve / pump shut by reverse
flow; XFLOW, XFCV, XPRESSURE: valve open because its setting cannot be met). Numbers are
rounded to 6 significant digits (the binary output holds float32 anyway).

The output depends only on the .inp files and the pinned packages: running the script
again rewrites the same bytes.

Usage (from the repository root):

    python3 -m venv .venv-hydraulics
    .venv-hydraulics/bin/pip install -r bench/hydraulics/requirements.txt
    .venv-hydraulics/bin/python bench/hydraulics/make-fixtures.py [--leakdb ../shared/data/leakdb]

The LeakDB files are read from --leakdb (default: ../shared/data/leakdb next to the
repository); if that folder is missing, the copies already in Fixtures/ are used.
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


def snapshot(name: str, inp: Path, source: str, time_s: int, version: str) -> dict:
    wn = wntr.network.WaterNetworkModel(str(inp))
    wn.options.time.duration = time_s
    if time_s and time_s % wn.options.time.report_timestep:
        raise ValueError(f"{name}: report step does not divide {time_s} s")
    # EPANET also writes scratch files ("en" + random) into the working directory.
    with tempfile.TemporaryDirectory(prefix="waterline-hyd-") as tmp, contextlib.chdir(tmp):
        sim = wntr.sim.EpanetSimulator(wn, reader=BinFile(convert_status=False))
        res = sim.run_sim(file_prefix=os.path.join(tmp, name), version=EPANET_VERSION,
                          convergence_error=True)
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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--leakdb", type=Path, default=ROOT.parent / "shared" / "data" / "leakdb",
                    help="folder with LeakDB's Net1.inp, Hanoi_CMH.inp and LICENSE.md")
    args = ap.parse_args()

    FIXTURES.mkdir(parents=True, exist_ok=True)
    version = epanet_version()

    lic = args.leakdb / "LICENSE.md"
    if lic.exists():
        if copy_if_changed(lic, FIXTURES / "LICENSE-LeakDB.md"):
            print("copied LICENSE-LeakDB.md")

    for name, src, source, times in networks(args.leakdb):
        inp = FIXTURES / f"{name}.inp"
        if src.exists():
            if copy_if_changed(src, inp):
                print(f"copied {src} -> {inp.relative_to(ROOT)}")
        elif not inp.exists():
            print(f"error: {src} not found and no {inp} to fall back on", file=sys.stderr)
            return 1
        for t in times:
            doc = snapshot(name, inp, source, t, version)
            suffix = ".expected.json" if t == 0 else f".t{t}.expected.json"
            out = FIXTURES / f"{name}{suffix}"
            changed = write_if_changed(out, to_json(doc))
            print(f"{out.relative_to(ROOT)}: {len(doc['nodes'])} nodes, {len(doc['links'])} links"
                  + ("" if changed else " (unchanged)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
