"""Approach (d), the floor: the fewest requests, as many in flight as the pool allows, nothing else.

    python tests/benchmark/floor.py IDS_FILE NEW_PATH [--workers 10]

Reads the target connection ids (one per line), mints one token, then with a thread pool GETs each target
connection and PATCHes ``/params/path`` with If-Match only where it differs. Connection settings come from the
same AEP_* environment variables as the collection. Prints one JSON line: {"changed": N, "ok": N, "failed": N}.
No retries, no validation, no spec read: this is the physical limit, not a tool to use.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import requests

API = "/data/foundation/flowservice"
_local = threading.local()


def session(headers):
    """One keep-alive session per worker thread (requests.Session is not thread-safe)."""
    if not hasattr(_local, "session"):
        _local.session = requests.Session()
        _local.session.headers.update(headers)
    return _local.session


def converge(target_id, base_url, headers, new_path):
    http = session(headers)
    url = "%s%s/targetConnections/%s" % (base_url, API, target_id)
    response = http.get(url, timeout=30)
    response.raise_for_status()
    current = response.json()["items"][0]
    if (current.get("params") or {}).get("path") == new_path:
        return "ok"
    response = http.patch(url, json=[{"op": "replace", "path": "/params/path", "value": new_path}],
                          headers={"If-Match": current["etag"]}, timeout=30)
    response.raise_for_status()
    return "changed"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ids_file")
    parser.add_argument("new_path")
    parser.add_argument("--workers", type=int, default=10)
    args = parser.parse_args(argv)
    with open(args.ids_file, encoding="utf-8") as handle:
        ids = [line.strip() for line in handle if line.strip()]

    env = os.environ
    token = requests.post(env["AEP_IMS_URL"].rstrip("/") + "/ims/token/v3", timeout=30, data={
        "grant_type": "client_credentials", "client_id": env["AEP_CLIENT_ID"],
        "client_secret": env["AEP_CLIENT_SECRET"], "scope": "openid,AdobeID,read_organizations"})
    token.raise_for_status()
    headers = {"Authorization": "Bearer " + token.json()["access_token"], "x-api-key": env["AEP_CLIENT_ID"],
               "x-gw-ims-org-id": env["AEP_ORG_ID"], "x-sandbox-name": env.get("AEP_SANDBOX_NAME", "prod")}
    base_url = env["AEP_PLATFORM_URL"].rstrip("/")

    counts = {"changed": 0, "ok": 0, "failed": 0}
    with ThreadPoolExecutor(max_workers=args.workers) as pool:
        futures = [pool.submit(converge, i, base_url, headers, args.new_path) for i in ids]
        for future in futures:
            try:
                counts[future.result()] += 1
            except requests.RequestException as exc:
                counts["failed"] += 1
                print("failed: %s" % exc, file=sys.stderr)
    print(json.dumps(counts))
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
