"""The dataflow kind: its operations, the audience rules and the wait for asynchronous writes, without HTTP."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.aep.flow_service.plugins.module_utils._converge import ConvergeError
from ansible_collections.aep.flow_service.plugins.module_utils._flow import (
    Dataflow,
    PROFILES,
    SEGMENTS,
    flow_operations,
    flow_view,
    input_errors,
)
from ansible_collections.aep.flow_service.plugins.module_utils._flow_run import FlowRun, FlowWaitError, in_progress
from ansible_collections.aep.flow_service.plugins.module_utils._patch import apply_patch

S3_SPEC = {"attributes": {"category": "cloudStorage"}}
STREAM_SPEC = {"attributes": {"category": "advertising"}}


def selector(audience_id, **value):
    return {"type": "PLATFORM_SEGMENT", "value": dict({"id": audience_id, "createTime": 1, "updateTime": 2}, **value)}


def flow(*selectors, profiles=None, **params):
    params = dict({"segmentSelectors": {"selectors": list(selectors)}}, **params)
    if profiles is not None:
        params["profileSelectors"] = {"selectors": [{"type": "JSON_PATH", "value": {"path": p, "operator": "EXISTS"}}
                                                    for p in profiles]}
    return {"id": "f1", "name": "n", "state": "enabled", "transformations": [{"name": "GeneralTransform",
                                                                             "params": params}]}


def ops_for(current, spec=None, **want):
    return flow_operations(current, want, lambda _flow: spec or S3_SPEC)


def test_purge_removes_highest_index_first_and_the_result_is_the_listed_audience():
    current = flow(selector("a"), selector("b"), selector("c"), selector("d"))
    ops = ops_for(current, audiences=[{"id": "c"}], purge_audiences=True)
    assert [(op["op"], op["path"]) for op in ops] == [
        ("remove", SEGMENTS + "/selectors/3"), ("remove", SEGMENTS + "/selectors/1"),
        ("remove", SEGMENTS + "/selectors/0")]
    assert all(op["value"] for op in ops)  # Adobe requires a value on remove
    after = apply_patch(current, ops)
    assert [s["value"]["id"] for s in after["transformations"][0]["params"]["segmentSelectors"]["selectors"]] == ["c"]


def test_a_changed_audience_is_replaced_whole_with_server_keys_and_unlisted_schedule_keys_kept():
    schedule = {"frequency": "DAILY", "triggerType": "SCHEDULED", "startDate": "2027-01-01", "startTime": "06:00"}
    current = flow(selector("a", name="A", exportMode="DAILY_FULL_EXPORT", schedule=schedule))
    ops = ops_for(current, audiences=[{"id": "a", "schedule": {"startDate": "2027-02-01"}}])
    assert len(ops) == 1 and ops[0]["op"] == "replace" and ops[0]["path"] == SEGMENTS + "/selectors/0"
    assert ops[0]["value"] == selector("a", name="A", exportMode="DAILY_FULL_EXPORT",
                                       schedule=dict(schedule, startDate="2027-02-01"))


def test_only_given_keys_are_compared():
    current = flow(selector("a", name="A", description="server text"))
    assert ops_for(current, audiences=[{"id": "a", "name": "A", "description": None}]) == []


def test_new_audience_appended_and_missing_list_created_first():
    current = flow()
    del current["transformations"][0]["params"]["segmentSelectors"]
    ops = ops_for(current, audiences=[{"id": "x", "name": "X"}])
    assert [(op["op"], op["path"]) for op in ops] == [("add", SEGMENTS), ("add", SEGMENTS + "/selectors/-")]
    after = apply_patch(current, ops)
    assert after["transformations"][0]["params"]["segmentSelectors"]["selectors"] == [
        {"type": "PLATFORM_SEGMENT", "value": {"id": "x", "name": "X"}}]


@pytest.mark.parametrize("audience, words", [
    ({"id": "x", "filenameTemplate": "%SEGMENT_ID%"}, "%DESTINATION_NAME%"),
    ({"id": "x", "schedule": {"startTime": "06:15"}}, "minutes 00"),
    ({"id": "x", "schedule": {"startDate": "2027-13-01"}}, "startDate"),
    ({"id": "x", "schedule": {"endDate": "2027-1-1"}}, "endDate"),
    ({"id": "x", "exportMode": "WEEKLY"}, "exportMode must be one of"),
])
def test_input_rules_name_the_audience(audience, words):
    problems = input_errors({"audiences": [audience]})
    assert problems and all(p.startswith("audience x: ") for p in problems)
    assert any(words in p for p in problems)


def test_combined_rules_are_checked_on_the_selector_that_would_be_sent():
    current = flow(selector("a", exportMode="FIRST_FULL_THEN_INCREMENTAL", schedule={"frequency": "EVERY_6_HOURS"}))
    assert ops_for(current, audiences=[{"id": "a", "schedule": {"frequency": "EVERY_3_HOURS"}}])  # fine: incremental
    with pytest.raises(ConvergeError, match="audience a: schedule.frequency EVERY_3_HOURS needs exportMode"):
        ops_for(current, audiences=[{"id": "a", "exportMode": "DAILY_FULL_EXPORT", "schedule": {
            "frequency": "EVERY_3_HOURS", "triggerType": "SCHEDULED"}}])
    with pytest.raises(ConvergeError, match="audience b: schedule.triggerType is required"):
        ops_for(current, audiences=[{"id": "b", "exportMode": "DAILY_FULL_EXPORT"}])


def test_batch_keys_refused_on_a_streaming_dataflow_but_not_names():
    current = flow(selector("a", name="A"))
    with pytest.raises(ConvergeError, match="audience a: .*file-based"):
        ops_for(current, spec=STREAM_SPEC, audiences=[{"id": "a", "exportMode": "DAILY_FULL_EXPORT"}])
    assert ops_for(current, spec=STREAM_SPEC, audiences=[{"id": "a", "name": "B"}])


def test_profile_attributes_by_path_and_mapping_sets_refused():
    current = flow(profiles=["a.b", "c.d", "e.f"])
    ops = ops_for(current, profile_attributes=["c.d", "g.h"], purge_profile_attributes=True)
    assert [(op["op"], op["path"]) for op in ops] == [
        ("remove", PROFILES + "/selectors/2"), ("remove", PROFILES + "/selectors/0"), ("add", PROFILES + "/selectors/-")]
    assert flow_view(apply_patch(current, ops))["profile_attributes"] == ["c.d", "g.h"]
    mapped = flow(profileMapping={"mappingId": "m", "mappingVersion": "0"})
    with pytest.raises(ConvergeError, match="mapping sets are not managed yet"):
        ops_for(mapped, profile_attributes=["a.b"])


def test_duplicate_and_empty_inputs_refused():
    problems = input_errors({"audiences": [{"id": "a"}, {"id": "a"}, {"id": " "}], "purge_profile_attributes": True,
                             "wait_timeout": 0})
    assert "audience a: listed twice" in problems
    assert "audience 3: id must not be empty" in problems, problems
    assert any(p.startswith("purge_profile_attributes needs profile_attributes") for p in problems)
    assert "wait_timeout must be a positive number of seconds" in problems


class FakeClient:
    """Serves a scripted sequence of dataflow reads; records the actions and PATCHes."""

    def __init__(self, reads):
        self.reads = list(reads)
        self.sent = []
        self.slept = []
        self.unconfirmed_writes = 0
        self.options = {"sandbox": "prod"}

    def get_item(self, collection, item_id):
        return copy.deepcopy(self.reads.pop(0) if len(self.reads) > 1 else self.reads[0])

    def patch(self, collection, item_id, operations, etag):
        self.sent.append(("PATCH", operations))
        return '"new"'

    def request(self, method, path, params=None):
        self.sent.append((method, path, params))
        return {"id": "f1", "etag": '"acted"'}

    def sleep(self, seconds):
        self.slept.append(seconds)


def settling(state, value="inProgress", **extra):
    return dict(flow(), state=state, lastOperation={"status": {"value": value, "errors": []}}, **extra)


def test_disable_waits_until_settled():
    client = FakeClient([flow(), settling("disabling"), settling("disabling"), settling("disabled", "completed")])
    result = FlowRun(Dataflow(None, client, {"enabled": False, "wait": True, "wait_timeout": 60}), "f1",
                     False).run()
    assert client.sent == [("POST", "/flows/f1/action", {"op": "disable"})]
    assert result["action"] == "disable" and result["changed"] and result["flow"]["state"] == "disabled"
    assert len(client.slept) == 2


def test_patch_then_action_waits_in_between_and_a_failed_operation_fails():
    failed = settling("enabled", "failed")
    failed["lastOperation"]["status"]["errors"] = [{"code": "1455", "message": "bad selector"}]
    client = FakeClient([flow(), failed])
    run = FlowRun(Dataflow(None, client, {"name": "m", "enabled": False, "wait": False}), "f1", False)
    with pytest.raises(FlowWaitError, match="1455 bad selector"):
        run.run()
    assert [s[0] for s in client.sent] == ["PATCH"]  # the action was never sent after a failed update
    assert run.sent


def test_wait_timeout_reports_the_state():
    ticks = iter(range(0, 1000, 10))
    client = FakeClient([flow(), settling("updating")])
    run = FlowRun(Dataflow(None, client, {"name": "m", "wait": True, "wait_timeout": 30}), "f1", False,
                  clock=lambda: next(ticks))
    with pytest.raises(FlowWaitError, match="still updating after 30 seconds"):
        run.run()


def test_in_progress_reads_state_and_last_operation():
    assert in_progress(settling("updating", "completed"))
    assert in_progress(settling("enabled", "inProgress"))
    assert not in_progress(settling("enabled", "completed"))
    assert not in_progress(flow())
