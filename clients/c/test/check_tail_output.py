"""Checks what waterline-tail printed against the test publisher's scenario
(test/publish_fixture.c) and the gateway stub (test/gateway_stub.py).

Usage: check_tail_output.py SCENARIO STDOUT STDERR STUB_LOG [CONFORMANCE_DIR]
SCENARIO: all (no filter, with catch-up), bursts (--type burst), south (--zone south),
failing (catch-up answered 503), no-gateway (no --gateway).
With CONFORMANCE_DIR, each update line is written there as <n>.waterline.v1.EventUpdate.json
beside the publisher's <n>...bin, for test/conformance.py."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from gateway_stub import EVENTS  # noqa: E402

GAP_NORTH = {"topic": "insight.north.burst", "publisher_id": "insight-a", "expected": 3, "received": 5, "missing": 2}
GAP_SOUTH = {"topic": "insight.south.burst", "publisher_id": "insight-a", "expected": 2, "received": 4, "missing": 2}
# (topic, publisher, sequence, updated_ms) of the decodable updates, in publishing order.
UPDATES = [
    ("insight.north.burst", "insight-a", 1, 1000),
    ("insight.north.burst", "insight-a", 2, 2000),
    ("insight.north.leak", "insight-a", 1, 2500),
    ("insight.north.burst", "insight-a", 5, 5000),
    ("insight.north.burst", "insight-b", 7, 5100),
    ("insight.south.burst", "insight-a", 1, 6000),
    ("insight.north.burst", "insight-a", 2, 7000),
    ("insight.north.burst", "insight-a", 3, 8000),
    ("insight.south.burst", "insight-a", 4, 9000),
    ("insight.north.leak", "insight-a", 2, 9500),
]
CATCH_UP_NORTH = [e for e in EVENTS if e["zone"] == "north" and e["type"] == "burst" and e["updated_ms"] >= 2000]
CATCH_UP_SOUTH = [e for e in EVENTS if e["zone"] == "south" and e["type"] == "burst" and e["updated_ms"] >= 6000]

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def expected_lines(scenario):
    """The lines expected, as ("update", index) / ("gap", obj) / ("catch_up", obj)."""
    lines = []
    for i, (topic, _, _, _) in enumerate(UPDATES):
        if scenario == "bursts" and not topic.endswith(".burst"):
            continue
        if scenario == "south" and ".south." not in topic:
            continue
        if i == 3:
            lines.append(("gap", GAP_NORTH))
            if scenario in ("all", "bursts"):
                lines += [("catch_up", e) for e in CATCH_UP_NORTH]
        if i == 8:
            lines.append(("gap", GAP_SOUTH))
            if scenario in ("all", "bursts", "south"):
                lines += [("catch_up", e) for e in CATCH_UP_SOUTH]
        lines.append(("update", i))
    return lines


def check_update(obj, index, number):
    topic, publisher, sequence, updated_ms = UPDATES[index]
    zone, kind = topic.split(".")[1:]
    check(obj.get("sequence") == str(sequence), f"line {number}: sequence {obj.get('sequence')!r}, expected '{sequence}'")
    check(obj.get("publisher_id") == publisher, f"line {number}: publisher_id {obj.get('publisher_id')!r}")
    check(obj.get("change") == "EVENT_CHANGE_ACKNOWLEDGED", f"line {number}: change {obj.get('change')!r}")
    check(obj.get("trace_id") == "4bf92f3577b34da6a3ce929d0e0e4736", f"line {number}: trace_id")
    e = obj.get("event", {})
    check(e.get("zone") == zone, f"line {number}: zone {e.get('zone')!r}")
    check(e.get("type") == "EVENT_TYPE_" + kind.upper(), f"line {number}: type {e.get('type')!r}")
    check(e.get("updated_ms") == str(updated_ms), f"line {number}: updated_ms {e.get('updated_ms')!r}")
    check(e.get("event_id") == f"evt-{zone}-{kind}-{index + 1 + (1 if index >= 6 else 0)}",
          f"line {number}: event_id {e.get('event_id')!r}")
    every = ["event_id", "type", "status", "zone", "sensor_ids", "start_ms", "last_evidence_ms", "end_ms", "severity",
             "confidence", "evidence", "model_version", "acknowledged_by", "acknowledged_ms", "resolved_by",
             "resolved_ms", "history", "updated_ms", "summary", "loss", "candidates", "location_note", "label",
             "labelled_by", "labelled_ms", "public_reports"]
    missing = [k for k in every if k not in e]
    check(not missing, f"line {number}: event fields missing: {missing}")
    check(e.get("status") == "EVENT_STATUS_ACKNOWLEDGED", f"line {number}: status")
    check(len(e.get("evidence", [])) == 2 and len(e.get("history", [])) == 2 and len(e.get("candidates", [])) == 2,
          f"line {number}: repeated fields")
    check(e.get("evidence", [{}])[0].get("first_ms") == "1718000000000", f"line {number}: nested int64")
    check(e.get("loss", {}).get("high_m3") == 1e300, f"line {number}: loss.high_m3")
    check(e.get("summary") == 'Burst on Mill St \\ pump 3: "large"\ttab\x01 Zürich 水 😀', f"line {number}: summary")
    check(e.get("confidence") == 0.1 and e.get("severity") == 0.8125, f"line {number}: doubles")


def main():
    scenario, out_path, err_path, log_path = sys.argv[1:5]
    conformance = sys.argv[5] if len(sys.argv) > 5 else None
    with open(out_path, encoding="utf-8") as f:
        raw = f.read()
    with open(err_path, encoding="utf-8") as f:
        err = f.read()
    check(raw.endswith("\n"), "stdout does not end with a newline")
    lines = raw.splitlines()
    expected = expected_lines(scenario)
    check(len(lines) == len(expected), f"{len(lines)} lines, expected {len(expected)}")
    for number, (line, (kind, want)) in enumerate(zip(lines, expected), 1):
        try:
            obj = json.loads(line)
        except ValueError as e:
            failures.append(f"line {number} is not JSON: {e}: {line[:200]}")
            continue
        if kind == "update":
            check("gap" not in obj and "catch_up" not in obj, f"line {number}: expected an update: {line[:200]}")
            check_update(obj, want, number)
            if conformance:
                index = sum(1 for k, _ in expected[:number - 1] if k == "update")
                with open(os.path.join(conformance, f"{index:03d}.waterline.v1.EventUpdate.json"), "w",
                          encoding="utf-8") as f:
                    f.write(line)
        else:
            check(list(obj) == [kind], f"line {number}: expected a {kind} line: {line[:200]}")
            check(obj.get(kind) == want, f"line {number}: {kind} is {obj.get(kind)}, expected {want}")

    # What the gateway was asked.
    asked = []
    if os.path.exists(log_path):
        with open(log_path) as f:
            asked = [json.loads(x) for x in f if x.strip()]
    if scenario == "no-gateway":
        check(asked == [], f"the gateway was asked {asked}")
        check("give --gateway to catch up" in err, "stderr does not say how to catch up")
    else:
        want = [{"limit": "1"}]
        if scenario in ("all", "bursts", "failing"):
            want.append({"zone": "north", "type": "burst", "updated_from": "2000", "limit": "1000"})
        want.append({"zone": "south", "type": "burst", "updated_from": "6000", "limit": "1000"})
        check(asked == want, f"the gateway was asked {asked}, expected {want}")
    check("gap on insight.south.burst: publisher insight-a went from sequence 1 to 4, 2 updates missed" in err,
          "stderr has no sentence about the gap")
    if scenario in ("all", "bursts", "failing", "no-gateway"):
        check("publisher insight-a restarted on insight.north.burst (sequence 2 after 5)" in err,
              "stderr does not mention the restart")
        check("skipped: message on insight.north.burst is not a waterline.v1.EventUpdate" in err,
              "stderr does not mention the undecodable message")
    if scenario == "failing":
        check("catching up on insight.north.burst through" in err and "the stream goes on" in err
              and "HTTP 503" in err and "insight unavailable: test" in err, "stderr does not explain the failed catch-up")
    if scenario == "all":
        check("caught up on insight.north.burst: 2 events changed since updated_ms 2000" in err,
              "stderr does not report the catch-up")

    if failures:
        print(f"tail test [{scenario}]: FAILED")
        for f in failures:
            print("  " + f)
        print("--- stdout\n" + raw + "--- stderr\n" + err)
        sys.exit(1)
    print(f"tail test [{scenario}]: {len(lines)} lines as expected")


main()
