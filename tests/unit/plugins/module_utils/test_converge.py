"""The write loop (issue 11 item 12, issue 12 item 7) against a scripted client: no HTTP, exact control.

The fake holds one resource and answers each PATCH as scripted: apply it or not, then answer normally or
raise what a lost answer, a 412 or an in-progress error looks like to the loop.
"""

from __future__ import annotations

import copy

import pytest

from ansible_collections.aep.flow_service.plugins.module_utils import _converge
from ansible_collections.aep.flow_service.plugins.module_utils._client import ApiError
from ansible_collections.aep.flow_service.plugins.module_utils._converge import ConvergeError, converge
from ansible_collections.aep.flow_service.plugins.module_utils._errors import BUSY
from ansible_collections.aep.flow_service.plugins.module_utils._patch import apply_patch

WANTED = {"path": "exports/new"}


class FakeClient:
    """One target connection; ``script`` lists, per PATCH, (apply it?, what to answer)."""

    def __init__(self, script):
        self.options = {"sandbox": "prod"}
        self.resource = {"id": "t1", "etag": '"1"', "state": "enabled", "params": {"path": "exports/old"}}
        self.script = list(script)
        self.unconfirmed_writes = 0
        self.sleeps = []
        self.gets = 0
        self.patches = []

    def sleep(self, seconds):
        self.sleeps.append(seconds)

    def get_item(self, collection, item_id):
        self.gets += 1
        return copy.deepcopy(self.resource)

    def patch(self, collection, item_id, operations, etag):
        self.patches.append(operations)
        apply, answer = self.script.pop(0) if self.script else (True, "ok")
        if etag != self.resource["etag"]:
            apply, answer = False, "412"
        if apply:
            self.resource = apply_patch(self.resource, operations)
            self.resource["etag"] = '"%d"' % (int(self.resource["etag"].strip('"')) + 1)
        if answer == "ok":
            return self.resource["etag"]
        if answer == "lost":  # a gateway's 504 after the retries, a dropped connection, a 2xx we cannot read
            self.unconfirmed_writes += 1
            raise ApiError("gave up", status=504)
        if answer == "412":
            raise ApiError("Supplied version does not match", status=412, request_id="r412")
        if answer in ("1421", "1416"):
            error = ApiError("The current state updating cannot be transitioned." if answer == "1421" else
                             "Delete or Update can only be applied on connection with enabled, disabled or "
                             "initializing state.", status=400, code="FLOW-%s-400" % answer, request_id="rbusy")
            error.kind = BUSY
            raise error
        raise AssertionError(answer)


def compute(current):
    if current["params"].get("path") == WANTED["path"]:
        return []
    return [{"op": "replace", "path": "/params/path", "value": WANTED["path"]}]


OPS = compute({"params": {}})


def test_a_write_that_landed_behind_a_lost_answer_is_reported_as_changed():
    client = FakeClient([(True, "lost")])
    outcome = converge(client, "targetConnections", "t1", compute, False)
    assert outcome.changed is True
    assert outcome.operations == OPS
    assert outcome.before["params"]["path"] == "exports/old"
    assert outcome.after["params"]["path"] == "exports/new"
    assert len(client.patches) == 1 and client.gets == 2  # one read tells: no second write


def test_the_504_then_412_story_is_changed_with_its_patch():
    """Issue 12 item 7: the PATCH lands behind a 504, its retry gets 412, the re-read matches."""
    client = FakeClient([(True, "lost")])

    def patch_retried_by_the_client(collection, item_id, operations, etag):
        # what _send does: 504 (counted as unconfirmed), retry with the same etag, now stale: 412
        client.patches.append(operations)
        client.resource = apply_patch(client.resource, operations)
        client.resource["etag"] = '"2"'
        client.unconfirmed_writes += 1
        raise ApiError("Supplied version does not match", status=412)

    client.patch = patch_retried_by_the_client
    outcome = converge(client, "targetConnections", "t1", compute, False)
    assert (outcome.changed, outcome.operations) == (True, OPS)
    assert outcome.before["params"]["path"] == "exports/old"
    assert outcome.etag == '"2"'


def test_a_lost_answer_whose_write_did_not_land_fails_and_is_not_sent_again():
    client = FakeClient([(False, "lost")])
    with pytest.raises(ApiError) as info:
        converge(client, "targetConnections", "t1", compute, False)
    assert info.value.status == 504
    assert len(client.patches) == 1 and client.gets == 2 and client.unconfirmed_writes == 1


def test_when_the_read_after_a_lost_answer_fails_the_writes_error_is_raised():
    client = FakeClient([(False, "lost")])
    original = client.get_item

    def read_once(collection, item_id):
        if client.gets:
            raise ApiError("the connection failed", method="GET")
        return original(collection, item_id)

    client.get_item = read_once
    with pytest.raises(ApiError) as info:
        converge(client, "targetConnections", "t1", compute, False)
    assert info.value.status == 504 and client.unconfirmed_writes == 1


def test_a_plain_412_race_with_the_same_values_is_not_our_change():
    """Someone else wrote what we wanted (no write of ours went unanswered): nothing changed by us."""
    client = FakeClient([])
    original = client.get_item

    def read_then_they_write(collection, item_id):
        current = original(collection, item_id)
        if client.gets == 1:
            client.resource = dict(client.resource, params={"path": WANTED["path"]}, etag='"9"')
        return current

    client.get_item = read_then_they_write
    outcome = converge(client, "targetConnections", "t1", compute, False)
    assert (outcome.changed, outcome.operations) == (False, [])


@pytest.mark.parametrize("code", ["1421", "1416"])
def test_an_operation_in_progress_is_waited_out(code):
    client = FakeClient([(False, code), (False, code), (True, "ok")])
    outcome = converge(client, "targetConnections", "t1", compute, False)
    assert (outcome.changed, outcome.operations) == (True, OPS)
    assert len(client.patches) == 3 and client.gets == 3  # each try reads again: its etag and values are current
    assert len(client.sleeps) == 2
    assert 0.25 <= client.sleeps[0] <= 0.5 and 0.5 <= client.sleeps[1] <= 1.0  # growing, jittered, never zero


def test_an_operation_that_stays_in_progress_fails_saying_what_is_in_progress():
    client = FakeClient([(False, "1421")] * 100)
    with pytest.raises(ConvergeError) as info:
        converge(client, "targetConnections", "t1", compute, False)
    text = str(info.value)
    assert "stayed busy: updating was still in progress" in text
    assert "FLOW-1421-400" in text and "rbusy" in text and "nothing of ours was written" in text
    assert sum(client.sleeps) <= _converge.BUSY_WAIT_LIMIT
    assert sum(client.sleeps) >= _converge.BUSY_WAIT_LIMIT - _converge.BUSY_BACKOFF_CAP
    assert max(client.sleeps) <= _converge.BUSY_BACKOFF_CAP
    assert len(client.patches) == len(client.sleeps) + 1 < 20


def test_in_progress_after_a_lost_answer_that_landed_is_changed():
    """The lost write landed and started an asynchronous update: the retry is told 1421, the re-read matches."""
    client = FakeClient([(True, "lost")])
    client.resource["etag"] = '"1"'

    def lost_then_busy(collection, item_id, operations, etag):
        client.patches.append(operations)
        if len(client.patches) == 1:
            client.resource = dict(apply_patch(client.resource, operations), etag='"2"', state="updating")
            client.unconfirmed_writes += 1
            error = ApiError("The current state updating cannot be transitioned.", status=400, code="FLOW-1421-400")
            error.kind = BUSY
            raise error
        raise AssertionError("not written again")

    client.patch = lost_then_busy
    outcome = converge(client, "targetConnections", "t1", compute, False)
    assert (outcome.changed, outcome.operations) == (True, OPS)


def test_check_mode_never_writes():
    client = FakeClient([])
    outcome = converge(client, "targetConnections", "t1", compute, True)
    assert outcome.changed is True and client.patches == []
