"""Keep-alive and speed: 1,000 sequential GETs with no injected latency take well under 2 seconds."""
from __future__ import annotations

import http.client
import os
import time
from pathlib import Path
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


def server_cpu_seconds(emulator) -> float | None:
    """User + system CPU time used so far by the emulator process (Linux /proc), or None elsewhere."""
    try:
        fields = Path(f"/proc/{emulator.process.pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def thousand_gets(emulator) -> float:
    """Wall-clock seconds for 1,000 sequential keep-alive GETs of the tutorial dataflow."""
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
        return time.perf_counter() - started
    finally:
        connection.close()


def test_a_thousand_gets_in_under_two_seconds(emulator):
    """The server's own CPU time is always checked; the wall clock when no parallel worker shares the cores.

    Under pytest-xdist the other workers (and their emulators) compete for the same CPUs, so a wall-clock
    bound would measure the machine's load rather than the emulator; the best of three runs is then only
    reported. ``python tests/emulator/bench.py`` gives the number written in README.md.
    """
    cpu_before = server_cpu_seconds(emulator)
    timings = [thousand_gets(emulator)]
    cpu_after = server_cpu_seconds(emulator)
    if cpu_before is not None and cpu_after is not None:
        assert cpu_after - cpu_before < 1.0, f"the emulator used {cpu_after - cpu_before:.2f} s of CPU for 1,000 GETs"
    while min(timings) >= LIMIT_SECONDS and len(timings) < 3:
        timings.append(thousand_gets(emulator))
    print(f"1,000 GETs: {min(timings):.3f} s (best of {len(timings)})")
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        assert min(timings) < LIMIT_SECONDS, f"1,000 GETs took {min(timings):.2f} s at best"
