"""Audiences and profile selectors of destination dataflows: the documented rules, refused with 1455 (selectors.py)."""
from __future__ import annotations

import pytest
from emu_support import FLOW, flow_error

FLOW_PATH = f"/flows/{FLOW}"                                   # Amazon S3: file-based
PINTEREST_PATH = "/flows/00000003-0000-4000-8000-000000000001"  # streaming
SELECTORS = "/transformations/0/params/segmentSelectors/selectors"
PROFILES = "/transformations/0/params/profileSelectors/selectors"
TEMPLATE = "%DESTINATION_NAME%_%SEGMENT_ID%_%DATETIME(YYYYMMdd_HHmmss)%"


def audience(**value):
    schedule = dict({"frequency": "DAILY", "triggerType": "SCHEDULED", "startDate": "2027-01-01", "startTime": "06:00"},
                    **value.pop("schedule", {}))
    return {"type": "PLATFORM_SEGMENT", "value": dict({"id": "b1000000-0000-4000-8000-000000000001", "name": "New",
                                                       "exportMode": "DAILY_FULL_EXPORT", "filenameTemplate": TEMPLATE,
                                                       "schedule": schedule}, **value)}


def selectors(emulator, kind="segmentSelectors"):
    return emulator.resource("flows", FLOW)["transformations"][0]["params"][kind]["selectors"]


def test_a_valid_audience_is_added_and_stamped(emulator, api):
    response = api.patch(FLOW_PATH, [{"op": "add", "path": SELECTORS + "/-", "value": audience()}])
    assert response.status_code == 200, response.text
    added = selectors(emulator)[-1]["value"]
    assert added["filenameTemplate"] == TEMPLATE
    assert isinstance(added["createTime"], str) and added["createTime"] == added["updateTime"]


@pytest.mark.parametrize("value, words", [
    ({"exportMode": "WEEKLY"}, "exportMode 'WEEKLY'"),
    ({"filenameTemplate": "%SEGMENT_ID%.csv"}, "%DESTINATION_NAME%"),
    ({"filenameTemplate": "%DESTINATION_NAME%.csv"}, "%SEGMENT_ID%"),
    ({"schedule": {"triggerType": None}}, "triggerType is required"),
    ({"schedule": {"frequency": "EVERY_3_HOURS"}}, "needs exportMode FIRST_FULL_THEN_INCREMENTAL"),
    ({"schedule": {"startTime": "06:30"}}, "HH:00"),
    ({"schedule": {"startDate": "2027-02-30"}}, "startDate"),
    ({"schedule": {"frequency": "HOURLY"}}, "frequency 'HOURLY'"),
])
def test_each_rule_is_refused_with_1455_naming_the_audience(emulator, api, value, words):
    if value.get("schedule", {}).get("triggerType", "x") is None:
        body = audience()
        del body["value"]["schedule"]["triggerType"]
    else:
        body = audience(**value)
    before = emulator.resource("flows", FLOW)
    error = flow_error(api.patch(FLOW_PATH, [{"op": "add", "path": SELECTORS + "/-", "value": body}]), "1455", 400)
    assert words in error["errorMessage"] and "b1000000-0000-4000-8000-000000000001" in error["errorMessage"]
    assert emulator.resource("flows", FLOW) == before


def test_incremental_frequency_with_its_export_mode_is_accepted(api):
    body = audience(exportMode="FIRST_FULL_THEN_INCREMENTAL", schedule={"frequency": "EVERY_6_HOURS"})
    assert api.patch(FLOW_PATH, [{"op": "add", "path": SELECTORS + "/-", "value": body}]).status_code == 200


def test_batch_keys_are_refused_on_a_streaming_dataflow_but_names_are_not(api):
    error = flow_error(api.patch(PINTEREST_PATH, [{"op": "add", "path": SELECTORS + "/-", "value": audience()}]),
                       "1455", 400)
    assert "file-based" in error["errorMessage"]
    plain = {"type": "PLATFORM_SEGMENT", "value": {"id": "b1000000-0000-4000-8000-000000000002", "name": "Plain"}}
    assert api.patch(PINTEREST_PATH, [{"op": "add", "path": SELECTORS + "/-", "value": plain}]).status_code == 200


def test_a_replace_keeps_create_time_and_renews_update_time(emulator, api):
    assert api.patch(FLOW_PATH, [{"op": "add", "path": SELECTORS + "/-", "value": audience()}]).status_code == 200
    first = selectors(emulator)[-1]
    changed = {**first, "value": {**first["value"], "createTime": "1", "updateTime": "1",
                                  "schedule": {**first["value"]["schedule"], "startDate": "2027-03-01"}}}
    assert api.patch(FLOW_PATH, [{"op": "replace", "path": SELECTORS + "/1", "value": changed}]).status_code == 200
    value = selectors(emulator)[1]["value"]
    assert value["schedule"]["startDate"] == "2027-03-01"
    assert value["createTime"] == first["value"]["createTime"]


def test_stored_selectors_are_not_rechecked(api):
    """The demo's audiences are left as they are; a patch of another key is not refused because of them."""
    assert api.patch(FLOW_PATH, [{"op": "replace", "path": "/name", "value": "Renamed"}]).status_code == 200


def test_profile_selector_needs_a_path(emulator, api):
    ok = {"type": "JSON_PATH", "value": {"path": "person.name.lastName", "operator": "EXISTS"}}
    assert api.patch(FLOW_PATH, [{"op": "add", "path": PROFILES + "/-", "value": ok}]).status_code == 200
    assert selectors(emulator, "profileSelectors")[-1] == ok
    error = flow_error(api.patch(FLOW_PATH, [{"op": "add", "path": PROFILES + "/-",
                                              "value": {"type": "JSON_PATH", "value": {}}}]), "1455", 400)
    assert "value.path" in error["errorMessage"]
