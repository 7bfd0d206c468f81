#!/bin/sh
# waterline-tail against the test publisher (test/publish_fixture.c) and a gateway stub
# (test/gateway_stub.py). Usage: tail_test.sh BUILD_DIR
#
# The publisher's scenario, in order (topic, publisher, sequence):
#   north.burst a 1, north.burst a 2, north.leak a 1,
#   north.burst a 5            gap: 3..4 missed -> catch-up zone=north type=burst updated_from=2000
#   north.burst b 7            another replica, first seen: no gap
#   south.burst a 1, (an undecodable message on north.burst),
#   north.burst a 2            went back: restarted, no gap
#   north.burst a 3,
#   south.burst a 4            gap: 2..3 missed -> catch-up zone=south type=burst updated_from=6000
#   north.leak a 2
set -u
unset WATERLINE_TOKEN
build=$1
tail_bin=$build/waterline-tail
fixture=$build/test/publish_fixture
work=$build/test/tail
rm -rf "$work" && mkdir -p "$work"
py=python3
failed=0
stub_pid=""

cleanup() {
    [ -n "$stub_pid" ] && kill "$stub_pid" 2>/dev/null
    return 0
}
trap cleanup EXIT

wait_file() { # file, seconds
    i=0
    while [ ! -s "$1" ]; do
        i=$((i + 1))
        [ $i -gt $(($2 * 20)) ] && return 1
        sleep 0.05
    done
}

start_stub() { # mode
    rm -f "$work/port" "$work/stub.log"
    $py test/gateway_stub.py "$work/port" "$work/stub.log" test-token ${1:-} &
    stub_pid=$!
    wait_file "$work/port" 10 || { echo "tail test: the gateway stub did not start"; exit 1; }
    gateway="http://127.0.0.1:$(cat "$work/port")"
}

stop_stub() {
    kill "$stub_pid" 2>/dev/null
    wait "$stub_pid" 2>/dev/null
    stub_pid=""
}

# run SCENARIO COUNT [tail options...]: the publisher, then waterline-tail until COUNT updates.
run() {
    scenario=$1
    count=$2
    shift 2
    dir=$work/$scenario
    mkdir -p "$dir/dump"
    [ -n "$stub_pid" ] && : >"$work/stub.log" # what the gateway is asked during this run only
    "$fixture" --endpoint-file "$dir/endpoint" --dump "$dir/dump" &
    fixture_pid=$!
    if ! wait_file "$dir/endpoint" 10; then
        echo "tail test [$scenario]: the publisher did not start"
        failed=1
        return
    fi
    timeout 30 "$tail_bin" --endpoint "$(cat "$dir/endpoint")" --count "$count" "$@" >"$dir/out" 2>"$dir/err"
    rc=$?
    wait "$fixture_pid"
    if [ $rc -ne 0 ]; then
        echo "tail test [$scenario]: waterline-tail exited with $rc"
        cat "$dir/err"
        failed=1
        return
    fi
    conformance=""
    if [ "$scenario" = all ]; then
        conformance=$dir/dump
    fi
    $py test/check_tail_output.py "$scenario" "$dir/out" "$dir/err" "$work/stub.log" $conformance || failed=1
}

expect_exit() { # what, expected status, command...
    what=$1
    want=$2
    shift 2
    "$@" >"$work/x.out" 2>"$work/x.err"
    rc=$?
    if [ $rc -ne "$want" ]; then
        echo "tail test: $what: exit $rc, expected $want"
        cat "$work/x.err"
        failed=1
    else
        echo "tail test: $what: exit $rc as expected: $(head -n 1 "$work/x.err")"
    fi
}

printf 'test-token\n' >"$work/token"
printf 'wrong\n' >"$work/bad-token"

start_stub
run all 10 --gateway "$gateway" --token-file "$work/token"
run bursts 8 --type burst --gateway "$gateway" --token-file "$work/token"
export WATERLINE_TOKEN=test-token # the token from the environment this time
run south 2 --zone south --gateway "$gateway"
unset WATERLINE_TOKEN
expect_exit "refused token" 3 "$tail_bin" --gateway "$gateway" --token-file "$work/bad-token"
stop_stub

start_stub fail-catch-up
run failing 10 --gateway "$gateway" --token-file "$work/token"
stop_stub

# SIGTERM while a catch-up waits for a slow gateway: it stops within about a second, exit 0.
start_stub slow-catch-up
mkdir -p "$work/slow"
"$fixture" --endpoint-file "$work/slow/endpoint" &
fixture_pid=$!
wait_file "$work/slow/endpoint" 10
"$tail_bin" --endpoint "$(cat "$work/slow/endpoint")" --gateway "$gateway" --token-file "$work/token" \
    >"$work/slow/out" 2>"$work/slow/err" &
pid=$!
i=0
until grep -q "catching up through the gateway" "$work/slow/err" 2>/dev/null || [ $i -gt 200 ]; do
    sleep 0.05
    i=$((i + 1))
done
start=$(date +%s)
kill -s TERM $pid
wait $pid
rc=$?
elapsed=$(($(date +%s) - start))
wait "$fixture_pid"
if [ $rc -ne 0 ] || [ $elapsed -gt 3 ]; then
    echo "tail test: SIGTERM during a catch-up: exit $rc after ${elapsed}s, expected 0 within 3 s"
    cat "$work/slow/err"
    failed=1
else
    echo "tail test: SIGTERM during a catch-up: exit 0 after ${elapsed}s as expected"
fi
stop_stub

rm -f "$work/stub.log"
run no-gateway 10

# The update lines parse with the reference proto3 JSON parser to the published messages.
if [ -d "$work/all/dump" ]; then
    sh test/conformance.sh "$build" ../../proto "$work/all/dump" || failed=1
fi

expect_exit "unreachable gateway" 3 env WATERLINE_TOKEN=x "$tail_bin" --gateway http://127.0.0.1:1
expect_exit "no token" 2 env -u WATERLINE_TOKEN "$tail_bin" --gateway http://127.0.0.1:1
expect_exit "bad option" 2 "$tail_bin" --count 0
expect_exit "bad endpoint" 2 "$tail_bin" --endpoint 127.0.0.1:7032
expect_exit "help" 0 "$tail_bin" --help

# SIGINT and SIGTERM end it cleanly (exit 0) while it waits.
for sig in INT TERM; do
    "$tail_bin" --quiet --endpoint tcp://127.0.0.1:1 >"$work/sig.out" 2>"$work/sig.err" &
    pid=$!
    sleep 0.3
    kill -s $sig $pid
    wait $pid
    rc=$?
    if [ $rc -ne 0 ]; then
        echo "tail test: SIG$sig: exit $rc, expected 0"
        failed=1
    else
        echo "tail test: SIG$sig: exit 0 as expected"
    fi
done

if [ $failed -ne 0 ]; then
    echo "tail test: FAILED"
    exit 1
fi
echo "tail test: all passed"
