"""Measure 1,000 sequential GETs against a fresh emulator (no injected latency).

    python tests/emulator/bench.py [N]

Times N (default 1000) keep-alive GETs of the tutorial dataflow with the standard library's
http.client and, when it is installed, with a requests.Session (what the collection uses). Prints
one line per client: the wall-clock time and the CPU time the emulator process spent meanwhile
(Linux), which tells the server's share from the client's. The numbers are in README.md ("Performance").
"""
from __future__ import annotations

import http.client
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import demo_headers, start_emulator  # noqa: E402  pylint: disable=wrong-import-position

FLOW_PATH = "/data/foundation/flowservice/flows/226fb2e1-db69-4760-b67e-9e671e05abfc"


def server_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by process ``pid`` (Linux /proc; 0.0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def with_http_client(url: str, count: int) -> float:
    """Seconds for ``count`` GETs on one http.client connection."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    headers = demo_headers()
    start = time.perf_counter()
    for _attempt in range(count):
        connection.request("GET", FLOW_PATH, headers=headers)
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"unexpected status {response.status}")
    elapsed = time.perf_counter() - start
    connection.close()
    return elapsed


def with_requests(url: str, count: int, trust_env: bool = True) -> float | None:
    """Seconds for ``count`` GETs with one requests.Session, or None without requests.

    ``trust_env=False`` skips requests' per-call look-up of proxy settings in the environment.
    """
    try:
        import requests  # pylint: disable=import-outside-toplevel
    except ImportError:
        return None
    with requests.Session() as session:
        session.trust_env = trust_env
        headers = demo_headers()
        start = time.perf_counter()
        for _attempt in range(count):
            response = session.get(url + FLOW_PATH, headers=headers, timeout=10)
            response.json()
            if response.status_code != 200:
                raise RuntimeError(f"unexpected status {response.status_code}")
        return time.perf_counter() - start


def main() -> int:
    """Start an emulator, time both clients, stop it."""
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    emulator = start_emulator()
    try:
        with_http_client(emulator.url, 20)  # warm up
        pid = emulator.process.pid
        clients = (("http.client:                       ", with_http_client),
                   ("requests.Session:                  ", with_requests),
                   ("requests.Session (trust_env=False):", lambda url, n: with_requests(url, n, trust_env=False)))
        for label, client in clients:
            cpu = server_cpu(pid)
            elapsed = client(emulator.url, count)
            if elapsed is not None:
                print(f"{label} {count} GETs in {elapsed:.3f} s (emulator CPU {server_cpu(pid) - cpu:.2f} s)")
    finally:
        emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
