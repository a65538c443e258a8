"""Keep-alive and speed: 1,000 sequential GETs with no injected latency take well under 2 seconds."""
from __future__ import annotations

import http.client
import time
from urllib.parse import urlsplit

from emu_support import FLOW

from harness import demo_headers

LIMIT_SECONDS = 2.0


def test_one_connection_serves_many_requests(emulator):
    parts = urlsplit(emulator.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    headers = demo_headers()
    try:
        connection.request("GET", f"/data/foundation/flowservice/flows/{FLOW}", headers=headers)
        first = connection.getresponse()
        first.read()
        sock = connection.sock
        for path in (f"/data/foundation/flowservice/flows/{FLOW}", "/data/foundation/flowservice/flows/nope", "/ims/token/v3"):
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            assert response.getheader("Content-Length") is not None
            response.read()
            assert connection.sock is sock  # the same socket: kept alive after 200, 404 and 405 responses
    finally:
        connection.close()


def test_requests_session_reuses_its_connection(emulator, api):
    for _attempt in range(5):
        assert api.get(f"/flows/{FLOW}").status_code == 200
    manager = api.session.get_adapter(emulator.url).poolmanager
    pools = [manager.pools[key] for key in manager.pools.keys()]
    assert [pool.num_connections for pool in pools] == [1]


def test_a_thousand_gets_in_under_two_seconds(emulator):
    parts = urlsplit(emulator.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    headers = demo_headers()
    path = f"/data/foundation/flowservice/flows/{FLOW}"
    try:
        started = time.perf_counter()
        for _attempt in range(1000):
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            assert response.status == 200
        elapsed = time.perf_counter() - started
    finally:
        connection.close()
    assert elapsed < LIMIT_SECONDS, f"1,000 GETs took {elapsed:.2f} s"
