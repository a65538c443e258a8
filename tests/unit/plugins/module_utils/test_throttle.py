"""The run's shared request pool: one pause for every thread after a 429, an adaptive number in flight, and 429s
that spend no retry while other requests get through."""

from __future__ import annotations

import threading

import pytest

from ansible_collections.aep.flow_service.plugins.module_utils._client import ApiError, FlowServiceClient
from ansible_collections.aep.flow_service.plugins.module_utils._throttle import Throttle

from test_client import FLOW, TARGET, api_requests, options


class Clock:
    """A monotonic clock that only moves when someone sleeps."""

    def __init__(self):
        self.now = 100.0
        self.slept = []
        self.meanwhile = None  # called after each sleep: what another worker does during the pause

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(round(seconds, 6))
        self.now += seconds
        if self.meanwhile:
            self.meanwhile()


def test_the_limit_halves_once_per_window_and_grows_by_one_after_a_run_of_answers():
    pool = Throttle(8)
    tickets = [pool.acquire() for dummy in range(8)]
    assert pool.limit == 8 and pool.in_flight == 8
    for ticket in tickets[:3]:  # three 429s of one burst: all sent before the cut, so one halving
        pool.release(ticket, 429)
    assert pool.limit == 4
    for ticket in tickets[3:]:
        pool.release(ticket, 200)
    assert pool.limit == 5  # four answers without a 429 at limit 4: one more
    ticket = pool.acquire()
    pool.release(ticket, 429)  # sent after the cut: a new window, halved again
    assert pool.limit == 2
    for dummy in range(100):
        pool.release(pool.acquire(), 200)
    assert pool.limit == 8  # never above the workers asked for
    for dummy in range(10):
        pool.release(pool.acquire(), 429)
    assert pool.limit == 1  # never below one


def test_a_full_pool_makes_the_next_request_wait_for_a_slot():
    pool = Throttle(1)
    ticket = pool.acquire()
    got = threading.Event()
    waiter = threading.Thread(target=lambda: (pool.acquire(), got.set()))
    waiter.start()
    assert not got.wait(0.2)  # the one slot is taken
    pool.release(ticket, 200)
    assert got.wait(5)
    waiter.join()


def test_a_429_pauses_every_thread_for_its_retry_after():
    clock = Clock()
    pool = Throttle(4, sleep=clock.sleep, clock=clock)
    first, second = pool.acquire(), pool.acquire()
    pool.release(first, 429)
    seconds, until = pool.pause(2.0)
    assert (seconds, until) == (2.0, 102.0)
    pool.release(second, 200)  # an answer already on its way still comes back
    pool.acquire()  # another thread's next request waits the pause out first
    assert clock.slept == [2.0]
    pool.acquire(waited=until)  # the thread that got the 429 slept it through itself: no second wait
    assert clock.slept == [2.0]


def test_a_longer_pause_begun_meanwhile_is_waited_out_too():
    clock = Clock()
    pool = Throttle(4, sleep=clock.sleep, clock=clock)
    dummy, mine = pool.pause(1.0)
    pool.pause(5.0)  # another worker's 429 asks for longer
    pool.acquire(waited=mine)
    assert clock.slept == [5.0]


def test_without_retry_after_the_pause_is_a_growing_jittered_backoff():
    clock = Clock()
    pool = Throttle(2, sleep=clock.sleep, clock=clock)
    pauses = [pool.pause()[0] for dummy in range(4)]
    assert 0.5 <= pauses[0] <= 1.0 and 1.0 <= pauses[1] <= 2.0 and 2.0 <= pauses[2] <= 4.0
    pool.release(pool.acquire(), 200)  # an answer: the backoff starts over
    assert 0.5 <= pool.pause()[0] <= 1.0


@pytest.fixture
def two_workers(emulator):
    """Two clients of one run, sharing a token holder and a throttle, as two batch workers do."""
    clock = Clock()
    opts = options(emulator, retries=1)
    pool = Throttle(2, sleep=clock.sleep, clock=clock)
    first = FlowServiceClient(opts, sleep=clock.sleep, throttle=pool)
    second = FlowServiceClient(opts, sleep=clock.sleep, tokens=first.tokens, throttle=pool)
    yield first, second, clock
    first.close()
    second.close()


def test_429s_spend_no_retry_while_another_worker_gets_through(emulator, two_workers):
    first, second, clock = two_workers
    emulator.add_fault(method="GET", path=FLOW, kind="status", status=429, headers={"Retry-After": "1"}, count=3)
    # While the first worker waits out each pause, the second one's read gets through.
    clock.meanwhile = lambda: second.get_item("targetConnections", TARGET)
    assert first.get_item("flows", FLOW)["id"] == FLOW  # three 429s with retries: 1
    assert [r["status"] for r in api_requests(emulator, FLOW)] == [429, 429, 429, 200]


def test_429s_spend_retries_when_nothing_gets_through(emulator, two_workers):
    first, dummy, clock = two_workers
    emulator.add_fault(method="GET", path=FLOW, kind="status", status=429, headers={"Retry-After": "1"}, count=3)
    with pytest.raises(ApiError) as info:
        first.get_item("flows", FLOW)
    assert info.value.status == 429 and "gave up after 1 retries" in str(info.value)
    assert [r["status"] for r in api_requests(emulator, FLOW)] == [429, 429]
    assert clock.slept == [1.0]


def test_retries_zero_means_a_429_fails_at_once(emulator):
    emulator.add_fault(method="GET", path=FLOW, kind="status", status=429, headers={"Retry-After": "1"}, count=1)
    client = FlowServiceClient(options(emulator, retries=0), sleep=Clock().sleep)
    with pytest.raises(ApiError) as info:
        client.get_item("flows", FLOW)
    client.close()
    assert info.value.status == 429


def test_a_run_that_gets_nothing_but_429_for_the_stall_limit_fails_saying_so(emulator):
    clock = Clock()
    emulator.add_fault(method="GET", path=FLOW, kind="status", status=429, headers={"Retry-After": "30"}, count=20)
    client = FlowServiceClient(options(emulator, retries=10), sleep=clock.sleep,
                               throttle=Throttle(1, sleep=clock.sleep, clock=clock, stall_limit=120))
    with pytest.raises(ApiError) as info:
        client.get_item("flows", FLOW)
    client.close()
    assert "no request of this run got through for 120 s, 5 answers 429 in all" in str(info.value)
    assert clock.slept == [30.0] * 4  # then it stopped, with 6 of its 10 retries left


def test_a_request_answered_nothing_but_429_fails_after_the_stall_limit_though_others_get_through(emulator):
    """Review attack: one path answers 429 forever while every other request of the run gets through.

    Its 429s spent no retry (others got through) and the run never stalled, so the request went on as long as the
    run had other work, pausing every worker for its Retry-After each time: one hostile path stretched a batch
    from seconds to (requests of the batch) x Retry-After. It now gives up after the stall limit of its own 429s.
    """
    clock = Clock()
    opts = options(emulator, retries=2)
    pool = Throttle(2, sleep=clock.sleep, clock=clock, stall_limit=120)
    first = FlowServiceClient(opts, sleep=clock.sleep, throttle=pool)
    second = FlowServiceClient(opts, sleep=clock.sleep, tokens=first.tokens, throttle=pool)
    emulator.add_fault(method="GET", path=FLOW, kind="status", status=429, headers={"Retry-After": "30"}, count=60)
    clock.meanwhile = lambda: second.get_item("targetConnections", TARGET)
    try:
        with pytest.raises(ApiError) as info:
            first.get_item("flows", FLOW)
    finally:
        first.close()
        second.close()
    assert info.value.status == 429 and "nothing but 429 for 120 s" in str(info.value)
    assert sum(clock.slept) <= 150
