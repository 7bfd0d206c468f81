#!/usr/bin/env bash
# The L-Town half-year through the running services, compared event by event with an
# in-process run of the same readings (`make ltown-check`; README, "History import").
#
#   1. `waterline up` on its own ports and a new database under $LTOWN_RUN_DIR;
#   2. `waterline import` of the scenario folder, stopped with SIGINT at a third of the
#      file and run again, which goes on from where the first run got;
#   3. the services stopped with SIGINT while they are still working the history off,
#      and started again (they catch up from MongoDB);
#   4. `waterline eval events --against`: the same readings through the in-process
#      pipeline, and insight's events once every clean point is scored and they settled,
#      compared one by one (exit status 1 when any differs), plus the stored totals.
#
# About 40 minutes on a 2-core machine. Needs the release build (make release).
set -euo pipefail

data=${LTOWN_DATA:-../shared/data/ltown-2018}
run=${LTOWN_RUN_DIR:-var/ltown-check}
bin=.build/release
base=7400
mongo_port=27417
[ -x "$bin/waterline" ] || { echo "ltown-check: no $bin/waterline; run make release first" >&2; exit 2; }
[ -f "$data/scenario.json" ] || { echo "ltown-check: no scenario folder at $data (set LTOWN_DATA)" >&2; exit 2; }

rm -rf "$run"
mkdir -p "$run/scenario"
# The in-process run reads readings.csv; the import reads the folder as it is.
for f in scenario.json sensors.csv labels.json network.inp; do
    [ -f "$data/$f" ] && cp "$data/$f" "$run/scenario/"
done
if [ -f "$data/readings.csv" ]; then cp "$data/readings.csv" "$run/scenario/"; else gzip -dc "$data/readings.csv.gz" > "$run/scenario/readings.csv"; fi

# Starts `waterline up` in the background (job control on, so that SIGINT reaches it)
# and waits until every service serves.
start_up() {
    set -m
    "$bin/waterline" up --data-dir "$run/data" --base-port $base --http-port $((base + 80)) --mongo-port $mongo_port > "$run/$1" 2>&1 &
    up=$!
    set +m
    for _ in $(seq 1 3600); do
        grep -q "Waterline is up" "$run/$1" && break
        kill -0 $up 2>/dev/null || { cat "$run/$1" >&2; exit 1; }
        sleep 1
    done
    grep -q "Waterline is up" "$run/$1" || { echo "ltown-check: waterline up did not come up" >&2; exit 1; }
    echo "ltown-check: Waterline is up ($1; logs in $run/data/logs)"
}
start_up up-1.log
trap 'kill -INT $up 2>/dev/null; wait $up 2>/dev/null || true' EXIT

import=("$bin/waterline" import "$data" --ingest "tcp://127.0.0.1:$((base + 1))" --progress-dir "$run/imports")
started=$(date +%s)
# Stopped with SIGINT once a third of the file is read, then resumed. Job control on:
# a background job of a script would otherwise ignore SIGINT, as Ctrl-C never would.
set -m
"${import[@]}" 2> "$run/import-1.err" &
first=$!
set +m
while kill -0 $first 2>/dev/null; do
    if grep -o '[0-9]*% ' "$run/import-1.err" | tail -1 | awk '{ exit !($1 + 0 >= 33) }'; then
        kill -INT $first
        break
    fi
    sleep 1
done
wait $first && { echo "ltown-check: the import finished before it could be stopped" >&2; exit 1; }
echo "ltown-check: first import run stopped: $(tr '\r' '\n' < "$run/import-1.err" | grep . | tail -1)"
"${import[@]}"
echo "ltown-check: import done after $(( $(date +%s) - started )) s"

# The services stopped while the pipeline is still working the history off, and
# started again: they catch up from MongoDB, and the events must not change.
kill -INT $up
wait $up || true
echo "ltown-check: services stopped mid-pipeline"
start_up up-2.log

"$bin/waterline" eval events "$run/scenario" --against "tcp://127.0.0.1:$((base + 31))" \
    --mongo-uri "mongodb://127.0.0.1:$mongo_port/?directConnection=true"
echo "ltown-check: from the start of the import to the comparison: $(( $(date +%s) - started )) s"
