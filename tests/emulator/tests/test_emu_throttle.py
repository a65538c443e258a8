"""Issue 17: the gateway's throttling of the Flow Service routes (token bucket, 429, Retry-After) and the log's times.

No assertion here rests on how fast the machine is: counts come from bursts sent faster than the bucket refills,
and rates are checked against the arrival times the emulator itself logged.
"""
from __future__ import annotations

import math
import subprocess
import sys
import threading
import time

import pytest
import requests
from emu_support import FLOW, TARGET, TOKEN_FORM, Api

from harness import RUN_PY, EmulatorError

GATEWAY_429 = {"error_code": "429050", "message": "Too many requests"}
SLOW = 0.1  # tokens a second: one every 10 s, so no token comes back while a test sends its burst


def statuses(api: Api, count: int, path: str = f"/flows/{FLOW}") -> list[int]:
    """Status codes of ``count`` GETs sent one after the other."""
    return [api.get(path).status_code for _attempt in range(count)]


def replay(arrivals: list[float], rate: float, burst: float) -> list[int]:
    """What a token bucket of this rate and size answers to requests arriving at these (sorted) times."""
    answers, tokens, last = [], burst, None
    for now in arrivals:
        if last is not None:
            tokens = min(burst, tokens + (now - last) * rate)
        last = now
        if tokens >= 1:
            tokens -= 1
            answers.append(200)
        else:
            answers.append(429)
    return answers


def test_off_by_default(emulator, api):
    assert {name: value for name, value in emulator.settings().items() if name.startswith("throttle_")} == {
        "throttle_rps": 0.0, "throttle_burst": None, "throttle_retry_after": "auto"}
    assert set(statuses(api, 30)) == {200}


def test_a_burst_passes_then_429_with_the_gateway_body(emulator, api):
    emulator.settings(throttle_rps=SLOW, throttle_burst=5)
    assert statuses(api, 5) == [200] * 5
    response = api.get(f"/flows/{FLOW}")
    assert response.status_code == 429
    assert response.json() == GATEWAY_429
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.headers["Retry-After"] == "10" and response.headers["x-request-id"]
    assert statuses(api, 2) == [429, 429]
    logged = emulator.requests()
    assert [entry["status"] for entry in logged] == [200] * 5 + [429] * 3
    assert [entry["retry_after"] for entry in logged] == [None] * 5 + ["10"] * 3


@pytest.mark.parametrize("rate, passed", [(SLOW, 1), (3, 3)])
def test_default_burst_is_the_rate_and_at_least_one(emulator, api, rate, passed):
    emulator.settings(throttle_rps=rate)
    statuses(api, passed + 2)
    logged = emulator.requests()
    assert [entry["status"] for entry in logged] == replay([entry["arrived"] for entry in logged], float(rate), max(1.0, float(rate)))
    assert [entry["status"] for entry in logged][:passed] == [200] * passed  # the bucket starts full


def test_rate_is_respected_under_concurrent_load(emulator):
    rate, burst = 20.0, 5.0
    emulator.settings(throttle_rps=rate, throttle_burst=burst)
    stop = time.monotonic() + 1.5

    def hammer():
        api = Api(emulator)
        while time.monotonic() < stop:
            api.get(f"/flows/{FLOW}")
        api.close()

    workers = [threading.Thread(target=hammer) for _worker in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    logged = sorted(emulator.requests(), key=lambda entry: entry["arrived"])
    arrivals = [entry["arrived"] for entry in logged]
    assert {entry["status"] for entry in logged} == {200, 429}
    assert [entry["status"] for entry in logged] == replay(arrivals, rate, burst)
    admitted = [entry["arrived"] for entry in logged if entry["status"] == 200]
    for first in range(len(admitted)):  # no window lets more through than the bucket holds plus what it gains
        for last in range(first, len(admitted)):
            assert last - first + 1 <= burst + rate * (admitted[last] - admitted[first]) + 1e-9


def test_retry_after_auto_is_the_wait_for_the_next_token_rounded_up(emulator, api):
    rate = 0.5
    emulator.settings(throttle_rps=rate)
    assert api.get(f"/flows/{FLOW}").status_code == 200
    refused = api.get(f"/flows/{FLOW}")
    assert refused.status_code == 429
    first, second = emulator.requests()
    tokens = min(1.0, 0.0 + (second["arrived"] - first["arrived"]) * rate)
    assert refused.headers["Retry-After"] == second["retry_after"] == str(max(1, math.ceil((1 - tokens) / rate)))
    time.sleep(int(refused.headers["Retry-After"]))
    assert api.get(f"/flows/{FLOW}").status_code == 200  # waiting what it said is enough


@pytest.mark.parametrize("setting, header", [(7, "7"), ("12", "12"), (0, "0"), ("none", None)])
def test_retry_after_fixed_or_none(emulator, api, setting, header):
    emulator.settings(throttle_rps=SLOW, throttle_retry_after=setting)
    assert statuses(api, 1) == [200]
    refused = api.get(f"/flows/{FLOW}")
    assert refused.status_code == 429 and refused.json() == GATEWAY_429
    assert refused.headers.get("Retry-After") == header
    assert emulator.requests()[-1]["retry_after"] == header


def test_a_429_changes_nothing(emulator, api):
    emulator.settings(throttle_rps=SLOW)
    before = {"flow": emulator.resource("flows", FLOW), "target": emulator.resource("targetConnections", TARGET)}
    emulator.add_fault(path="/targetConnections/", kind="status", status=503)
    assert statuses(api, 1) == [200]
    ops = [{"op": "replace", "path": "/params/path", "value": "throttled"}]
    assert api.patch(f"/targetConnections/{TARGET}", ops, if_match=before["target"]["etag"]).status_code == 429
    assert api.post(f"/flows/{FLOW}/action", params={"op": "disable"}, headers={**api.headers(), "If-Match": before["flow"]["etag"]}).status_code == 429
    assert emulator.resource("flows", FLOW) == before["flow"]
    assert emulator.resource("targetConnections", TARGET) == before["target"]
    assert [fault["count"] for fault in emulator.faults()] == [1]  # decided before the faults: none consumed
    patch = emulator.requests(method="PATCH")[0]
    assert patch["status"] == 429 and patch["body"] == ops


def test_only_the_flow_service_routes_are_throttled(emulator, api):
    emulator.settings(throttle_rps=SLOW)
    assert statuses(api, 1) == [200]
    assert requests.post(emulator.url + "/ims/token/v3", data=TOKEN_FORM, timeout=10).status_code == 200
    assert requests.get(emulator.url + "/elsewhere", timeout=10).status_code == 404
    assert requests.get(emulator.url + "/_emulator/health", timeout=10).status_code == 200
    assert api.get("/noSuchCollection").status_code == 429  # the gateway throttles before routing ...
    assert api.get(f"/flows/{FLOW}", headers={}).status_code == 429  # ... and before its credential checks


def test_settings_change_and_reset_refill_the_bucket(own_emulator):
    emulator = own_emulator("--throttle-rps", "0.1", "--throttle-burst", "2", "--throttle-retry-after", "5")
    api = Api(emulator)
    assert {name: value for name, value in emulator.settings().items() if name.startswith("throttle_")} == {
        "throttle_rps": 0.1, "throttle_burst": 2.0, "throttle_retry_after": 5}
    assert statuses(api, 3) == [200, 200, 429]
    assert api.get(f"/flows/{FLOW}").headers["Retry-After"] == "5"
    emulator.reset()  # same values, full bucket
    assert statuses(api, 3) == [200, 200, 429]
    assert emulator.settings(throttle_rps=0)["throttle_rps"] == 0.0
    assert set(statuses(api, 10)) == {200}
    emulator.settings(throttle_burst=3, throttle_rps=SLOW)
    assert statuses(api, 4) == [200, 200, 200, 429]
    emulator.reset()
    assert emulator.settings()["throttle_burst"] == 2.0
    assert statuses(api, 3) == [200, 200, 429]
    api.close()


@pytest.mark.parametrize("changes, words", [
    ({"throttle_rps": -1}, "throttle_rps"), ({"throttle_rps": "fast"}, "throttle_rps"), ({"throttle_rps": True}, "throttle_rps"),
    ({"throttle_rps": float("inf")}, "throttle_rps"), ({"throttle_burst": 0.5}, "throttle_burst"), ({"throttle_burst": "x"}, "throttle_burst"),
    ({"throttle_retry_after": "soon"}, "throttle_retry_after"), ({"throttle_retry_after": -1}, "throttle_retry_after"),
    ({"throttle_retry_after": 1.5}, "throttle_retry_after"), ({"throttle_retry_after": True}, "throttle_retry_after"),
])
def test_bad_throttle_settings_are_refused_and_change_nothing(emulator, changes, words):
    before = emulator.settings()
    with pytest.raises(EmulatorError) as caught:
        emulator.settings(**{"throttle_rps": 5, **changes})
    assert caught.value.status == 400 and words in str(caught.value)
    assert emulator.settings() == before


def test_settings_accept_numbers_and_normalise_them(emulator):
    changed = emulator.settings(throttle_rps=40, throttle_burst=10, throttle_retry_after="3")
    assert (changed["throttle_rps"], changed["throttle_burst"], changed["throttle_retry_after"]) == (40.0, 10.0, 3)
    assert emulator.settings(throttle_burst=None, throttle_retry_after="none")["throttle_burst"] is None


@pytest.mark.parametrize("args", [["--throttle-rps", "-1"], ["--throttle-rps", "x"], ["--throttle-rps", "nan"], ["--throttle-burst", "0.5"],
                                  ["--throttle-retry-after", "soon"], ["--throttle-retry-after", "-3"], ["--throttle-retry-after", "1.5"]])
def test_bad_throttle_options(args):
    with subprocess.Popen([sys.executable, str(RUN_PY), "--port", "0", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
        err = process.communicate(timeout=20)[1]
    assert process.returncode == 2 and "usage:" in err and args[0] in err


def test_a_429_is_answered_on_arrival_without_the_latency(own_emulator):
    emulator = own_emulator("--latency-ms", "1000", "--throttle-rps", "0.1")
    api = Api(emulator)
    assert statuses(api, 2) == [200, 429]
    admitted, refused = emulator.requests()
    assert admitted["answered"] - admitted["arrived"] >= 1.0
    assert refused["answered"] - refused["arrived"] < 1.0
    api.close()
