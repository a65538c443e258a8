"""Resource hygiene: long loops keep memory and sockets flat, and a play makes one token request under load.

* 1,000 requests through one FlowServiceClient, with dropped connections and expired tokens mixed in: the
  Python heap (tracemalloc) and the open sockets of the client, and the connections (fds, threads) of the
  emulator, stay flat after warm-up; closing the client releases its socket.
* aep_flow_info over 500 dataflows with include_connections: one module run, their 1,000 connections and
  5 list pages (over 1,000 requests), one token, every page and connection read once.
* A play over an aep_flows inventory with 8 forks and token_cache: one token request for the inventory and
  every fork.
* Long (``-m long``): 1,000 module runs in one play loop with token_cache: one token, and the emulator ends with
  as many connections as it started with.
"""

from __future__ import annotations

import gc
import os
import time
import tracemalloc

import pytest
from ansible_collections.aep.flow_service.plugins.module_utils._client import FlowServiceClient
from ansible_collections.aep.flow_service.plugins.module_utils._options import connection_argument_spec
from ansible_collections.aep.flow_service.plugins.modules import aep_flow_info
from harness import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_ORG

import relkit
from relkit import BASE, FLOW, TARGET

LOOP = 1000


def sockets(pid="self"):
    count = 0
    for fd in os.listdir("/proc/%s/fd" % pid):
        try:
            count += os.readlink("/proc/%s/fd/%s" % (pid, fd)).startswith("socket:")
        except OSError:
            pass  # closed meanwhile
    return count


def threads(pid):
    with open("/proc/%s/status" % pid, encoding="ascii") as handle:
        return int(next(line for line in handle if line.startswith("Threads:")).split()[1])


def settle_server(emu, baseline, limit=10.0):
    """Server connections close when the client's do; wait for its threads to wind down to ``baseline``."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and threads(emu.process.pid) > baseline:
        time.sleep(0.1)
    return threads(emu.process.pid)


def client_options(emu, **overrides):
    options = {name: spec.get("default") for name, spec in connection_argument_spec().items()}
    options.update(platform_url=emu.url, ims_url=emu.url, client_id=DEMO_CLIENT_ID, client_secret=DEMO_CLIENT_SECRET,
                   org_id=DEMO_ORG, retries=3, timeout=10.0)
    options.update(overrides)
    return options


def test_1000_requests_in_one_client_keep_memory_and_sockets_flat(own_emulator):
    emu = own_emulator()
    server_threads_before = threads(emu.process.pid)
    gc.collect()  # sessions left by earlier in-process module runs close their sockets now, not mid-measure
    sockets_before = sockets()
    client = FlowServiceClient(client_options(emu), sleep=lambda seconds: None)  # waits are not what is measured
    paths = [("flows", FLOW), ("targetConnections", TARGET), ("connections", BASE)]
    checkpoints = {}
    tracemalloc.start()
    try:
        for index in range(LOOP):
            if index % 50 == 25:
                emu.add_fault(method="GET", path="/", kind="drop")  # the connection dies: a new one replaces it
            if index % 250 == 125:
                emu.expire_tokens()                                 # 401, then one new token
            collection, rid = paths[index % 3]
            assert client.get_item(collection, rid)["id"] == rid
            if (index + 1) % 200 == 0:
                gc.collect()
                checkpoints[index + 1] = (tracemalloc.get_traced_memory()[0], sockets(), threads(emu.process.pid))
    finally:
        tracemalloc.stop()
    client.close()
    gc.collect()
    sockets_after_close = sockets()
    server_threads_after = settle_server(emu, server_threads_before)
    heap = {n: c[0] for n, c in checkpoints.items()}
    growth = heap[LOOP] - heap[200]
    client_sockets = {n: c[1] - sockets_before for n, c in checkpoints.items()}
    server = {n: c[2] - server_threads_before for n, c in checkpoints.items()}
    tokens = len(emu.requests(path_contains="/ims/token"))
    drops = sum(1 for r in emu.requests() if r["status"] is None)
    relkit.record("hygiene", name="client loop: %d requests, %d dropped connections, %d tokens" % (LOOP, drops, tokens),
                  values={"heap growth 200->1000 requests (KiB)": round(growth / 1024, 1),
                          "client sockets at each 200": list(client_sockets.values()),
                          "emulator connection threads at each 200": list(server.values()),
                          "client sockets after close": sockets_after_close - sockets_before})
    assert drops == LOOP // 50
    assert tokens == 1 + LOOP // 250
    assert client.request_count >= LOOP + drops
    assert growth < 256 * 1024, heap
    assert max(client_sockets.values()) <= 1, client_sockets    # one keep-alive connection, never more
    assert max(server.values()) <= 2, server                     # the server is not left holding dead connections
    assert sockets_after_close <= sockets_before
    assert server_threads_after <= server_threads_before + 1


def test_flow_info_reads_1000_connections_in_one_run(own_emulator, run_module):
    emu = own_emulator("--generate", "495")
    flows = 495 + 5   # the generated S3 exports and the demo's destination flows in prod: 1,000 connections
    gc.collect()
    sockets_before = sockets()
    gc.collect()
    tracemalloc.start()
    run = run_module(aep_flow_info.main, {"include_connections": True, "retries": 2}, emu=emu,
                     scenario="flow_info over 1000 flows")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    requests = emu.requests()
    lists = [r for r in requests if r["path"].endswith("/flows")]
    gets = [r for r in requests if r["method"] == "GET" and r not in lists]
    tokens = [r for r in requests if "/ims/token" in r["path"]]
    relkit.record("hygiene", name="aep_flow_info over %d flows with include_connections" % flows,
                  values={"requests": len(requests), "list pages": len(lists), "tokens": len(tokens),
                          "seconds": round(run.elapsed, 1), "peak heap (MiB)": round(peak / 2 ** 20, 1),
                          "sockets left open by the run": sockets() - sockets_before})
    assert not run.failed, run.msg
    assert len(run.result["flows"]) == flows
    assert all(f["target_connections"] for f in run.result["flows"] if f["id"].startswith("6e"))
    assert len(tokens) == 1
    assert len(lists) == (flows + 99) // 100
    assert all(r["status"] == 200 for r in requests)
    # each flow's target and base connection once, and each distinct connection spec once
    assert 2 * flows <= len(gets) <= 2 * flows + 10
    assert len(requests) >= 1000
    assert sockets() - sockets_before <= 1  # the module's one keep-alive connection (closed when the process ends)


def test_one_token_per_play_under_forks_with_token_cache(own_emulator, play, tmp_path):
    emu = own_emulator("--generate", "24")
    source = tmp_path / "forks.aep_flows.yml"
    source.write_text("plugin: aep.flow_service.aep_flows\nsandboxes: [prod, dev]\n"
                      "groups:\n  single_target: aep_target_connection_id is not none\n", encoding="utf-8")
    run = play("inventory_move_exports.yml", emu=emu, extra_vars={"new_path": "forks/2027"}, verbose=1,
               env={"AEP_TOKEN_CACHE": "1", "ANSIBLE_PYTHON_INTERPRETER": None},
               args=("-i", str(source), "--forks", "8"), scenario="8 forks, token cache")
    tokens = emu.requests(path_contains="/ims/token")
    patches = emu.requests(method="PATCH")
    relkit.record("hygiene", name="play over an inventory, 8 forks, token_cache",
                  values={"hosts": len(run.results), "token requests": len(tokens), "PATCHes": len(patches)})
    assert run.rc == 0, run.output[-3000:]
    assert len(run.results) == 24 + 2 and set(run.statuses()) == {"changed"}
    assert len(tokens) == 1
    assert len(patches) == 26 and all(p["status"] == 200 for p in patches)


@pytest.mark.long
def test_1000_module_runs_in_one_play_make_one_token_request(own_emulator, play):
    emu = own_emulator()
    server_threads_before = threads(emu.process.pid)
    start = time.monotonic()
    run = play("token_loop.yml", emu=emu, extra_vars={"loops": LOOP}, verbose=0, env={"AEP_TOKEN_CACHE": "true"},
               scenario="1000 module runs", timeout=3600)
    elapsed = time.monotonic() - start
    tokens = emu.requests(path_contains="/ims/token")
    server_threads_after = settle_server(emu, server_threads_before)
    relkit.record("hygiene", name="1000 aep_flow_info runs in one play (long)",
                  values={"token requests": len(tokens), "API requests": len(emu.requests()) - len(tokens),
                          "seconds": round(elapsed), "emulator threads after - before":
                              server_threads_after - server_threads_before})
    assert run.rc == 0, run.output[-3000:]
    assert len(tokens) == 1
    assert len(emu.requests()) == LOOP + 1
    assert server_threads_after <= server_threads_before + 1
