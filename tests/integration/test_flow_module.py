"""aep_flow through real ansible-playbook runs against the emulator; every count read from the emulator's log."""

from __future__ import annotations

import threading
import time

from playhelpers import DEMO_CLIENT_SECRET, writes

FLOW = "226fb2e1-db69-4760-b67e-9e671e05abfc"          # Amazon S3 (file-based), enabled, one audience
STREAMING = "00000003-0000-4000-8000-000000000001"     # Pinterest (streaming)
SELECTORS = "/transformations/0/params/segmentSelectors/selectors"
TASK = "Converge the dataflow"
NEW = ["b1000000-0000-4000-8000-00000000000%d" % n for n in (1, 2, 3)]


def flow_args(**kwargs):
    return {"module_args": dict({"id": FLOW}, **kwargs)}


def patches(emulator, rid=FLOW):
    return [r for r in writes(emulator, rid) if r["method"] == "PATCH"]


def actions(emulator, rid=FLOW):
    return [r for r in writes(emulator, rid) if r["method"] == "POST" and r["path"].endswith("/action")]


def audience_ids(flow):
    return [s["value"]["id"] for s in flow["transformations"][0]["params"]["segmentSelectors"]["selectors"]]


def daily(audience_id, start="2027-01-01"):
    return {"id": audience_id, "name": "Audience " + audience_id[-1], "exportMode": "DAILY_FULL_EXPORT",
            "filenameTemplate": "%DESTINATION_NAME%_%SEGMENT_ID%_%DATETIME(YYYYMMdd_HHmmss)%",
            "schedule": {"frequency": "DAILY", "triggerType": "SCHEDULED", "startDate": start, "startTime": "06:00"}}


def test_rename_and_describe_one_patch_with_if_match_then_rerun_writes_nothing(emulator, play):
    before = emulator.resource("flows", FLOW)
    args = flow_args(name="2027 winter campaign", description="Second season")
    run = play("flow.yml", extra_vars=args, diff=True)
    assert run.rc == 0, run.output
    out = run.task(TASK)
    assert out["status"] == "changed"
    sent = patches(emulator)
    assert len(sent) == 1
    assert sent[0]["if_match"] == before["etag"]
    assert sorted((op["op"], op["path"]) for op in sent[0]["body"]) == [("replace", "/description"), ("replace", "/name")]
    assert actions(emulator) == []
    after = emulator.resource("flows", FLOW)
    assert (after["name"], after["description"]) == ("2027 winter campaign", "Second season")
    assert out["result"]["flow"]["name"] == "2027 winter campaign"
    assert out["result"]["action"] is None
    assert out["result"]["diff"]["before"]["name"] == before["name"]
    assert out["result"]["diff"]["after"]["name"] == "2027 winter campaign"

    emulator.clear_requests()
    again = play("flow.yml", extra_vars=args)
    assert again.rc == 0, again.output
    assert again.task(TASK)["status"] == "ok"
    assert writes(emulator) == []


def test_disable_then_enable_one_action_each_and_reruns_send_none(emulator, play):
    for enabled, state, op in ((False, "disabled", "disable"), (True, "enabled", "enable")):
        emulator.clear_requests()
        run = play("flow.yml", extra_vars=flow_args(enabled=enabled))
        assert run.rc == 0, run.output
        out = run.task(TASK)
        assert out["status"] == "changed"
        assert out["result"]["action"] == op
        sent = actions(emulator)
        assert len(sent) == 1 and "op=%s" % op in sent[0]["query"]
        assert patches(emulator) == []
        assert emulator.resource("flows", FLOW)["state"] == state
        assert out["result"]["flow"]["state"] == state

        emulator.clear_requests()
        again = play("flow.yml", extra_vars=flow_args(enabled=enabled))
        assert again.rc == 0, again.output
        assert again.task(TASK)["status"] == "ok"
        assert again.task(TASK)["result"]["action"] is None
        assert writes(emulator) == []


def test_check_mode_predicts_a_disable_and_sends_nothing(emulator, play):
    run = play("flow.yml", extra_vars=flow_args(enabled=False, name="Paused"), check=True, diff=True)
    assert run.rc == 0, run.output
    out = run.task(TASK)
    assert out["status"] == "changed"
    assert out["result"]["action"] == "disable"
    assert out["result"]["flow"]["state"] == "disabled"
    assert out["result"]["diff"]["after"]["state"] == "disabled"
    assert writes(emulator) == []
    assert emulator.resource("flows", FLOW)["state"] == "enabled"


def test_add_three_audiences_check_mode_apply_rerun(emulator, play):
    before = emulator.resource("flows", FLOW)
    args = flow_args(audiences=[daily(a) for a in NEW])
    check = play("flow.yml", extra_vars=args, check=True, diff=True)
    assert check.rc == 0, check.output
    out = check.task(TASK)
    assert out["status"] == "changed"
    assert writes(emulator) == []
    assert audience_ids(out["result"]["flow"]) == audience_ids(before) + NEW
    assert len(out["result"]["diff"]["after"]["audiences"]) == 4
    assert NEW[0] in out["result"]["diff"]["after"]["audiences"][1]

    emulator.clear_requests()
    run = play("flow.yml", extra_vars=args)
    assert run.rc == 0, run.output
    sent = patches(emulator)
    assert len(sent) == 1
    assert [(op["op"], op["path"]) for op in sent[0]["body"]] == [("add", SELECTORS + "/-")] * 3
    assert audience_ids(emulator.resource("flows", FLOW)) == audience_ids(before) + NEW

    emulator.clear_requests()
    again = play("flow.yml", extra_vars=args)
    assert again.rc == 0, again.output
    assert again.task(TASK)["status"] == "ok"
    assert patches(emulator) == []


def test_change_one_schedule_is_one_replace_of_that_whole_selector(emulator, play):
    assert play("flow.yml", extra_vars=flow_args(audiences=[daily(a) for a in NEW])).rc == 0
    stored = emulator.resource("flows", FLOW)["transformations"][0]["params"]["segmentSelectors"]["selectors"]
    emulator.clear_requests()
    run = play("flow.yml", extra_vars=flow_args(audiences=[{"id": NEW[1], "schedule": {"startDate": "2027-03-01"}}]))
    assert run.rc == 0, run.output
    sent = patches(emulator)
    assert len(sent) == 1
    (op,) = sent[0]["body"]
    assert (op["op"], op["path"]) == ("replace", SELECTORS + "/2")
    expected = dict(stored[2]["value"], schedule=dict(stored[2]["value"]["schedule"], startDate="2027-03-01"))
    assert op["value"]["value"] == expected  # the whole selector, server-set times included
    after = emulator.resource("flows", FLOW)["transformations"][0]["params"]["segmentSelectors"]["selectors"]
    assert after[2]["value"]["schedule"]["startDate"] == "2027-03-01"
    assert [s["value"]["id"] for s in after] == [s["value"]["id"] for s in stored]


def test_purge_audiences_down_to_one_removes_highest_index_first(emulator, play):
    assert play("flow.yml", extra_vars=flow_args(audiences=[daily(a) for a in NEW])).rc == 0
    emulator.clear_requests()
    run = play("flow.yml", extra_vars=flow_args(audiences=[{"id": NEW[1]}], purge_audiences=True))
    assert run.rc == 0, run.output
    sent = patches(emulator)
    assert len(sent) == 1
    assert [(op["op"], op["path"]) for op in sent[0]["body"]] == [
        ("remove", SELECTORS + "/3"), ("remove", SELECTORS + "/1"), ("remove", SELECTORS + "/0")]
    assert audience_ids(emulator.resource("flows", FLOW)) == [NEW[1]]


def test_concurrent_edit_between_read_and_write_is_kept(emulator, play):
    """Someone renames the dataflow between the module's read and its write: their name stays, our audience lands."""
    emulator.add_fault(method="PATCH", path=FLOW, kind="delay", delay_ms=1500, count=1)

    def edit_after_read():
        deadline = time.time() + 60
        while time.time() < deadline:
            if any(r["method"] == "GET" and r["path"].endswith(FLOW) for r in emulator.requests()):
                emulator.edit("flows", FLOW, [{"op": "replace", "path": "/name", "value": "Renamed in the UI"}])
                return
            time.sleep(0.05)

    editor = threading.Thread(target=edit_after_read)
    editor.start()
    run = play("flow.yml", extra_vars=flow_args(audiences=[daily(NEW[0])]))
    editor.join()
    assert run.rc == 0, run.output
    sent = patches(emulator)
    assert len(sent) == 2 and sent[0]["status"] == 412 and sent[1]["status"] == 200
    after = emulator.resource("flows", FLOW)
    assert after["name"] == "Renamed in the UI"
    assert audience_ids(after)[-1] == NEW[0]


def refused(play, emulator, audience, words, flow_id=FLOW):
    run = play("flow.yml", extra_vars={"module_args": {"id": flow_id, "audiences": [audience]}})
    assert run.rc != 0, run.output
    msg = run.task(TASK)["result"]["msg"]
    assert audience["id"] in msg, msg
    for word in words:
        assert word in msg, msg
    assert writes(emulator) == []


def test_each_validation_rule_is_refused_with_no_write_and_names_the_audience(emulator, play):
    rules = [
        (dict(daily(NEW[0]), filenameTemplate="%SEGMENT_ID%.csv"), ["%DESTINATION_NAME%"]),
        (dict(daily(NEW[0]), filenameTemplate="%DESTINATION_NAME%.csv"), ["%SEGMENT_ID%"]),
        (dict(daily(NEW[0]), schedule={"frequency": "DAILY", "triggerType": "SCHEDULED", "startTime": "06:30"}),
         ["minutes 00"]),
        (dict(daily(NEW[0]), schedule={"frequency": "DAILY", "triggerType": "SCHEDULED", "startDate": "2027-02-30"}),
         ["startDate", "YYYY-MM-DD"]),
        (dict(daily(NEW[0]), schedule={"frequency": "DAILY", "startDate": "2027-02-01"}), ["triggerType is required"]),
        (dict(daily(NEW[0]), schedule={"frequency": "EVERY_6_HOURS", "triggerType": "SCHEDULED"}),
         ["FIRST_FULL_THEN_INCREMENTAL"]),
    ]
    for audience, words in rules:
        emulator.clear_requests()
        refused(play, emulator, audience, words)
    emulator.clear_requests()
    refused(play, emulator, {"id": NEW[0], "exportMode": "DAILY_FULL_EXPORT"}, ["file-based", "streams"],
            flow_id=STREAMING)


def test_no_secret_in_verbose_output(emulator, play):
    run = play("flow.yml", extra_vars=flow_args(name="Verbose", enabled=False), verbose=4)
    assert run.rc == 0, run.output
    assert DEMO_CLIENT_SECRET not in run.output
    assert "aep-demo-token" not in run.output


def direct_patch(emulator, ops):
    """A PATCH of the tutorial dataflow by another client (the demo token), as if from the UI or a script."""
    import requests

    from playhelpers import DEMO_CLIENT_ID, DEMO_ORG
    headers = {"Authorization": "Bearer aep-demo-token", "x-api-key": DEMO_CLIENT_ID, "x-gw-ims-org-id": DEMO_ORG,
               "x-sandbox-name": "prod", "If-Match": emulator.resource("flows", FLOW)["etag"]}
    response = requests.patch(emulator.url + "/data/foundation/flowservice/flows/" + FLOW, json=ops, headers=headers,
                              timeout=30)
    assert response.status_code == 200, response.text


def test_asynchronous_writes_are_waited_out_until_last_operation_completes(emulator, play):
    emulator.settings(settle_ms=1500)
    run = play("flow.yml", extra_vars=flow_args(name="Async rename", enabled=False))
    assert run.rc == 0, run.output
    out = run.task(TASK)["result"]
    assert out["flow"]["state"] == "disabled"
    assert out["flow"]["lastOperation"]["status"]["value"] == "completed"
    assert out["flow"]["name"] == "Async rename"
    assert len(patches(emulator)) == 1 and len(actions(emulator)) == 1
    statuses = [r["status"] for r in patches(emulator) + actions(emulator)]
    assert statuses == [200, 200]  # the action came after the update was applied: no 1421
    reads = [r for r in emulator.requests() if r["method"] == "GET" and r["path"].endswith(FLOW)]
    assert len(reads) >= 4  # converge's read, then polls while updating and while disabling


def test_wait_false_returns_at_once_with_the_predicted_state(emulator, play):
    emulator.settings(settle_ms=5000)
    run = play("flow.yml", extra_vars=flow_args(enabled=False, wait=False))
    assert run.rc == 0, run.output
    out = run.task(TASK)["result"]
    assert out["action"] == "disable" and out["flow"]["state"] == "disabled"
    assert emulator.resource("flows", FLOW)["state"] == "disabling"


def test_a_write_while_another_is_in_progress_is_waited_out(emulator, play):
    emulator.settings(settle_ms=8000)  # longer than ansible-playbook takes to start the module
    direct_patch(emulator, [{"op": "replace", "path": "/description", "value": "Someone else's update"}])
    assert emulator.resource("flows", FLOW)["state"] == "updating"
    emulator.clear_requests()
    run = play("flow.yml", extra_vars=flow_args(name="After the other update"))
    assert run.rc == 0, run.output
    sent = patches(emulator)
    assert [r["status"] for r in sent][-1] == 200 and 400 in [r["status"] for r in sent]  # 1416 first, then landed
    after = emulator.resource("flows", FLOW)
    assert (after["name"], after["description"]) == ("After the other update", "Someone else's update")


def test_a_wait_timeout_fails_and_says_the_write_was_sent(emulator, play):
    emulator.settings(settle_ms=60000)
    run = play("flow.yml", extra_vars=flow_args(name="Slow", wait_timeout=2))
    assert run.rc != 0
    out = run.task(TASK)["result"]
    assert "still updating after 2 seconds" in out["msg"] and out["changed"] is True
    assert len(patches(emulator)) == 1


AZURE_FLOW = "00000002-0000-4000-8000-000000000001"


def test_manage_audiences_playbook_check_apply_rerun_and_a_survey_pause(emulator, play):
    check = play("playbooks/manage_audiences.yml", check=True, diff=True)
    assert check.rc == 0, check.output
    assert writes(emulator) == []

    applied = play("playbooks/manage_audiences.yml")
    assert applied.rc == 0, applied.output
    assert len(patches(emulator)) == 1 and len(patches(emulator, AZURE_FLOW)) == 1
    flow = emulator.resource("flows", FLOW)
    assert audience_ids(flow)[-1] == "a1000000-0000-4000-8000-0000000000b1"
    assert flow["transformations"][0]["params"]["segmentSelectors"]["selectors"][0]["value"]["schedule"][
        "startDate"] == "2027-12-01"
    azure = emulator.resource("flows", AZURE_FLOW)["transformations"][0]["params"]["segmentSelectors"]["selectors"]
    assert azure[1]["value"]["schedule"]["frequency"] == "EVERY_12_HOURS"

    emulator.clear_requests()
    rerun = play("playbooks/manage_audiences.yml")
    assert rerun.rc == 0, rerun.output
    assert writes(emulator) == []

    survey = "- flow_id: %s\n  enabled: false\n" % FLOW
    paused = play("playbooks/manage_audiences.yml", extra_vars={"audience_destinations": survey})
    assert paused.rc == 0, paused.output
    assert emulator.resource("flows", FLOW)["state"] == "disabled"
    assert len(actions(emulator)) == 1

    wrong = play("playbooks/manage_audiences.yml", extra_vars={"audience_destinations": [
        {"flow_id": FLOW, "params": {"path": "x"}}]})
    assert wrong.rc != 0 and "params" in wrong.output


def test_batch_module_items_with_a_dataflow_key_converge_connections_then_dataflows(emulator, play):
    items = [
        {"label": "S3", "flow_id": FLOW, "params": {"path": "audiences/batch"},
         "dataflow": {"name": "S3 via batch", "audiences": [daily(NEW[0])]}},
        {"label": "Pinterest", "flow_id": STREAMING, "dataflow": {"enabled": False}},
    ]
    args = {"module_args": {"destinations": items}}
    check = play("destination_connections.yml", extra_vars=args, check=True, diff=True)
    assert check.rc == 0, check.output
    assert writes(emulator) == []
    entries = check.task("Converge the destinations")["result"]["destinations"]
    assert entries[1]["dataflow"]["action"] == "disable" and entries[1]["status"] == "changed"

    run = play("destination_connections.yml", extra_vars=args)
    assert run.rc == 0, run.output
    entries = run.task("Converge the destinations")["result"]["destinations"]
    assert [e["status"] for e in entries] == ["changed", "changed"]
    assert "dataflow %s" % FLOW in entries[0]["summary"] and "disable" in entries[1]["summary"]
    assert len(patches(emulator)) == 1 and len(writes(emulator, "/targetConnections/")) == 1
    assert len(actions(emulator, STREAMING)) == 1
    flow = emulator.resource("flows", FLOW)
    assert flow["name"] == "S3 via batch" and audience_ids(flow)[-1] == NEW[0]
    assert emulator.resource("flows", STREAMING)["state"] == "disabled"

    emulator.clear_requests()
    again = play("destination_connections.yml", extra_vars=args)
    assert again.rc == 0, again.output
    assert writes(emulator) == []

    bad = play("destination_connections.yml", extra_vars={"module_args": {"destinations": [
        {"flow_id": STREAMING, "dataflow": {"audiences": [{"id": NEW[0], "filenameTemplate": "x.csv"}]}}]}})
    assert bad.rc != 0 and NEW[0] in bad.task("Converge the destinations")["result"]["msg"]
    assert writes(emulator) == []


def test_role_items_with_a_dataflow_key(emulator, play):
    run = play("role_converge.yml", extra_vars={"destinations": [
        {"flow_id": FLOW, "dataflow": {"enabled": False, "audiences": [{"id": NEW[2], "name": "Via the role"}]}}]},
        verbose=3)
    assert run.rc == 0, run.output
    flow = emulator.resource("flows", FLOW)
    assert flow["state"] == "disabled" and audience_ids(flow)[-1] == NEW[2]
    assert "dataflow %s" % FLOW in run.output and DEMO_CLIENT_SECRET not in run.output


def test_profile_attributes_by_path_with_purge_then_rerun(emulator, play):
    args = {"module_args": {"id": AZURE_FLOW, "profile_attributes": ["person.name.firstName", "homeAddress.city"],
                            "purge_profile_attributes": True}}
    run = play("flow.yml", extra_vars=args, diff=True)
    assert run.rc == 0, run.output
    sent = patches(emulator, AZURE_FLOW)
    assert len(sent) == 1
    assert [(op["op"], op["path"].rsplit("/", 2)[-2:]) for op in sent[0]["body"]] == [
        ("remove", ["selectors", "0"]), ("add", ["selectors", "-"])]
    stored = emulator.resource("flows", AZURE_FLOW)["transformations"][0]["params"]["profileSelectors"]["selectors"]
    assert [s["value"]["path"] for s in stored] == ["person.name.firstName", "homeAddress.city"]
    after = run.task(TASK)["result"]["diff"]["after"]
    assert after["profile_attributes"] == ["person.name.firstName", "homeAddress.city"]
    emulator.clear_requests()
    again = play("flow.yml", extra_vars=args)
    assert again.rc == 0 and again.task(TASK)["status"] == "ok", again.output
    assert writes(emulator) == []
