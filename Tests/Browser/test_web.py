#!/usr/bin/env python3
"""Browser tests of the Waterline web app against the real system.

Starts `waterline up` on free loopback ports with a fresh data folder, writes a small
simulated scenario, replays it into ingest while a headless Chromium (Selenium) watches
the dashboard, and checks the issue's acceptance criteria: a burst appears live on the
overview and can be acknowledged, the sensor page draws the series and the forecast band,
a public visitor sees levels and files a report but reaches no client page or data, and
the other client pages load with real content. Screenshots of every page go to
.build/browser-screenshots/.

Run from the repository root:  .venv/bin/python Tests/Browser/test_web.py
Exit status 0 only when every test passed. See Tests/Browser/README.md.
"""

from __future__ import annotations

import base64
import csv
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

from selenium import webdriver
from selenium.common.exceptions import (
    ElementClickInterceptedException,
    StaleElementReferenceException,
    TimeoutException,
    WebDriverException,
)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.ui import WebDriverWait

# ---------------------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------------------

REPO_ROOT = Path(__file__).resolve().parents[2]
BIN_DIR = Path(os.environ.get("WATERLINE_BIN_DIR", REPO_ROOT / ".build" / "debug")).resolve()
WEB_ROOT = Path(os.environ.get("WATERLINE_WEB_ROOT", REPO_ROOT / "web" / "dist")).resolve()
SCREENSHOT_DIR = Path(os.environ.get("WATERLINE_SCREENSHOT_DIR", REPO_ROOT / ".build" / "browser-screenshots")).resolve()
CHROMIUM = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER_BIN", "/usr/bin/chromedriver")
KEEP_DATA = os.environ.get("WATERLINE_BROWSER_KEEP_DATA") == "1"

# Timeouts in seconds: generous, the machine has 2 cores and runs a debug build.
CLUSTER_START_TIMEOUT = 120     # `waterline up` until /health/live answers 200
CLUSTER_STOP_TIMEOUT = 30       # SIGINT until the cluster has exited (then SIGTERM, SIGKILL)
BURST_TIMEOUT = 240             # replay start until the burst event is open
PIPELINE_TIMEOUT = 300          # replay start until a sensor's last reading is cleaned and scored
PAGE_TIMEOUT = 60               # a page shows its data (the sensor page probes ~10 series first)
IDLE_TIMEOUT = 120              # the database's backlog drains (see Environment.wait_for_idle)
IDLE_PROBE_SECONDS = 3.0        # a one-point series read this fast means the backlog is gone
EVIDENCE_RETRIES = 3            # Retry clicks per evidence chart that failed to load
ACTION_TIMEOUT = 30             # a button's result is shown
SCRIPT_TIMEOUT = 20             # an async script in the page (fetch) answers
HTTP_TIMEOUT = 30               # one REST call from the test
POLL_SECONDS = 1.0

SIMULATED_DAYS = 5
SIMULATED_STEP_MS = 300_000
DESKTOP_SIZE = (1366, 900)
PHONE_SIZE = (390, 844)
LEVELS_RADIUS_M = 1000
MAX_SCREENSHOT_HEIGHT = 8000

# Colours the sensor chart draws with (web/src/seriesDatasets.ts, COLOURS).
CLEAN_RGB = (0x00, 0x72, 0xB2)
BAND_RGB = (230, 159, 0)        # drawn with alpha 0.18
MIN_CLEAN_PIXELS = 500
MIN_BAND_PIXELS = 2000

# Routes an anonymous visitor's page may call (everything else is a client route).
PUBLIC_API_PREFIXES = ("/api/v1/auth/me", "/api/v1/public/")

T0 = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.monotonic() - T0:6.1f}s] {message}", flush=True)


class TransientHTTPError(Exception):
    """The gateway answered 429 or 5xx: worth asking again."""


def wait_until(what: str, timeout: float, probe: Callable[[], Any], every: float = POLL_SECONDS) -> Any:
    """Calls `probe` until it returns something truthy (returned); fails after `timeout`."""
    deadline = time.monotonic() + timeout
    last_error: Optional[BaseException] = None
    while True:
        try:
            value = probe()
            if value:
                return value
        except (OSError, ValueError, KeyError, TransientHTTPError) as error:
            last_error = error
        if time.monotonic() >= deadline:
            detail = f" (last error: {last_error})" if last_error else ""
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}{detail}")
        time.sleep(every)


# ---------------------------------------------------------------------------------------
# Ports, the cluster, the REST API, the scenario
# ---------------------------------------------------------------------------------------


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


@dataclass(frozen=True)
class Ports:
    base: int
    http: int
    mongo: int

    @staticmethod
    def pick() -> "Ports":
        """A base port B with B+1..B+32 free, and free HTTP and Mongo ports just above (below
        the kernel's ephemeral range, so outgoing connections do not take them)."""
        rng = random.Random()
        for _ in range(200):
            base = rng.randrange(12_000, 30_000, 50)
            http, mongo = base + 40, base + 41
            if all(port_is_free(p) for p in [*range(base + 1, base + 33), http, mongo]):
                return Ports(base, http, mongo)
        raise RuntimeError("found no free block of ports on 127.0.0.1")


class Api:
    """A tiny REST client of the gateway (urllib): JSON in, (status, JSON) out."""

    def __init__(self, base_url: str):
        self.base_url = base_url.rstrip("/")
        self.token: Optional[str] = None

    def call(self, method: str, path: str, body: Any = None, token: Optional[str] = None) -> tuple[int, Any]:
        """`token`: None sends the operator's (after login), "" sends none (anonymous)."""
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(body).encode()
        bearer = self.token if token is None else token
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        request = urllib.request.Request(self.base_url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:
                return response.status, _json(response.read())
        except urllib.error.HTTPError as error:
            return error.code, _json(error.read())

    def get(self, path: str, token: Optional[str] = None) -> Any:
        status, body = self.call("GET", path, token=token)
        if status == 429 or status >= 500:
            raise TransientHTTPError(f"GET {path} answered {status}: {body}")
        if status != 200:
            raise AssertionError(f"GET {path} answered {status}: {body}")
        return body

    def login(self, name: str, password: str) -> str:
        status, body = self.call("POST", "/api/v1/auth/login", {"name": name, "password": password})
        if status != 200:
            raise AssertionError(f"login as {name} answered {status}: {body}")
        self.token = body["token"]
        return self.token


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return raw.decode(errors="replace")


class Cluster:
    """`waterline up` on free loopback ports with its own data folder."""

    def __init__(self, work_dir: Path):
        self.data_dir = work_dir / "data"
        self.log_path = work_dir / "waterline-up.log"
        self.ports: Optional[Ports] = None
        self.process: Optional[subprocess.Popen] = None
        self._log_file = None

    @property
    def http_url(self) -> str:
        assert self.ports
        return f"http://127.0.0.1:{self.ports.http}/"

    @property
    def ingest_endpoint(self) -> str:
        assert self.ports
        return f"tcp://127.0.0.1:{self.ports.base + 1}"

    def start(self, attempts: int = 2) -> None:
        for attempt in range(1, attempts + 1):
            self.ports = Ports.pick()
            log(f"starting waterline up (base port {self.ports.base}, http {self.ports.http}, mongo {self.ports.mongo})")
            self._log_file = open(self.log_path, "ab")
            self.process = subprocess.Popen(
                [
                    str(BIN_DIR / "waterline"), "up",
                    "--data-dir", str(self.data_dir),
                    "--base-port", str(self.ports.base),
                    "--http-port", str(self.ports.http),
                    "--mongo-port", str(self.ports.mongo),
                    "--web-root", str(WEB_ROOT),
                ],
                cwd=REPO_ROOT, stdin=subprocess.DEVNULL, stdout=self._log_file, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                wait_until("GET /api/v1/health/live and the first client account", CLUSTER_START_TIMEOUT, self._ready)
                log(f"cluster is up at {self.http_url}")
                return
            except AssertionError:
                exited = self.process.poll() is not None
                self.stop()
                if not exited or attempt == attempts:
                    raise
                log("waterline up exited early (a port taken meanwhile?): trying other ports")

    def _ready(self) -> bool:
        if self.process and self.process.poll() is not None:
            raise AssertionError(f"waterline up exited with {self.process.returncode}:\n{self.tail_logs()}")
        if not self.first_client_file.exists():
            return False
        try:
            with urllib.request.urlopen(self.http_url + "api/v1/health/live", timeout=5) as response:
                return response.status == 200
        except OSError:
            return False

    @property
    def first_client_file(self) -> Path:
        return self.data_dir / "gateway" / "first-client"

    def operator_credentials(self) -> tuple[str, str]:
        name, password = self.first_client_file.read_text().split()[:2]
        return name, password

    def stop(self) -> None:
        process, self.process = self.process, None
        if process and process.poll() is None:
            log("stopping the cluster")
            for sig, wait in ((signal.SIGINT, CLUSTER_STOP_TIMEOUT), (signal.SIGTERM, 10), (signal.SIGKILL, 10)):
                try:
                    os.killpg(process.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    process.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    log(f"waterline up still running after {sig.name}")
        if self._log_file:
            self._log_file.close()
            self._log_file = None

    def tail_logs(self, lines: int = 15) -> str:
        parts = []
        for path in [self.log_path, *sorted((self.data_dir / "logs").glob("*.log"))]:
            if path.exists():
                text = path.read_text(errors="replace").splitlines()[-lines:]
                parts.append(f"--- {path.name}\n" + "\n".join(text))
        return "\n".join(parts)

    def save_logs(self, to: Path) -> None:
        to.mkdir(parents=True, exist_ok=True)
        for path in [self.log_path, *(self.data_dir / "logs").glob("*.log")]:
            if path.exists():
                shutil.copy(path, to / path.name)


@dataclass
class Scenario:
    """The simulated scenario's facts the tests need (from sensors.csv, labels.json, readings.csv)."""

    folder: Path
    sensors: list[dict]
    burst: dict
    last_reading_ms: dict[str, int]

    @staticmethod
    def simulate(folder: Path) -> "Scenario":
        log(f"simulating {SIMULATED_DAYS} days at {SIMULATED_STEP_MS // 1000} s steps")
        run([str(BIN_DIR / "waterline"), "simulate", "-o", str(folder),
             "--days", str(SIMULATED_DAYS), "--step-ms", str(SIMULATED_STEP_MS)])
        with open(folder / "sensors.csv", newline="") as f:
            sensors = list(csv.DictReader(f))
        bursts = [label for label in json.loads((folder / "labels.json").read_text()) if label["type"] == "burst"]
        if not bursts:
            raise RuntimeError("the simulated scenario has no burst in labels.json")
        last: dict[str, int] = {}
        with open(folder / "readings.csv", newline="") as f:
            for row in csv.DictReader(f):
                last[row["sensor_id"]] = max(last.get(row["sensor_id"], 0), int(row["ts_ms"]))
        return Scenario(folder, sensors, bursts[0], last)

    @property
    def burst_zone(self) -> str:
        return self.burst["zone"]

    def burst_pressure_sensor(self) -> dict:
        """The burst zone's pressure sensor at the burst's node, else the zone's first one."""
        pressure = [s for s in self.sensors if s["zone"] == self.burst_zone and s["kind"] == "pressure"]
        at_node = [s for s in pressure if s["node_id"] == self.burst.get("node_id")]
        return (at_node or pressure)[0]

    def tank(self) -> dict:
        return next(s for s in self.sensors if s["kind"] == "level")


def run(command: list[str]) -> None:
    result = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}{result.stderr}")


class Replay:
    """`waterline replay` in the background (started once)."""

    def __init__(self, scenario: Scenario, ingest: str, log_path: Path):
        self.scenario, self.ingest, self.log_path = scenario, ingest, log_path
        self.process: Optional[subprocess.Popen] = None
        self.started_at: Optional[float] = None
        self._log_file = None

    def start(self) -> None:
        if self.process:
            return
        log("starting the replay")
        self._log_file = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [str(BIN_DIR / "waterline"), "replay", str(self.scenario.folder), "--ingest", self.ingest],
            cwd=REPO_ROOT, stdin=subprocess.DEVNULL, stdout=self._log_file, stderr=subprocess.STDOUT,
        )
        self.started_at = time.monotonic()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log_file:
            self._log_file.close()
            self._log_file = None

    def wait_done(self, timeout: float) -> None:
        assert self.process, "the replay was not started"
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"the replay did not finish within {timeout:.0f} s") from None
        self.check_not_failed()
        log(f"the replay finished {time.monotonic() - self.started_at:.0f} s after it started")

    def check_not_failed(self) -> None:
        if self.process and self.process.poll() not in (None, 0):
            output = self.log_path.read_text(errors="replace")[-2000:]
            raise AssertionError(f"waterline replay failed ({self.process.returncode}):\n{output}")


# ---------------------------------------------------------------------------------------
# The browser
# ---------------------------------------------------------------------------------------

# Installed before the app's scripts run: records every `insight` message the app's
# EventSource receives (the app itself is unchanged), so a test can tell that an event
# came over the live stream.
RECORD_STREAM_JS = r"""
(() => {
  const Native = window.EventSource;
  if (!Native) return;
  window.__streamInsights = [];
  window.EventSource = class extends Native {
    constructor(url, init) {
      super(url, init);
      this.addEventListener("insight", (message) => {
        try {
          const e = JSON.parse(message.data);
          window.__streamInsights.push({ id: e.event_id, type: e.type, status: e.status });
        } catch (error) { /* not JSON: the app skips it too */ }
      });
    }
  };
})();
"""

# The Chart.js chart behind a canvas. The bundle does not expose Chart.getChart, so this
# finds the chart in the SeriesChart component's ref through React's fiber of the canvas.
CHART_DATASETS_JS = r"""
const canvas = arguments[0];
const key = Object.keys(canvas).find((k) => k.startsWith("__reactFiber$"));
if (!key) return { error: "the canvas has no React fiber" };
for (let fiber = canvas[key]; fiber; fiber = fiber.return) {
  for (let hook = fiber.memoizedState; hook && typeof hook === "object" && "next" in hook; hook = hook.next) {
    const chart = hook.memoizedState && hook.memoizedState.current;
    if (chart && chart.canvas === canvas && chart.data && Array.isArray(chart.data.datasets)) {
      const byLabel = {};
      for (const ds of chart.data.datasets) byLabel[ds.label] = ds;
      const lower = byLabel["band-lower"], upper = byLabel["Forecast 90 % band"];
      let wideBand = 0;
      if (lower && upper) {
        for (let i = 0; i < Math.min(lower.data.length, upper.data.length); i++) {
          const lo = lower.data[i].y, hi = upper.data[i].y;
          if (lo !== null && hi !== null && hi > lo) wideBand++;
        }
      }
      return {
        datasets: chart.data.datasets.map((ds) => ({
          label: ds.label,
          points: ds.data.filter((p) => p && p.y !== null && Number.isFinite(p.y)).length,
          fill: ds.fill === undefined ? null : ds.fill,
          hidden: !chart.isDatasetVisible(chart.data.datasets.indexOf(ds)),
        })),
        wideBand,
      };
    }
  }
}
return { error: "no Chart.js chart found for the canvas" };
"""

# What the canvas shows: painted pixels, the clean line's and the band's colours, and
# whether it differs from a blank canvas of the same size.
CANVAS_PIXELS_JS = r"""
const [canvas, clean, band] = arguments;
const blank = document.createElement("canvas");
blank.width = canvas.width;
blank.height = canvas.height;
const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
const near = (i, rgb, tol) =>
  Math.abs(pixels[i] - rgb[0]) <= tol && Math.abs(pixels[i + 1] - rgb[1]) <= tol && Math.abs(pixels[i + 2] - rgb[2]) <= tol;
let painted = 0, cleanPixels = 0, bandPixels = 0;
for (let i = 0; i < pixels.length; i += 4) {
  const alpha = pixels[i + 3];
  if (alpha === 0) continue;
  painted++;
  if (alpha > 200 && near(i, clean, 30)) cleanPixels++;
  else if (alpha >= 25 && alpha <= 80 && near(i, band, 30)) bandPixels++;
}
return { width: canvas.width, height: canvas.height, painted, cleanPixels, bandPixels,
         blank: canvas.toDataURL() === blank.toDataURL() };
"""

# Calls a route from the page's own JavaScript and answers its status.
FETCH_STATUS_JS = r"""
const [path, done] = [arguments[0], arguments[arguments.length - 1]];
fetch(path, { credentials: "same-origin", cache: "no-store" }).then((r) => done(r.status), (e) => done("error: " + e));
"""

# Records the report form's POSTs and their answers; `window.__reportOverride` (when set)
# is merged into the JSON body on the way out: the server sees what the form would never send.
REPORT_FETCH_HOOK_JS = r"""
if (!window.__reportCalls) {
  window.__reportCalls = [];
  const original = window.fetch.bind(window);
  window.fetch = async (input, init) => {
    const url = typeof input === "string" ? input : input.url;
    if (!url.startsWith("/api/v1/public/reports") || !init || init.method !== "POST") return original(input, init);
    let body = JSON.parse(init.body);
    if (window.__reportOverride) body = Object.assign(body, window.__reportOverride);
    const response = await original(input, Object.assign({}, init, { body: JSON.stringify(body) }));
    const answer = await response.clone().json().catch(() => null);
    window.__reportCalls.push({ sent: body, status: response.status, answer });
    return response;
  };
}
"""


def css(testid: str, extra: str = "") -> str:
    return f'[data-testid="{testid}"]{extra}'


class Browser:
    """One headless Chromium session (a person's browser) with the waits the tests use."""

    def __init__(self, name: str, base_url: str):
        self.name = name
        self.base_url = base_url
        options = webdriver.ChromeOptions()
        for argument in ("--headless=new", "--no-sandbox", "--disable-gpu",
                         f"--window-size={DESKTOP_SIZE[0]},{DESKTOP_SIZE[1]}",
                         "--lang=en-US", "--disable-dev-shm-usage"):
            options.add_argument(argument)
        options.add_experimental_option("prefs", {"intl.accept_languages": "en-US,en"})
        options.binary_location = CHROMIUM
        self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        self.driver.set_script_timeout(SCRIPT_TIMEOUT)
        self.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_STREAM_JS})

    def quit(self) -> None:
        try:
            self.driver.quit()
        except WebDriverException:
            pass

    # -- navigation and waiting --

    def open(self, route: str) -> None:
        """Loads the app at a hash route."""
        self.driver.get(self.base_url + route)

    def go(self, route: str) -> None:
        """Changes the hash route of the open page (no reload)."""
        self.driver.execute_script("window.location.hash = arguments[0];", route)

    def wait(self, what: str, condition: Callable[[Any], Any], timeout: float = PAGE_TIMEOUT,
             ignored: tuple[type[Exception], ...] = ()) -> Any:
        """Polls `condition(driver)` until it is truthy; an element that a live update
        re-rendered meanwhile (stale) is looked up again at the next poll."""
        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.25,
                                 ignored_exceptions=(StaleElementReferenceException, *ignored)).until(condition)
        except TimeoutException as error:  # it carries no useful message by itself
            raise AssertionError(f"[{self.name}] timed out after {timeout:.0f} s waiting for {what}"
                                 f" (at {self.driver.current_url})") from error

    def element(self, selector: str, timeout: float = PAGE_TIMEOUT, visible: bool = True) -> WebElement:
        def found(driver):
            for e in driver.find_elements(By.CSS_SELECTOR, selector):
                if not visible or e.is_displayed():
                    return e
            return None
        return self.wait(f"{selector}", found, timeout)

    def elements(self, selector: str) -> list[WebElement]:
        return self.driver.find_elements(By.CSS_SELECTOR, selector)

    def absent(self, selector: str) -> bool:
        return not self.elements(selector)

    def wait_no_loading(self, timeout: float = PAGE_TIMEOUT) -> None:
        self.wait("the page to finish loading", lambda d: not d.find_elements(By.CSS_SELECTOR, css("loading")), timeout)

    def js(self, script: str, *args: Any) -> Any:
        return self.driver.execute_script(script, *args)

    def js_async(self, script: str, *args: Any) -> Any:
        return self.driver.execute_async_script(script, *args)

    # -- input --

    def type(self, testid: str, text: str) -> None:
        field = self.element(css(testid))
        field.send_keys(Keys.CONTROL, "a")
        field.send_keys(Keys.DELETE)
        if text:
            field.send_keys(text)

    def click(self, selector: str, timeout: float = PAGE_TIMEOUT) -> None:
        """Clicks an element, finding it again if a live update re-rendered it meanwhile."""
        def clicked(_):
            element = self.element(selector, timeout=timeout)
            self.js("arguments[0].scrollIntoView({block: 'center'});", element)
            element.click()
            return True
        self.wait(f"a click on {selector}", clicked, timeout, ignored=(ElementClickInterceptedException,))

    # -- screenshots --

    def screenshot(self, name: str) -> Path:
        """The whole page (beyond the viewport) as SCREENSHOT_DIR/<name>.png."""
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOT_DIR / f"{name}.png"
        try:
            size = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
            # The window's width: the capture lays the whole page out without a scrollbar.
            width = max(size["width"], self.js("return window.innerWidth;"))
            clip = {"x": 0, "y": 0, "width": width, "height": min(size["height"], MAX_SCREENSHOT_HEIGHT), "scale": 1}
            shot = self.driver.execute_cdp_cmd("Page.captureScreenshot",
                                               {"format": "png", "captureBeyondViewport": True, "clip": clip})
            path.write_bytes(base64.b64decode(shot["data"]))
        except (WebDriverException, KeyError):
            self.driver.save_screenshot(str(path))
        log(f"screenshot {path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path}")
        return path

    # -- device size --

    def emulate(self, width: int, height: int, mobile: bool) -> None:
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                    {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})

    def stop_emulating(self) -> None:
        self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


# ---------------------------------------------------------------------------------------
# The environment shared by the tests
# ---------------------------------------------------------------------------------------


class Environment:
    """The running system, the scenario, the REST client and the browsers."""

    def __init__(self) -> None:
        self.work_dir = Path(tempfile.mkdtemp(prefix="waterline-browser-"))
        self.cluster = Cluster(self.work_dir)
        self.scenario: Optional[Scenario] = None
        self.replay: Optional[Replay] = None
        self.api: Optional[Api] = None
        self.browsers: dict[str, Browser] = {}
        self.operator: tuple[str, str] = ("", "")
        self.filed_report_id: Optional[str] = None
        self.failed = False

    def start(self) -> None:
        for binary in ("waterline", "waterline-gateway", "waterline-ingest", "waterline-preprocess",
                       "waterline-model", "waterline-insight"):
            if not (BIN_DIR / binary).exists():
                raise RuntimeError(f"{BIN_DIR / binary} is missing: build it first (or set WATERLINE_BIN_DIR)")
        if not (WEB_ROOT / "index.html").exists():
            raise RuntimeError(f"{WEB_ROOT}/index.html is missing: run `bash web/build.sh`")
        self.scenario = Scenario.simulate(self.work_dir / "scenario")
        self.cluster.start()
        self.operator = self.cluster.operator_credentials()
        self.api = Api(self.cluster.http_url)
        self.api.login(*self.operator)
        self.replay = Replay(self.scenario, self.cluster.ingest_endpoint, self.work_dir / "replay.log")

    def browser(self, name: str) -> Browser:
        if name not in self.browsers:
            log(f"starting headless Chromium ({name})")
            self.browsers[name] = Browser(name, self.cluster.http_url)
        return self.browsers[name]

    def close_browser(self, name: str) -> None:
        browser = self.browsers.pop(name, None)
        if browser:
            browser.quit()

    def close(self) -> None:
        for name in list(self.browsers):
            self.close_browser(name)
        if self.replay:
            self.replay.stop()
        self.cluster.stop()
        if self.failed and self.cluster.log_path.exists():
            self.cluster.save_logs(SCREENSHOT_DIR / "logs")
            if self.replay and self.replay.log_path.exists():
                shutil.copy(self.replay.log_path, SCREENSHOT_DIR / "logs" / "replay.log")
            log(f"cluster logs copied to {SCREENSHOT_DIR / 'logs'}")
        if KEEP_DATA:
            log(f"kept {self.work_dir}")
        else:
            shutil.rmtree(self.work_dir, ignore_errors=True)

    # -- waiting for the pipeline (REST) --

    def burst_event(self, timeout: float = BURST_TIMEOUT) -> dict:
        """Starts the replay if no test has, then waits for the burst event in the API."""
        self.replay.start()

        def burst():
            self.replay.check_not_failed()
            events = self.api.get(f"/api/v1/events?type=burst&zone={self.scenario.burst_zone}")["events"]
            return events[0] if events else None
        return wait_until("the burst event in GET /api/v1/events", timeout, burst)

    def wait_for_quiet(self) -> None:
        """The replay has ended, the burst zone's pressure sensor is scored to its last
        reading and the database has caught up: the RPC deadlines hold again."""
        self.replay.start()
        self.replay.wait_done(PIPELINE_TIMEOUT)
        self.wait_for_processed(self.scenario.burst_pressure_sensor()["sensor_id"], "scores")
        self.wait_for_idle()

    def wait_for_idle(self) -> None:
        """Waits until a one-point series read (ingest, preprocess and model each query the
        database) answers 200 within IDLE_PROBE_SECONDS. SecantusDB answers queries one at a
        time, and queries the gateway gave up on still run: after a burst of reads (the
        event page's evidence charts) it needs a while before a write is quick again."""
        sensor_id = self.scenario.burst_pressure_sensor()["sensor_id"]

        def idle():
            started = time.monotonic()
            status, _ = self.api.call("GET", f"/api/v1/sensors/{sensor_id}/series?from=0&limit=1")
            return status == 200 and time.monotonic() - started <= IDLE_PROBE_SECONDS
        started = time.monotonic()
        wait_until("the database to catch up (a quick one-point series read)", IDLE_TIMEOUT, idle, every=0.5)
        log(f"the services answer promptly again (waited {time.monotonic() - started:.0f} s)")

    def wait_for_processed(self, sensor_id: str, kind: str = "scores", timeout: float = PIPELINE_TIMEOUT) -> int:
        """Waits until the sensor's last replayed reading has its `kind` point (clean or
        scores); answers how many points of that kind the last day holds."""
        self.replay.start()
        last = self.scenario.last_reading_ms[sensor_id]
        since = last - 24 * 3600 * 1000

        def processed():
            self.replay.check_not_failed()
            points = self.api.get(f"/api/v1/sensors/{sensor_id}/series?from={since}&limit=100000")[kind]
            return len(points) if points and points[-1]["ts_ms"] >= last else 0
        count = wait_until(f"{kind} of {sensor_id} up to its last reading", timeout, processed)
        log(f"{sensor_id}: {count} {kind} in its last day, up to its last reading")
        return count


ENV: Optional[Environment] = None


# ---------------------------------------------------------------------------------------
# The tests (run in name order: a, b, c, d, e)
# ---------------------------------------------------------------------------------------


class WebAppTests(unittest.TestCase):
    maxDiff = None

    @property
    def env(self) -> Environment:
        assert ENV is not None
        return ENV

    def client(self) -> Browser:
        """The operator's browser, signed in (signs in when a previous test did not)."""
        browser = self.env.browser("client")
        on_app = browser.driver.current_url.startswith(self.env.cluster.http_url)
        if not (on_app and browser.js("return sessionStorage.getItem('waterline.token') !== null")):
            self.sign_in(browser)
        return browser

    def sign_in(self, browser: Browser, screenshot: Optional[str] = None) -> None:
        """Signs in as the operator on #/login and lands on the overview."""
        name, password = self.env.operator
        browser.open("#/login")
        browser.element(css("login-form"))
        browser.type("login-name", name)
        browser.type("login-password", password)
        if screenshot:
            browser.screenshot(screenshot)
        browser.click(css("login-submit"))
        browser.wait("the overview after signing in", lambda d: d.current_url.endswith("#/overview"))
        browser.element(css("kpi-sensors-healthy"))
        self.assertEqual(browser.element(".nav-user-name").text, name)

    # -- a --

    def test_a_burst_appears_live_and_is_acknowledged(self) -> None:
        env, browser = self.env, self.env.browser("client")
        name = env.operator[0]

        log("a: signing in as the first client account")
        self.sign_in(browser, screenshot="01-login")
        empty = browser.element(css("open-events"))
        self.assertEqual(empty.get_attribute("data-empty"), "true", "open events listed before any data was replayed")
        browser.element(css("live-status", '[data-status="live"]'))
        self.assertEqual(browser.element(css("live-status")).text.strip(), "live")
        browser.screenshot("02-overview")

        log("a: replaying the scenario while the overview stays open (no reload)")
        browser.js("window.__noReload = 1;")
        env.replay.start()
        row_css = css("open-events") + " " + css("event-row", '[data-event-type="burst"]')
        row = browser.element(row_css, timeout=BURST_TIMEOUT)
        event_id = row.get_attribute("data-event-id")
        log(f"a: the burst {event_id} appeared on the overview "
            f"{time.monotonic() - env.replay.started_at:.0f} s after the replay started")
        self.assertEqual(browser.js("return window.__noReload;"), 1, "the overview page was reloaded")
        # A zone event's id is <zone>-<type>-<start>; a young leak retyped a burst keeps "leak".
        self.assertTrue(event_id.startswith(f"{env.scenario.burst_zone}-"), event_id)
        self.assertEqual(row.get_attribute("data-event-status"), "open")
        streamed = browser.js("return (window.__streamInsights || []).filter(m => m.id === arguments[0]).length;",
                              event_id)
        self.assertGreater(streamed, 0, "the burst did not come over the page's live stream (EventSource)")
        self.assertIn("Burst", row.text)
        zone = env.scenario.burst_zone
        zone_rows = css("zone-summary") + " tbody tr"
        browser.wait(f"the zone summary to list zone {zone} (refreshed after live updates)",
                     lambda d: any(r.text.split()[:1] == [zone] for r in browser.elements(zone_rows)))
        browser.screenshot("03-overview-live-burst")

        # Acting while the replay floods the services can miss the gateway's 5 s RPC
        # deadline (a 503 although insight applied the action): act once it has settled.
        log("a: waiting for the replay to end and the pipeline to catch up before acting")
        env.wait_for_quiet()
        self.assertEqual(browser.js("return window.__noReload;"), 1, "the overview page was reloaded")

        log("a: opening the burst and acknowledging it")
        browser.click(row_css + f'[data-event-id="{event_id}"] a')
        detail = browser.element(css("event-detail", f'[data-event-id="{event_id}"]'))
        self.assertIn(f"Zone {zone}", detail.text)
        status = browser.element(css("event-status"))
        self.assertEqual(status.get_attribute("data-status"), "open")
        self.assertEqual(status.text.strip(), "Open")
        self.assertTrue(browser.element(css("action-acknowledge")).is_enabled())
        browser.element(css("event-evidence"), visible=False)
        self._evidence_charts_drawn(browser)
        browser.screenshot("04-event-detail")

        env.wait_for_idle()  # an action that misses the 5 s deadline answers 503 though applied
        browser.click(css("action-acknowledge"))
        answered = css("action-done") + "," + css("action-error")
        browser.wait("the acknowledge call to answer", lambda d: d.find_elements(By.CSS_SELECTOR, answered), ACTION_TIMEOUT)
        errors = [e.text for e in browser.elements(css("action-error"))]
        self.assertEqual(errors, [], "acknowledge failed")
        browser.element(css("event-status", '[data-status="acknowledged"]'), timeout=ACTION_TIMEOUT)
        self.assertEqual(browser.element(css("event-status")).get_attribute("data-status"), "acknowledged")
        self.assertEqual(browser.element(css("action-done")).text.strip(), "Acknowledged.")
        self.assertFalse(browser.element(css("action-acknowledge")).is_enabled(), "acknowledge stays enabled")
        self.assertEqual(browser.js("return window.__noReload;"), 1, "the page was reloaded")
        browser.screenshot("05-event-acknowledged")

        token = browser.js("return sessionStorage.getItem('waterline.token');")
        self.assertTrue(token, "no token in sessionStorage")
        stored = env.api.get(f"/api/v1/events/{event_id}", token=token)
        self.assertEqual(stored["status"], "acknowledged")
        self.assertEqual(stored["acknowledged_by"], name)

    def _evidence_charts_drawn(self, browser: Browser) -> None:
        """Every evidence chart ends up drawn. The page loads them all at once (each a series
        read from three services); on SecantusDB some miss the gateway's deadline and show
        an error with a Retry button: those are retried one at a time, as a person would."""
        sensors = [c.get_attribute("data-sensor-id") for c in browser.elements(css("evidence-chart"))]
        self.assertGreater(len(sensors), 0, "the event page shows no evidence chart")
        for sensor_id in sensors:
            self._wait_evidence_chart_settled(browser, sensor_id)
        failed = [s for s in sensors if browser.elements(f"{self._evidence_chart(s)} {css('error-banner')}")]
        if failed:
            first_error = browser.element(f"{self._evidence_chart(failed[0])} {css('error-banner')}").text
            log(f"a: {len(failed)} of {len(sensors)} evidence charts failed to load at first "
                f"({first_error.splitlines()[0]}): retrying them one at a time")
        for sensor_id in failed:
            banner_css = f"{self._evidence_chart(sensor_id)} {css('error-banner')}"
            for _ in range(EVIDENCE_RETRIES):
                banners = browser.elements(banner_css)
                if not banners:
                    break
                self.env.wait_for_idle()
                browser.click(f"{banner_css} button")
                browser.wait(f"the evidence chart of {sensor_id} to reload", staleness_of(banners[0]))
                self._wait_evidence_chart_settled(browser, sensor_id)
        drawn = [s for s in sensors if browser.elements(f"{self._evidence_chart(s)} canvas")]
        self.assertEqual(drawn, sensors, "evidence charts still fail after retrying")

    @staticmethod
    def _evidence_chart(sensor_id: str) -> str:
        return f'{css("evidence-chart")}[data-sensor-id="{sensor_id}"]'

    def _wait_evidence_chart_settled(self, browser: Browser, sensor_id: str) -> None:
        """Waits until the chart is drawn or shows its error (no longer loading)."""
        chart = self._evidence_chart(sensor_id)
        browser.wait(f"the evidence chart of {sensor_id} to load or fail",
                     lambda d: d.find_elements(By.CSS_SELECTOR, f"{chart} canvas, {chart} {css('error-banner')}"))

    # -- b --

    def test_b_sensor_page_draws_series_and_forecast_band(self) -> None:
        env = self.env
        sensor = env.scenario.burst_pressure_sensor()
        sensor_id = sensor["sensor_id"]
        log(f"b: waiting until {sensor_id} is cleaned and scored to its last reading")
        env.wait_for_processed(sensor_id, "clean")
        env.wait_for_processed(sensor_id, "scores")
        # The page shows "last 24 h" of the sensor's newest point, with 5 min of headroom.
        newest = env.scenario.last_reading_ms[sensor_id]
        headroom = 5 * 60 * 1000
        expected = env.api.get(f"/api/v1/sensors/{sensor_id}/series?from={newest - 24 * 3600 * 1000 + headroom}"
                               f"&to={newest + headroom}&limit=100000")

        browser = self.client()
        log(f"b: opening #/sensors/{sensor_id}")
        browser.go(f"#/sensors/{sensor_id}")
        canvas = browser.element("canvas" + css("sensor-chart"))
        note = browser.wait("the chart's point counts", lambda d: self._chart_note(browser))
        browser.wait_no_loading()
        raw_n, clean_n, score_n = note
        log(f"b: the page says {raw_n} raw readings, {clean_n} clean points, {score_n} scores")
        self.assertGreater(score_n, 0)
        self.assertEqual((raw_n, clean_n, score_n),
                         (len(expected["raw"]), len(expected["clean"]), len(expected["scores"])),
                         "the page's counts differ from the API's for the same range")

        chart = browser.js(CHART_DATASETS_JS, canvas)
        self.assertNotIn("error", chart, chart.get("error"))
        points = {d["label"]: d["points"] for d in chart["datasets"]}
        log(f"b: Chart.js datasets {points}; band wider than a line at {chart['wideBand']} points")
        self.assertEqual(points.get("Raw"), raw_n)
        self.assertEqual(points.get("Clean"), clean_n)
        self.assertEqual(points.get("band-lower"), score_n)
        self.assertEqual(points.get("Forecast 90 % band"), score_n)
        self.assertEqual(points.get("Forecast mean"), score_n)
        band = next(d for d in chart["datasets"] if d["label"] == "Forecast 90 % band")
        self.assertEqual(band["fill"], "-1", "the band is not filled down to its lower edge")
        self.assertGreater(chart["wideBand"], score_n // 2, "the forecast band has no width at most points")
        anomalous = sum(s["anomalous"] for s in expected["scores"])
        self.assertGreater(anomalous, 0, "the burst left no anomalous point on its zone's pressure sensor")
        self.assertEqual(points.get(f"Anomalous ({anomalous})"), anomalous)

        pixels = browser.js(CANVAS_PIXELS_JS, canvas, list(CLEAN_RGB), list(BAND_RGB))
        log(f"b: canvas {pixels}")
        self.assertFalse(pixels["blank"], "the chart canvas is blank")
        self.assertGreaterEqual(pixels["cleanPixels"], MIN_CLEAN_PIXELS, "the clean line is not drawn")
        self.assertGreaterEqual(pixels["bandPixels"], MIN_BAND_PIXELS, "the forecast band is not drawn")
        self.assertIn(f"of {clean_n} clean points flagged", browser.element(css("quality-flags")).text)
        browser.screenshot("06-sensor")
        self._sensor_page_draws_a_month_from_rollups(browser, sensor_id, newest)

    def _sensor_page_draws_a_month_from_rollups(self, browser: Browser, sensor_id: str, newest: int) -> None:
        """"Last 30 d" asks for a month: drawn from 5-minute rollups, as the API gives them."""
        headroom = 5 * 60 * 1000
        expected = self.env.api.get(f"/api/v1/sensors/{sensor_id}/series?from={newest - 30 * 86400 * 1000 + headroom}"
                                    f"&to={newest + headroom}")
        self.assertEqual(expected["resolution"], "5m")
        summarised = sum(r["count"] for r in expected["rollups"])
        self.assertGreater(summarised, 0, "the API has no rollups for the month")
        browser.click(css("range-30d"))
        browser.wait("the rollup note", lambda d: d.find_elements(By.CSS_SELECTOR, css("rollup-note")))
        browser.wait_no_loading()
        text = browser.element(css("rollup-note")).text
        log(f"b: 30 d: {text}")
        self.assertIn(f"{len(expected['rollups'])} 5m summaries of {summarised} clean points", text)
        canvas = browser.element("canvas" + css("sensor-chart"))
        chart = browser.js(CHART_DATASETS_JS, canvas)
        points = {d["label"]: d["points"] for d in chart["datasets"]}
        # A step with no clean value (its points all in a gap) has a count of 0 and no mean: not drawn.
        drawn = sum(1 for r in expected["rollups"] if r.get("mean") is not None)
        self.assertGreater(drawn, len(expected["rollups"]) // 2, "most 5-minute steps have no mean")
        self.assertEqual(points.get("Clean 5-minute mean"), drawn, points)
        self.assertEqual(points.get("Clean 5-minute min–max"), drawn, points)
        browser.screenshot("06b-sensor-30-days")

    @staticmethod
    def _chart_note(browser: Browser) -> Optional[tuple[int, int, int]]:
        notes = browser.elements(".chart-note")
        if not notes:
            return None
        match = re.search(r"(\d[\d,]*) raw readings · (\d[\d,]*) clean points · (\d[\d,]*) scores", notes[0].text)
        return tuple(int(g.replace(",", "")) for g in match.groups()) if match else None

    # -- c --

    def test_c_public_visitor(self) -> None:
        env = self.env
        tank = env.scenario.tank()
        env.wait_for_processed(tank["sensor_id"], "clean")
        browser = env.browser("public")  # a new browser session: no token, never signed in
        self._public_levels(browser, tank)
        self._public_report(browser)
        self._public_report_rejected(browser)
        self._public_cannot_reach_client_pages(browser)
        env.close_browser("public")

    def _public_levels(self, browser: Browser, tank: dict) -> None:
        log(f"c: levels near the tank {tank['sensor_id']} ({tank['lat']}, {tank['lon']})")
        browser.open("#/public")
        browser.element(css("public-page"))
        self.assertTrue(browser.absent(css("nav-overview")), "an anonymous visitor sees the client navigation")
        browser.element(css("nav-login"))
        browser.type("levels-lat", tank["lat"])
        browser.type("levels-lon", tank["lon"])
        browser.type("levels-radius", str(LEVELS_RADIUS_M))
        browser.click(css("levels-submit"))
        browser.element(css("levels-result"))
        query = f"lat={tank['lat']}&lon={tank['lon']}&radius={LEVELS_RADIUS_M}"
        expected = self.env.api.get(f"/api/v1/public/levels?{query}", token="")
        rows = browser.elements(css("tank-row"))
        self.assertEqual(len(rows), len(expected["tanks"]))
        self.assertGreaterEqual(len(rows), 1, "no tank shown near the tank's own position")
        first = expected["tanks"][0]
        self.assertEqual(rows[0].get_attribute("data-tank"), first["name"])
        self.assertIsNotNone(first["level_m"], "the tank has no level yet")
        self.assertIn(f"{first['level_m']:.2f} m", rows[0].text)
        pressure = browser.element(css("pressure-status"))
        self.assertEqual(pressure.get_attribute("data-status"), expected["pressure"]["status"])
        self.assertIn(expected["pressure"]["status"], ("normal", "low", "outage"), "pressure unknown after the replay")
        self.assertTrue(expected["pressure"]["message"])
        self.assertIn(expected["pressure"]["message"], pressure.text)
        log(f"c: tank {first['name']} at {first['level_m']:.2f} m; pressure: {expected['pressure']['message']}")
        browser.screenshot("11-public-levels")

    def _fill_report(self, browser: Browser, name: str, lat: str, lon: str) -> None:
        browser.type("report-name", name)
        browser.type("report-locality", "Main Street 12")
        browser.type("report-remark", "Water is bubbling up between the paving stones.")
        browser.click(css("report-leak-yes"))
        browser.type("report-lat", lat)
        browser.type("report-lon", lon)

    def _public_report(self, browser: Browser) -> None:
        log("c: filing a report")
        browser.js(REPORT_FETCH_HOOK_JS)
        near = self.env.scenario.burst_pressure_sensor()
        self._fill_report(browser, "Anna de Vries", near["lat"], near["lon"])
        browser.click(css("report-submit"))
        success = browser.element(css("report-success"), timeout=ACTION_TIMEOUT)
        report_id = success.get_attribute("data-report-id")
        self.assertTrue(report_id, "no report id in the success message")
        self.assertIn(f"report {report_id} received", success.text)
        calls = browser.js("return window.__reportCalls;")
        self.assertEqual([c["status"] for c in calls], [201])
        self.assertEqual(calls[0]["answer"]["report_id"], report_id)
        self.assertEqual(browser.element(css("report-name")).get_attribute("value"), "", "the form was not cleared")
        self.env.filed_report_id = report_id
        log(f"c: report {report_id} filed")
        browser.screenshot("12-public-report")

    def _public_report_rejected(self, browser: Browser) -> None:
        log("c: a malformed name is refused next to the field (the form's own check)")
        self._fill_report(browser, "<b>x</b>", "", "")
        browser.click(css("report-submit"))
        name_error = browser.element(css("report-name-error"))
        self.assertIn("“<” is not allowed", name_error.text)
        self.assertEqual(browser.element(css("report-name")).get_attribute("aria-invalid"), "true")
        self.assertEqual(len(browser.js("return window.__reportCalls;")), 1, "the form sent a malformed report")

        log("c: latitude 200 reaches the server (form check bypassed): its 422 is shown at the field")
        browser.js("window.__reportOverride = { lat: 200 };")
        self._fill_report(browser, "Anna de Vries", "52.0", "4.35")
        browser.click(css("report-submit"))
        lat_error = browser.element(css("report-lat-error"), timeout=ACTION_TIMEOUT)
        browser.js("window.__reportOverride = null;")
        call = browser.js("return window.__reportCalls[window.__reportCalls.length - 1];")
        self.assertEqual(call["sent"]["lat"], 200)
        self.assertEqual(call["status"], 422)
        self.assertEqual(call["answer"]["error"]["field"], "lat")
        server_message = call["answer"]["error"]["message"]
        self.assertEqual(lat_error.text.strip(), server_message)
        self.assertEqual(browser.element(css("report-error")).text.strip(), server_message)
        self.assertTrue(browser.absent(css("report-success")))
        self.assertEqual(browser.element(css("report-lat")).get_attribute("aria-invalid"), "true")
        log(f"c: the server said: {server_message}")
        browser.screenshot("13-public-report-error")

    def _public_cannot_reach_client_pages(self, browser: Browser) -> None:
        client_markers = ["open-events", "events-list", "users-table", "event-row", "kpi-water-today",
                          "network-map", "sensor-table", "models-table", "reports-list", "nav-overview", "nav-admin"]
        for route in ("#/overview", "#/events", "#/admin"):
            log(f"c: an anonymous visitor opens {route}")
            browser.go(route)
            shown = browser.wait("the public or the login page",
                                 lambda d: d.find_elements(By.CSS_SELECTOR, css("login-form") + "," + css("public-page")))
            self.assertTrue(shown[0].is_displayed())
            for marker in client_markers:
                self.assertTrue(browser.absent(css(marker)), f"{route} shows {marker} to an anonymous visitor")
            if route == "#/admin":
                browser.screenshot("14-public-blocked")
        self.assertIsNone(browser.js("return sessionStorage.getItem('waterline.token');"))
        called = browser.js("return performance.getEntriesByType('resource').map(e => new URL(e.name).pathname)"
                            ".filter(p => p.startsWith('/api/'));")
        client_calls = sorted({p for p in called if not p.startswith(PUBLIC_API_PREFIXES)})
        self.assertEqual(client_calls, [], "the anonymous visitor's page called client routes")
        for path in ("/api/v1/events", "/api/v1/users"):
            status = browser.js_async(FETCH_STATUS_JS, path)
            log(f"c: fetch('{path}') from the page answered {status}")
            self.assertEqual(status, 401, f"{path} from an anonymous page")

    # -- d --

    def test_d_client_pages_load(self) -> None:
        env = self.env
        burst = env.burst_event()
        if env.filed_report_id is None:  # test c failed before filing: file one over REST
            status, receipt = env.api.call("POST", "/api/v1/public/reports", {
                "name": "Anna de Vries", "locality": "Main Street 12", "suspected_leak": True}, token="")
            self.assertEqual(status, 201, receipt)
            env.filed_report_id = receipt["report_id"]
        browser = self.client()
        self._events_page(browser, burst)
        self._models_page(browser)
        self._reports_page(browser)
        self._admin_page(browser)

    def _events_page(self, browser: Browser, burst: dict) -> None:
        log("d: #/events")
        browser.go("#/events")
        listing = browser.element(css("events-list"))
        row = browser.element(css("events-list") + " " + css("event-row", f'[data-event-id="{burst["event_id"]}"]'))
        self.assertEqual(row.get_attribute("data-event-type"), "burst")
        self.assertEqual(row.get_attribute("data-event-status"), burst["status"])
        rows = browser.elements(css("events-list") + " " + css("event-row"))
        self.assertGreaterEqual(len(rows), 2, "the scenario's other events are missing")
        self.assertIn(f"{len(rows)} events, newest first.", browser.element("section.card > p.muted").text)
        self.assertIn("Burst", listing.text)
        browser.screenshot("07-events")

    def _models_page(self, browser: Browser) -> None:
        log("d: #/models")
        browser.go("#/models")
        browser.element("#registry-title")
        browser.wait_no_loading()
        self.assertTrue(browser.absent(css("error-banner")), "the models page shows an error")
        models = self.env.api.get("/api/v1/models")["models"] or []
        runs = self.env.api.get("/api/v1/training-runs")["runs"] or []
        self.assertEqual(len(browser.elements(css("model-row"))), len(models))
        self.assertEqual(len(browser.elements(css("run-row"))), len(runs))
        text = browser.element("main").text
        if not models:
            self.assertIn("No trained models yet", text)
        if not runs:
            self.assertIn("No training runs yet", text)
        self.assertTrue(browser.element(css("train-now")).is_enabled())
        browser.screenshot("08-models")

    def _reports_page(self, browser: Browser) -> None:
        log("d: #/reports")
        browser.go("#/reports")
        report_id = self.env.filed_report_id
        row = browser.element(css("reports-list") + " " + css("report-row", f'[data-report-id="{report_id}"]'))
        self.assertEqual(row.get_attribute("data-status"), "new")
        self.assertIn("Main Street 12", row.text)
        self.assertIn("from Anna de Vries", row.text)
        self.assertIn("suspected leak", row.text)
        stored = next(r for r in self.env.api.get("/api/v1/reports")["reports"] if r["report_id"] == report_id)
        linked = [a.text for a in row.find_elements(By.CSS_SELECTOR, ".report-meta a")]
        self.assertEqual(linked, stored["event_ids"], "the report's matched events")
        browser.screenshot("09-reports")

    def _admin_page(self, browser: Browser) -> None:
        log("d: #/admin")
        browser.go("#/admin")
        row = browser.element(css("users-table") + " " + css("user-row", '[data-user="operator"]'))
        self.assertEqual(row.get_attribute("data-disabled"), "false")
        self.assertIn("(you)", row.text)
        self.assertIn("admin", row.text)
        users = self.env.api.get("/api/v1/users")["users"]
        self.assertEqual(len(browser.elements(css("user-row"))), len(users))
        settings = self.env.api.get("/api/v1/settings")
        self.assertIn("Water lost is priced at the tariff", browser.element(css("setting-tariff")).text)
        self.assertEqual(float(browser.element(css("settings-tariff")).get_attribute("value")), settings["tariff_per_m3"])
        self.assertTrue(browser.absent(css("error-banner")), "the admin page shows an error")
        browser.screenshot("10-admin")

    # -- e --

    def test_e_overview_on_a_phone(self) -> None:
        env = self.env
        burst = env.burst_event()
        browser = self.client()
        log(f"e: the overview at {PHONE_SIZE[0]}x{PHONE_SIZE[1]}")
        browser.emulate(*PHONE_SIZE, mobile=True)  # left on: a failure screenshot shows the phone
        browser.go("#/overview")
        browser.element(css("open-events") + " " + css("event-row", f'[data-event-id="{burst["event_id"]}"]'))
        browser.element(css("network-map"))
        toggle = browser.element(css("nav-toggle"))
        self.assertFalse(browser.elements(css("nav-overview"))[0].is_displayed(), "the links are not folded")
        toggle.click()
        browser.element(css("nav-overview"))
        toggle.click()
        browser.wait("the menu to fold", lambda d: not browser.elements(css("nav-overview"))[0].is_displayed())
        # A page wider than the phone widens the layout viewport too: compare with the device.
        width = browser.js("return Math.max(document.documentElement.scrollWidth, window.innerWidth);")
        self.assertLessEqual(width, PHONE_SIZE[0], f"the overview is {width - PHONE_SIZE[0]} px wider than the phone")
        browser.screenshot("15-overview-phone")
        browser.stop_emulating()


# ---------------------------------------------------------------------------------------
# Runner: progress per test, screenshots of every open browser on a failure
# ---------------------------------------------------------------------------------------


class ScreenshotOnFailure(unittest.TextTestResult):
    def addFailure(self, test, err):  # noqa: N802 (unittest's names)
        self._capture(test)
        super().addFailure(test, err)

    def addError(self, test, err):  # noqa: N802
        self._capture(test)
        super().addError(test, err)

    def _capture(self, test) -> None:
        if ENV is None:
            return
        ENV.failed = True
        name = test.id().rsplit(".", 1)[-1]
        for browser in ENV.browsers.values():
            try:
                browser.screenshot(f"FAILED-{name}-{browser.name}")
            except WebDriverException as error:
                log(f"no failure screenshot from {browser.name}: {error}")


def _interrupted(*_: Any) -> None:
    raise KeyboardInterrupt  # unittest lets it through, so main's cleanup runs


def main() -> int:
    global ENV
    signal.signal(signal.SIGTERM, _interrupted)
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOT_DIR.glob("*.png"):
        old.unlink()
    shutil.rmtree(SCREENSHOT_DIR / "logs", ignore_errors=True)
    log(f"binaries {BIN_DIR}; web app {WEB_ROOT}; screenshots {SCREENSHOT_DIR}")
    ENV = Environment()
    ok = False
    try:
        ENV.start()
        suite = unittest.defaultTestLoader.loadTestsFromTestCase(WebAppTests)
        runner = unittest.TextTestRunner(verbosity=2, resultclass=ScreenshotOnFailure, stream=sys.stdout)
        ok = runner.run(suite).wasSuccessful()
    except KeyboardInterrupt:
        ENV.failed = True
        log("interrupted")
    except Exception as error:  # the system did not start: nothing was tested
        ENV.failed = True
        log(f"ERROR: {error}")
        if ENV.cluster.log_path.exists():
            log("the cluster's logs end with:\n" + ENV.cluster.tail_logs())
    finally:
        ENV.close()
    log("PASSED" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
