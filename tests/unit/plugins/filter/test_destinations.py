"""The destinations_export and destinations_report filters on hand-made aep_flow_info results: what is written,
what never is (secrets, even when the input holds them), vault variable names, template-looking names, escaping."""

from __future__ import annotations

import csv
import io
import keyword

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.aep.flow_service.plugins.filter.destinations import (
    FilterModule,
    destinations_export,
    destinations_report,
)
from ansible_collections.aep.flow_service.plugins.plugin_utils._export import vault_variable

SECRET = "cleartextSecretThatMustNeverBeWritten/01"


def flow(fid, name, targets=1, shared_base=False, state="enabled", selectors=None, secret_value="********"):
    entries, target_connections, bases = [], [], []
    for i in range(targets):
        tid, bid = "%s-t%d" % (fid, i), "%s-b%d" % (fid, 0 if shared_base else i)
        entries.append({"target_connection_id": tid, "base_connection_id": bid, "spec_id": "spec-s3",
                        "name": "Amazon S3", "params": {"bucketName": "bucket-%d" % i, "path": "out/%d" % i},
                        "location": {"bucketName": "bucket-%d" % i, "path": "out/%d" % i},
                        "auth_fields": ["s3AccessKey", "s3SecretKey"], "secret_auth_fields": ["s3SecretKey"]})
        target_connections.append({"id": tid, "params": entries[-1]["params"]})
        if not any(b["id"] == bid for b in bases):
            bases.append({"id": bid, "auth": {"specName": "Access Key", "params": {
                "s3AccessKey": "AKEY%d" % i, "s3SecretKey": secret_value, "authorizedDate": "2024-01-01"}}})
    result = {"id": fid, "name": name, "state": state, "sandboxName": "prod", "destinations": entries,
              "target_connections": target_connections, "base_connections": bases}
    if selectors is not None:
        result["transformations"] = [{"params": {"segmentSelectors": {"selectors": [{}] * selectors}}}]
    return result


def results(*flows, sandbox="prod"):
    return {"flows": list(flows), "sandbox": sandbox, "platform_url": "https://platform.adobe.io"}


def load(text):
    loader = type("Loader", (yaml.SafeLoader,), {})
    loader.add_constructor("!unsafe", lambda self, node: "UNSAFE:" + self.construct_scalar(node))
    return yaml.load(text, Loader=loader)["destination_connections_list"]  # nosec - a SafeLoader subclass


def test_filters_are_registered():
    assert set(FilterModule().filters()) == {"destinations_export", "destinations_report"}


def test_export_writes_the_role_list_with_a_header():
    text = destinations_export([results(flow("f1", "Winter"))], made_at="2026-12-01T10:00:00Z", made_by="me")
    assert text.startswith("# Destinations exported as code by me\n")
    assert "# When: 2026-12-01T10:00:00Z\n" in text and "# From: https://platform.adobe.io, sandbox prod\n" in text
    assert load(text) == [{"label": "Winter", "flow_id": "f1", "sandbox": "prod",
                           "params": {"bucketName": "bucket-0", "path": "out/0"}}]


def test_secret_values_are_never_written_even_when_the_input_holds_them():
    text = destinations_export([results(flow("f1", "Winter", secret_value=SECRET))], include_auth=True)
    assert SECRET not in text and "********" not in text
    (item,) = load(text)
    assert item["auth_params"] == {"s3AccessKey": "AKEY0", "s3SecretKey": "{{ vault_winter_s3_secret_key }}"}
    assert "authorizedDate" not in item["auth_params"]  # not declared by the auth spec: server-managed
    assert item["update_secrets"] == "on_change"
    assert "#   vault_winter_s3_secret_key: s3SecretKey of Winter (Amazon S3, base connection f1-b0)" in text


def test_several_targets_get_their_ids_and_one_variable_per_base_connection():
    flows = [flow("f1", "Two", targets=2), flow("f2", "Shared", targets=2, shared_base=True)]
    text = destinations_export([results(*flows)], include_auth=True)
    items = load(text)
    assert [i["label"] for i in items] == ["Two (target 1 of 2)", "Two (target 2 of 2)",
                                           "Shared (target 1 of 2)", "Shared (target 2 of 2)"]
    assert [i["target_connection_id"] for i in items] == ["f1-t0", "f1-t1", "f2-t0", "f2-t1"]
    assert [i.get("base_connection_id") for i in items] == ["f1-b0", "f1-b1", None, None]
    refs = [i["auth_params"]["s3SecretKey"] for i in items]
    assert refs[0] != refs[1] and refs[2] == refs[3]  # a shared base connection: one variable
    assert text.count("#   vault_") == 3


@pytest.mark.parametrize("label", ["2021 winter campaign", "Été – exports ✓", "", "   ", "class", "a" * 3 + "-" * 5,
                                   "{{ x }}", "x\ny"])
def test_vault_variable_names_are_valid_and_unique(label):
    taken = set()
    names = [vault_variable(label, field, taken) for field in ("s3SecretKey", "s3SecretKey", "", "connectionString")]
    assert len(set(names)) == 4
    for name in names:
        assert name.isidentifier() and name.isascii() and not keyword.iskeyword(name) and name.startswith("vault_")


def test_template_looking_strings_are_written_unsafe_but_vault_references_are_not():
    sneaky = flow("f1", "{{ lookup('pipe', 'id') }}", secret_value=SECRET)
    sneaky["destinations"][0]["params"]["path"] = "{% raw %}x"
    text = destinations_export([results(sneaky)], include_auth=True)
    (item,) = load(text)
    assert item["label"] == "UNSAFE:{{ lookup('pipe', 'id') }}"
    assert item["params"]["path"] == "UNSAFE:{% raw %}x"
    assert item["auth_params"]["s3SecretKey"].startswith("{{ vault_")


def test_names_with_line_breaks_cannot_break_out_of_the_comment():
    text = destinations_export([results(flow("f1", "a\nb: evil"))], include_auth=True, made_by="x\ny")
    header = text.split("\n---\n", 1)[0]
    assert all(line.startswith("#") for line in header.splitlines())


def test_unreadable_target_connections_are_left_out():
    broken = flow("f1", "Gone")
    broken["target_connections"] = []
    assert load(destinations_export([results(broken)])) == []


def test_report_rows_lines_markdown_and_csv():
    data = [results(flow("f1", "=cmd|' /C calc'!A0", selectors=3), flow("f2", "Off <b>", state="disabled"))]
    lines = destinations_report(data)
    assert lines == ["=cmd|' /C calc'!A0: Amazon S3, enabled, bucket-0/out/0, 3 audiences",
                     "Off <b>: Amazon S3, disabled, bucket-0/out/0"]
    rows = destinations_report(data, "rows")
    assert rows[0]["audiences"] == 3 and rows[1]["audiences"] is None
    markdown = destinations_report(data, "markdown", title="T")
    assert markdown.startswith("# T\n\n| name |")
    assert "\\|" in markdown and "&lt;b&gt;" in markdown and "<b>" not in markdown
    parsed = list(csv.DictReader(io.StringIO(destinations_report(data, "csv"))))
    assert parsed[0]["name"].startswith("'=")  # a spreadsheet must not run it
    assert parsed[1]["enabled"] == "disabled" and parsed[1]["audiences"] == ""


def test_report_location_of_other_destinations_is_their_params():
    pinterest = flow("f1", "Pins")
    pinterest["destinations"][0].update(location={}, params={"advertiser_id": "42", "appendSegmentId": True})
    assert destinations_report([results(pinterest)]) == ["Pins: Amazon S3, enabled, advertiser_id=42, appendSegmentId=true"]


def test_wrong_input_and_output_fail_clearly():
    with pytest.raises(AnsibleFilterError, match="aep_flow_info results"):
        destinations_export("nope")
    with pytest.raises(AnsibleFilterError, match="output must be one of"):
        destinations_report([results()], "pdf")


def test_a_loop_register_is_accepted_as_is():
    loop = {"results": [results(flow("f1", "A")), results(flow("f2", "B"), sandbox="dev")]}
    assert [i["flow_id"] for i in load(destinations_export(loop))] == ["f1", "f2"]
    assert "sandbox prod, dev" in destinations_export(loop)


def test_dataflow_settings_once_per_dataflow_with_audiences_and_schedules():
    two = flow("f1", "Two", targets=2)
    two["transformations"] = [{"params": {"segmentSelectors": {"selectors": [
        {"type": "PLATFORM_SEGMENT", "value": {"id": "a1", "name": "Loyal", "exportMode": "DAILY_FULL_EXPORT",
                                               "createTime": "1", "schedule": {"frequency": "DAILY",
                                                                               "startTime": "23:00", "extra": 1}}},
        {"type": "PLATFORM_SEGMENT", "value": {"name": "no id: not an audience the module can address"}}]}}}]
    moving = flow("f2", "Moving", state="enabling")
    items = load(destinations_export([results(two, moving)], include_dataflow=True))
    assert items[0]["dataflow"] == {"enabled": True, "audiences": [
        {"id": "a1", "name": "Loyal", "exportMode": "DAILY_FULL_EXPORT",
         "schedule": {"frequency": "DAILY", "startTime": "23:00"}}]}
    assert "dataflow" not in items[1]
    assert items[2]["dataflow"] == {}  # a state in transition and no selectors: nothing to declare
    assert all("dataflow" not in i for i in load(destinations_export([results(two)])))
