#!/usr/bin/env python3
"""Write a fixed sample of full-year LeakDB scenarios as Waterline scenario folders.

LeakDB (Vrachimis et al., 2018) has 1000 scenarios on Net1 and 1000 on Hanoi, each one year
at 30-minute steps. This script rebuilds a fixed sample of them, by default 50 per network,
each the full 365 days (LeakDB's benchmark length), one folder per scenario named
`<network>-<id, 4 digits>` (`net1-0533`, `hanoi-0021`) under --out. Each scenario is built
by scripts/leakdb-scenario.py (imported, `build_scenario`), exactly as

    python scripts/leakdb-scenario.py --network Net1 --scenario 533 --days 365 --out net1-0533

would: the random demands and uncertainties are seeded with the scenario number, the leaks
are LeakDB's; see that script for the folder format, the units and the labels.

Usage:

    python bench/scenarios/leakdb.py [--networks net1,hanoi] [--count N] [--days D]
        [--jobs J] [--out demo-data/leakdb-bench] [--data ../shared/data/leakdb]

--count keeps the first N ids of each network's list (a quick run); the lists are in the
order they were drawn, so the first N are themselves a random sample. A scenario whose
folder is already complete (scenario.json, sensors.csv, readings.csv, labels.json, for the
same --days) is skipped, so an interrupted run resumes where it stopped. A scenario is
written to `.<name>.partial` in --out and renamed when complete (a leftover `.partial` of an
interrupted run is removed when that scenario is written again).

The sample. Drawn once, 50 ids per network without replacement from 1..1000, with

    random.Random(f"waterline-leakdb-{network}").sample(range(1, 1001), 50)

(Python's random, string seeds `waterline-leakdb-net1` and `waterline-leakdb-hanoi`), and
pasted below in draw order; the script checks at start that the lists still match the rule.
Their leaks, from LeakDB's leak configurations shipped with epyt-flow (what its
`load_scenarios` turns into the scenarios' events; nothing is simulated to count them):

    network  0 leaks  1 leak  2 leaks   leaks  abrupt  incipient  both leaks at once
    Net1        11      30       9        48     23       25          4 scenarios
    Hanoi        9      34       7        48     23       25          4 scenarios

Without leaks: Net1 314 300 824 773 763 323 437 618 964 338 670, Hanoi 171 155 267 55 857
820 27 107 807. With two: Net1 318 497 894 849 521 744 620 196 258, Hanoi 372 753 227 153 202
803 34. The leaks last from 1 step to 326 days (median 85 days on Net1, 75 on Hanoi).

All 2000 LeakDB scenarios for comparison: Net1 261 / 517 / 216 with 0 / 1 / 2 leaks (and
six with 3 or 4, none sampled), Hanoi 238 / 504 / 258. The run prints the counts of the
scenarios it is about to write, and with --days below 365 how many of their leaks start in
the window.

Sizes and times, measured one scenario at a time (365 days, 2-core machine): a Net1 scenario
is 23 sensors x 17,520 steps = 402,960 readings, 12.9 MB, 3.3 s in all (1.2 s in EPANET,
0.2 s writing); a Hanoi one 65 sensors, 1,138,800 readings, 37.9 MB, 3.6 s (1.1 s EPANET,
0.6 s writing). The full sample is about 2.5 GB.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import multiprocessing
import os
import random
import re
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCENARIO_SCRIPT = os.path.join(REPO, "scripts", "leakdb-scenario.py")

# The sample (see the docstring for the rule); in draw order.
SCENARIO_IDS = {
    "net1": [533, 318, 314, 768, 651, 721, 505, 497, 233, 823, 300, 894, 824, 773, 849, 461, 299,
             521, 744, 667, 184, 792, 74, 714, 873, 367, 620, 674, 572, 763, 485, 756, 354, 323,
             775, 666, 587, 104, 437, 196, 618, 964, 282, 596, 562, 796, 338, 670, 467, 258],
    "hanoi": [21, 171, 660, 415, 372, 298, 753, 155, 675, 95, 323, 456, 713, 554, 287, 235, 158,
              267, 6, 55, 516, 813, 227, 832, 951, 309, 856, 490, 339, 153, 857, 577, 202, 926,
              820, 27, 253, 107, 803, 889, 942, 343, 24, 620, 815, 767, 34, 86, 807, 497],
}
SAMPLE_SIZE = 50
FILES = ["scenario.json", "sensors.csv", "readings.csv", "labels.json"]
STEPS_PER_DAY = 48


def load_scenario_module():
    """scripts/leakdb-scenario.py as a module (its name has a dash, so not importable by name)."""
    spec = importlib.util.spec_from_file_location("leakdb_scenario", SCENARIO_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


scenario = load_scenario_module()


def say(message: str) -> None:
    print(message, flush=True)


def fail(message: str, code: int = 1):
    print(f"leakdb-bench: error: {message}", file=sys.stderr, flush=True)
    sys.exit(code)


def sampled_ids(network: str) -> list[int]:
    return random.Random(f"waterline-leakdb-{network}").sample(range(1, 1001), SAMPLE_SIZE)


# MARK: - Command line


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Write a fixed sample of full-year LeakDB scenarios (50 Net1 + 50 Hanoi) as "
                    "Waterline scenario folders, with epyt-flow.")
    parser.add_argument("--networks", default="net1,hanoi", help="comma-separated: net1, hanoi (default both)")
    parser.add_argument("--count", type=int, default=SAMPLE_SIZE,
                        help=f"the first N scenario ids of each network (default all {SAMPLE_SIZE})")
    parser.add_argument("--days", type=int, default=365, help="days from the start of the year (default 365)")
    parser.add_argument("--jobs", type=int, default=2, help="scenarios built in parallel processes (default 2)")
    parser.add_argument("--out", default=os.path.join(REPO, "demo-data", "leakdb-bench"),
                        help="folder receiving one folder per scenario (default demo-data/leakdb-bench "
                             "in the repository)")
    parser.add_argument("--data", default=scenario.default_data_dir(),
                        help="folder with the LeakDB network and pattern files (default ../shared/data/leakdb)")
    args = parser.parse_args(argv)
    networks = [n.strip().lower() for n in args.networks.split(",") if n.strip()]
    unknown = [n for n in networks if n not in scenario.NETWORKS]
    if not networks or unknown:
        parser.error(f"--networks takes a comma-separated list of {', '.join(scenario.NETWORKS)}"
                     + (f" (unknown: {', '.join(unknown)})" if unknown else ""))
    args.networks = list(dict.fromkeys(networks))
    if not 1 <= args.count <= SAMPLE_SIZE:
        parser.error(f"--count must be between 1 and {SAMPLE_SIZE}")
    if not 1 <= args.days <= 365:
        parser.error("--days must be between 1 and 365")
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    args.out = os.path.abspath(args.out)
    args.data = os.path.abspath(args.data)
    return args


# MARK: - Checks before running


def check_inputs(args: argparse.Namespace) -> None:
    for network, ids in SCENARIO_IDS.items():
        if ids != sampled_ids(network):
            fail(f"the {network} id list no longer matches its documented rule "
                 f"(random.Random('waterline-leakdb-{network}').sample(range(1, 1001), {SAMPLE_SIZE}))")
    if not os.path.isdir(args.data):
        fail(f"--data {args.data} is not a folder (it should hold the LeakDB files, see "
             "../shared/data/README.md)")
    for key in args.networks:
        network = scenario.NETWORKS[key]
        needed = [network["inp"][0]] + scenario.PATTERN_FILES
        missing = [f for f in needed if not os.path.isfile(os.path.join(args.data, f))]
        if missing:
            fail(f"{network['name']} needs {', '.join(needed)} in --data {args.data}; missing: {', '.join(missing)}")
    try:
        os.makedirs(args.out, exist_ok=True)
    except OSError as error:
        fail(f"cannot create --out {args.out}: {error}")
    if not os.access(args.out, os.W_OK):
        fail(f"--out {args.out} is not writable")


def leak_configurations(key: str) -> dict:
    """LeakDB's leaks per scenario id (as shipped with epyt-flow), without simulating."""
    try:
        from epyt_flow.data.benchmarks.leakdb_data import HANOI_LEAKAGES, NET1_LEAKAGES
    except ImportError as error:
        fail(f"{error}; install the pinned packages: pip install -r scripts/requirements-leakdb.txt "
             "(or run `make leakdb-bench`)")
    return json.loads(NET1_LEAKAGES if scenario.NETWORKS[key]["use_net1"] else HANOI_LEAKAGES)


def describe_sample(key: str, ids: list[int], days: int) -> str:
    leaks = leak_configurations(key)
    counts: dict[int, int] = {}
    in_window = 0
    for sid in ids:
        scenario_leaks = leaks.get(str(sid), [])
        counts[len(scenario_leaks)] = counts.get(len(scenario_leaks), 0) + 1
        in_window += sum(leak["leak_start_time"] < days * STEPS_PER_DAY for leak in scenario_leaks)
    total = sum(n * c for n, c in counts.items())
    text = (f"{scenario.NETWORKS[key]['name']}: {len(ids)} scenario(s); leaks in the year: "
            + ", ".join(f"{c} with {n}" for n, c in sorted(counts.items())) + f" ({total} in all)")
    if days < 365:
        text += f"; {in_window} of them start in the first {days} days"
    return text


# MARK: - One scenario


def folder_name(key: str, sid: int) -> str:
    return f"{key}-{sid:04d}"


def complete_days(folder: str, key: str, sid: int) -> int | None:
    """The days of a complete scenario folder for this scenario, or None."""
    if not all(os.path.isfile(os.path.join(folder, f)) for f in FILES):
        return None
    try:
        with open(os.path.join(folder, "scenario.json")) as f:
            meta = json.load(f)
        with open(os.path.join(folder, "labels.json")) as f:
            json.load(f)
    except (OSError, ValueError):
        return None
    if meta.get("name") != f"leakdb-{key}-{sid}" or os.path.getsize(os.path.join(folder, "readings.csv")) == 0:
        return None
    # The scenario script's description says "first <days> days of the year".
    match = re.search(r"first (\d+) days of the year", meta.get("description", ""))
    return int(match.group(1)) if match else None


def folder_size(folder: str) -> int:
    return sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder))


def build_one(key: str, sid: int, days: int, out: str, data: str) -> dict:
    """Runs in a worker process: builds one scenario into a .partial folder, then renames it."""
    scenario.log = lambda message: None  # the scenario script's own progress lines: the parent reports
    started = time.monotonic()
    name = folder_name(key, sid)
    final = os.path.join(out, name)
    partial = os.path.join(out, f".{name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    argv = ["--network", scenario.NETWORKS[key]["name"], "--scenario", str(sid), "--days", str(days),
            "--out", partial, "--data", data]
    try:
        built = scenario.build_scenario(scenario.parse_args(argv))
        missing = [f for f in FILES if not os.path.isfile(os.path.join(partial, f))]
        if missing:
            raise scenario.ScenarioError(f"{', '.join(missing)} not written")
        size = folder_size(partial)
        if os.path.exists(final):  # incomplete or other days: replace it
            old = os.path.join(out, f".{name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.rename(final, old)
            os.rename(partial, final)
            shutil.rmtree(old)
        else:
            os.rename(partial, final)
    except scenario.ScenarioError as error:
        shutil.rmtree(partial, ignore_errors=True)
        return {"name": name, "error": str(error)}
    except Exception as error:  # anything else from epyt-flow or EPANET: report it, go on
        shutil.rmtree(partial, ignore_errors=True)
        return {"name": name, "error": f"{type(error).__name__}: {error}"}
    return {"name": name, "sensors": built.sensors, "steps": built.steps, "labels": len(built.labels),
            "build_s": built.build_s, "simulate_s": built.simulate_s, "write_s": built.write_s, "bytes": size,
            "total_s": time.monotonic() - started}


# MARK: - Main


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    check_inputs(args)
    started = time.monotonic()

    tasks = [(key, sid) for key in args.networks for sid in SCENARIO_IDS[key][:args.count]]
    for key in args.networks:
        say(describe_sample(key, SCENARIO_IDS[key][:args.count], args.days))
    say(f"writing {len(tasks)} scenario(s) of {args.days} days into {args.out} ({args.jobs} job(s))")

    total = len(tasks)
    done = 0
    todo = []
    for key, sid in tasks:
        name = folder_name(key, sid)
        have = complete_days(os.path.join(args.out, name), key, sid)
        if have == args.days:
            done += 1
            say(f"[{done}/{total}] {name}: already complete ({args.days} days), skipped")
        else:
            if have is not None:
                say(f"{name}: has {have} days, will be replaced")
            todo.append((key, sid))

    results = []
    if todo:
        # One BLAS thread per job (numpy draws the demand patterns): --jobs is the parallelism.
        for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ.setdefault(variable, "1")
        context = multiprocessing.get_context("spawn")
        # No max_tasks_per_child: Python 3.11's pool hangs when it replaces a worker.
        with ProcessPoolExecutor(max_workers=min(args.jobs, len(todo)), mp_context=context) as pool:
            futures = [pool.submit(build_one, key, sid, args.days, args.out, args.data) for key, sid in todo]
            try:
                for future in as_completed(futures):
                    result = future.result()
                    results.append(result)
                    done += 1
                    if "error" in result:
                        say(f"[{done}/{total}] {result['name']}: FAILED: {result['error']}")
                    else:
                        leaks = result["labels"]
                        say(f"[{done}/{total}] {result['name']}: simulated in {result['simulate_s']:.1f} s, "
                            f"{leaks} leak{'' if leaks == 1 else 's'} in labels; "
                            f"{result['sensors']} sensors x {result['steps']} steps, {result['bytes'] / 1e6:.1f} MB; "
                            f"{result['total_s']:.1f} s in all (build {result['build_s']:.1f} s, "
                            f"write {result['write_s']:.1f} s)")
            except KeyboardInterrupt:
                for future in futures:
                    future.cancel()
                fail("interrupted; run again to resume (complete scenarios are kept)", 130)

    failed = [r for r in results if "error" in r]
    written = [r for r in results if "error" not in r]
    say(f"done in {time.monotonic() - started:.0f} s: {len(written)} written, {total - len(results)} skipped, "
        f"{len(failed)} failed")
    for key in args.networks:
        mine = [r for r in written if r["name"].startswith(f"{key}-")]
        if mine:
            n = len(mine)
            say(f"  {scenario.NETWORKS[key]['name']}, mean per scenario: {sum(r['bytes'] for r in mine) / n / 1e6:.1f} MB, "
                f"{sum(r['total_s'] for r in mine) / n:.1f} s (build {sum(r['build_s'] for r in mine) / n:.1f} s, "
                f"simulate {sum(r['simulate_s'] for r in mine) / n:.1f} s, write {sum(r['write_s'] for r in mine) / n:.1f} s)")
    if failed:
        fail("failed: " + ", ".join(r["name"] for r in failed))


if __name__ == "__main__":
    main(sys.argv[1:])
