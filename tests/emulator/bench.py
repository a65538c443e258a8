"""Measure 1,000 sequential GETs against a fresh emulator (no injected latency).

    python tests/emulator/bench.py [N]

Times N (default 1000) keep-alive GETs of the tutorial dataflow with the standard library's
http.client and, when it is installed, with a requests.Session (what the collection uses). Prints
one line per client. The number is written down in README.md ("Performance").
"""
from __future__ import annotations

import http.client
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import demo_headers, start_emulator  # noqa: E402  pylint: disable=wrong-import-position

FLOW_PATH = "/data/foundation/flowservice/flows/226fb2e1-db69-4760-b67e-9e671e05abfc"


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


def with_requests(url: str, count: int) -> float | None:
    """Seconds for ``count`` GETs with one requests.Session, or None without requests."""
    try:
        import requests  # pylint: disable=import-outside-toplevel
    except ImportError:
        return None
    with requests.Session() as session:
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
        print(f"http.client:      {count} GETs in {with_http_client(emulator.url, count):.3f} s")
        elapsed = with_requests(emulator.url, count)
        if elapsed is not None:
            print(f"requests.Session: {count} GETs in {elapsed:.3f} s")
    finally:
        emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
