"""Throttling handled together (issue 17): 32 workers behind a gateway that allows 40 requests a second.

Before, each request retried its 429s on its own: workers kept hitting the limit and destinations failed after
their retries ("gave up after 4 retries"). Now a 429 pauses every worker for its Retry-After, the number in flight
adapts, and a 429 spends no retry while others get through. The emulator's token bucket (``--throttle-rps``)
is the gateway; its request log says when each request arrived and what each 429 asked for.
"""

from __future__ import annotations

from flowservice_emulator.data import generated_id

FLOWS = 120
API = "/data/foundation/flowservice"
# A request the client sent just before it read a 429 may still arrive a little after it was answered.
IN_FLIGHT_SLACK = 0.3


def pauses_broken(log):
    """Requests that arrived while a 429 had asked every worker to wait: (429 answered at, Retry-After, arrival)."""
    broken = []
    for throttled in (e for e in log if e["status"] == 429 and e["retry_after"]):
        start, end = throttled["answered"] + IN_FLIGHT_SLACK, throttled["answered"] + int(throttled["retry_after"])
        broken.extend((throttled["answered"], throttled["retry_after"], e["arrived"]) for e in log
                      if start < e["arrived"] < end)
    return broken


def test_32_workers_behind_40_requests_a_second_all_converge_and_every_pause_is_kept(own_emulator, play):
    emu = own_emulator("--generate", str(FLOWS))
    targets = [generated_id(number, 2) for number in range(1, FLOWS + 1)]  # the target connection of each
    emu.settings(throttle_rps=40)  # burst 40, Retry-After: the seconds until the next token, at least 1
    emu.clear_requests()
    items = [{"target_connection_id": target, "params": {"path": "exports/throttled"}} for target in targets]
    run = play("destination_connections.yml", emu=emu, verbose=0,
               extra_vars={"module_args": {"destinations": items, "workers": 32}})
    assert run.rc == 0, run.output[-3000:]
    entries = run.task("Converge the destinations")["result"]["destinations"]
    assert [entry["status"] for entry in entries] == ["changed"] * FLOWS
    assert all(emu.resource("targetConnections", t)["params"]["path"] == "exports/throttled" for t in targets)
    log = [e for e in emu.requests() if e["path"].startswith(API)]
    throttled = [e for e in log if e["status"] == 429]
    assert throttled, "the gateway never throttled: the test proves nothing"
    assert pauses_broken(log) == []
    assert sum(1 for e in log if e["method"] == "PATCH" and e["status"] == 200) == FLOWS  # each write landed once
