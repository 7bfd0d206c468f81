"""A stand-in for the gateway's GET /api/v1/events in waterline-tail's tests (not the
real gateway: only what catching up needs).

Usage: gateway_stub.py PORT_FILE LOG_FILE TOKEN [fail-catch-up | slow-catch-up]
Listens on 127.0.0.1 (a free port, written to PORT_FILE), logs each events query as a
JSON line to LOG_FILE, answers 401 for another token, and with `fail-catch-up` 503 to
every query that has updated_from (the start-up check still works); with `slow-catch-up`
it answers those only after 30 s."""
import json
import os
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# What the gateway would hold: events as GET /api/v1/events returns them (proto field
# names, type/status labels, updated_ms a JSON number).
EVENTS = [
    {"event_id": "evt-n-old", "zone": "north", "type": "burst", "status": "resolved", "updated_ms": 1500,
     "summary": "before the gap", "severity": 0.5},
    {"event_id": "evt-n-3", "zone": "north", "type": "burst", "status": "open", "updated_ms": 3000,
     "summary": "Main \"B\" \\ broke\nat 03:00 — Zürich 水", "severity": 0.1, "sensor_ids": ["p-1", "p-2"],
     "loss": {"volume_m3": 12.5}, "end_ms": None},
    {"event_id": "evt-n-4", "zone": "north", "type": "burst", "status": "acknowledged", "updated_ms": 4000,
     "evidence": [{"sensor_id": "p-1", "peak_score": 1e-7}], "big": 9007199254740993},
    {"event_id": "evt-l-1", "zone": "north", "type": "leak", "status": "open", "updated_ms": 100},
    {"event_id": "evt-s-2", "zone": "south", "type": "burst", "status": "open", "updated_ms": 7000},
    {"event_id": "evt-s-3", "zone": "south", "type": "burst", "status": "open", "updated_ms": 8000},
]


def select(query):
    """The events a query asks for, in the order held."""
    one = {k: v[-1] for k, v in query.items()}
    updated_from = int(one.get("updated_from", "0"))
    limit = int(one.get("limit", "100"))
    found = [e for e in EVENTS
             if e["zone"] == one.get("zone", e["zone"]) and e["type"] == one.get("type", e["type"])
             and e["updated_ms"] >= updated_from]
    return found[:limit]


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body):
        data = json.dumps(body, indent=2, ensure_ascii=False).encode()  # pretty: the client compacts
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        if url.path != "/api/v1/events":
            return self.answer(404, {"error": {"status": 404, "code": "not_found", "message": "no such route"}})
        if self.headers.get("Authorization") != "Bearer " + self.server.token:
            return self.answer(401, {"error": {"status": 401, "code": "unauthenticated",
                                               "message": "missing or invalid token"}})
        with open(self.server.log, "a") as f:
            f.write(json.dumps({k: v[-1] for k, v in query.items()}) + "\n")
        if self.server.mode == "slow-catch-up" and "updated_from" in query:
            time.sleep(30)
        if self.server.mode == "fail-catch-up" and "updated_from" in query:
            return self.answer(503, {"error": {"status": 503, "code": "unavailable",
                                               "message": "insight unavailable: test"}})
        self.answer(200, {"events": select(query)})


def main():
    port_file, log, token = sys.argv[1:4]
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.token = token
    server.log = log
    server.daemon_threads = True
    server.mode = sys.argv[4] if len(sys.argv) > 4 else ""
    open(log, "w").close()
    with open(port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(port_file + ".tmp", port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
