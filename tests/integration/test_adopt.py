"""Adopt what exists (issue 16): name each destination's kind and location, export live destinations as code,
apply the export with the role and see nothing written, and report what goes where.

Every test runs real ansible-playbook / ansible-inventory against the emulator; request counts and writes come
from the emulator's request log, secrets from the emulator's own data (every client secret, static token and
password field) plus the shape of the tokens it mints.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests
import yaml
from harness import start_emulator

from test_inventory import plain

from playhelpers import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_ORG, playbook_env, run_playbook, writes
from relkit import load_demo_data, stored_secrets

EXPORT = "playbooks/export_destinations.yml"
REPORT = "playbooks/report_destinations.yml"
APPLY = "adopt_apply.yml"
DESTINATION_FILTER = "inheritedAttributes.properties.isDestinationFlow==true"
MINTED_TOKEN = re.compile(r"emu-[A-Za-z0-9_\-]{16,}")
VAULT_REF = re.compile(r"^\{\{ (vault_[a-z0-9_]+) \}\}$")
GENERATED = 25
# The six published cloud-storage destinations and the two advertising ones of the emulator's demo data.
EVERY_KIND = ("Amazon S3", "Azure Blob Storage", "Azure Data Lake Gen2", "Data Landing Zone", "Google Cloud Storage",
              "SFTP", "Pinterest", "Google Ad Manager")


# ------------------------------------------------------------------------------------------------ helpers

def api_get(emulator, path, sandbox="prod", **params):
    headers = {"Authorization": "Bearer aep-demo-token", "x-api-key": DEMO_CLIENT_ID, "x-gw-ims-org-id": DEMO_ORG,
               "x-sandbox-name": sandbox}
    response = requests.get(emulator.api_url + path, headers=headers, params=params, timeout=30)
    response.raise_for_status()
    return response.json()


def destination_flows(emulator, sandbox):
    """Every destination dataflow of a sandbox, read straight from the API (the truth the export must match)."""
    items, token = [], None
    while True:
        params = {"limit": 100, "property": DESTINATION_FILTER}
        if token:
            params = {"continuationToken": token}
        body = api_get(emulator, "/flows", sandbox, **params)
        items.extend(body["items"])
        href = (body.get("_links") or {}).get("next", {}).get("href")
        if not href:
            return items
        token = href.split("continuationToken=", 1)[1]


def sandboxes():
    """Every sandbox of the demo data: those it declares and those its resources live in."""
    data = load_demo_data()
    names = [s["name"] for s in data.get("sandboxes", [])] or ["prod"]
    return names + [name for name in data.get("resources", {}) if name not in names]


def spec_names():
    return {spec["id"]: spec["name"] for spec in load_demo_data()["connectionSpecs"]}


def demo_kinds(emulator):
    """The destination kinds (connection spec names) that the demo data's destination dataflows use."""
    names = spec_names()
    return {names[t["connectionSpec"]["id"]] for s in sandboxes() for f in destination_flows(emulator, s)
            for t in f["inheritedAttributes"]["targetConnections"]}


def secrets():
    """Every secret the emulator holds, the IMS client secret among them."""
    found = list(stored_secrets().values()) + [DEMO_CLIENT_SECRET]
    return found + [v.split("AccountKey=", 1)[1].split(";", 1)[0] for v in found if "AccountKey=" in v]


def assert_no_secret(*texts):
    """No secret value, minted token or Authorization header in any of the texts (masks are fine in output)."""
    for text in texts:
        leaked = [s for s in secrets() if s in text] + MINTED_TOKEN.findall(text)
        assert not leaked, "secret values found: %s" % leaked
        assert "Bearer " not in text


def assert_clean_file(text):
    """An exported file: no secret, and not even a masked value (a mask applied would overwrite the secret)."""
    assert_no_secret(text)
    assert "********" not in text


def export(play, tmp_path, name="destinations.yml", verbose=0, **extra):
    path = tmp_path / name
    run = play(EXPORT, extra_vars=dict({"export_path": str(path), "export_sandboxes": sandboxes()}, **extra),
               verbose=verbose)
    assert run.rc == 0, run.output
    return run, path


def items_of(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))["destination_connections_list"]


def vault_values(emulator, items):
    """The real secret behind each vault variable the export asks for (what an operator would vault)."""
    values = {}
    for item in items:
        for field, value in (item.get("auth_params") or {}).items():
            match = VAULT_REF.match(str(value))
            if not match:
                continue
            flow = emulator.resource("flows", item["flow_id"], sandbox=item["sandbox"])
            base_id = item.get("base_connection_id") or next(
                t["baseConnection"]["id"] for t in flow["inheritedAttributes"]["targetConnections"]
                if t["id"] == item.get("target_connection_id", t["id"]))
            base = emulator.resource("connections", base_id, sandbox=item["sandbox"])
            values[match.group(1)] = base["auth"]["params"][field]
    return values


def apply(play, tmp_path, path, vault=None, verbose=0):
    extra = {"destinations_file": str(path)}
    args = ()
    if vault:
        vault_file = tmp_path / "vault.yml"
        vault_file.write_text(yaml.safe_dump(vault), encoding="utf-8")
        args = ("-e", "@%s" % vault_file)
    return play(APPLY, extra_vars=extra, verbose=verbose, **({"args": args} if args else {}))


# ------------------------------------------------------------------------------------------------ item 1

def test_flow_info_names_every_demo_destination_kind_reading_each_spec_once(emulator, play):
    run = play("flow_info.yml", extra_vars={"module_args": {"include_connections": True}})
    assert run.rc == 0, run.output
    flows = run.task("Look up dataflows")["result"]["flows"]
    names = spec_names()
    assert flows and all(f["destination_name"] == names[f["destination_spec_id"]] for f in flows)
    assert {f["destination_name"] for f in flows} == {names[t["connectionSpec"]["id"]]
                                                      for f in destination_flows(emulator, "prod")
                                                      for t in f["inheritedAttributes"]["targetConnections"]}
    spec_reads = [r["path"] for r in emulator.requests(method="GET") if "/connectionSpecs/" in r["path"]]
    assert len(spec_reads) == len(set(spec_reads)) == len({f["destination_spec_id"] for f in flows})
    for flow in flows:
        for entry, target in zip(flow["destinations"], flow["target_connections"]):
            assert entry["params"] == target["params"]  # no demo target spec marks a param secret
            assert set(entry["location"]) <= {"bucketName", "container", "remotePath", "path"}
    assert_no_secret(json.dumps(flows))


def test_inventory_groups_by_kind_with_location_host_vars(emulator, tmp_path):
    source = tmp_path / "flows.aep_flows.yml"
    source.write_text("plugin: aep.flow_service.aep_flows\nsandboxes: %s\n" % json.dumps(sandboxes()), encoding="utf-8")
    cmd = [str(Path(sys.executable).parent / "ansible-inventory"), "-i", str(source), "--list"]
    proc = subprocess.run(cmd, env=playbook_env(emulator, tmp_path), capture_output=True, text=True, timeout=120,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    data = plain(json.loads(proc.stdout))
    hostvars = data["_meta"]["hostvars"]
    expected = {f["id"] for s in sandboxes() for f in destination_flows(emulator, s)}
    assert set(hostvars) == expected
    for kind in demo_kinds(emulator):
        group = "aep_destination_" + re.sub(r"[^a-z0-9_]+", "_", kind.lower()).strip("_")
        assert data[group]["hosts"], group
    for flow_id, host in hostvars.items():
        sandbox = host["aep_sandbox"]
        target = emulator.resource("targetConnections", host["aep_target_connection_ids"][0], sandbox=sandbox)
        location = {k: target["params"][k] for k in ("bucketName", "container", "remotePath", "path")
                    if k in target["params"]}
        assert json.dumps(host["aep_destination_location"], sort_keys=True) == json.dumps(location, sort_keys=True), flow_id
    assert_no_secret(proc.stdout, proc.stderr)


def test_inventory_reads_targets_by_id_when_the_id_filter_is_refused(emulator, tmp_path):
    emulator.add_fault(method="GET", path="/targetConnections$", kind="status", status=400, count=5)
    source = tmp_path / "flows.aep_flows.yml"
    source.write_text("plugin: aep.flow_service.aep_flows\n", encoding="utf-8")
    cmd = [str(Path(sys.executable).parent / "ansible-inventory"), "-i", str(source), "--list"]
    proc = subprocess.run(cmd, env=playbook_env(emulator, tmp_path), capture_output=True, text=True, timeout=120,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    hostvars = plain(json.loads(proc.stdout))["_meta"]["hostvars"]
    assert hostvars["226fb2e1-db69-4760-b67e-9e671e05abfc"]["aep_destination_location"] == {
        "bucketName": "acme-winter-campaign", "path": "exports/2021-winter"}
    by_id = [r for r in emulator.requests(method="GET") if "/targetConnections/" in r["path"]]
    assert len(by_id) == len(hostvars)  # one GET per flow's first target connection, after one refused list


def test_inspect_dataflow_prints_the_kind_and_the_location(play):
    run = play("playbooks/inspect_dataflow.yml")
    assert run.rc == 0, run.output
    lines = run.task("Show the dataflow and the ids of its connections")["result"]["msg"]
    assert "Destination: Amazon S3 (connection spec 4fce964d-3f37-408f-9778-e597338a21ee)" in lines
    assert "Location: acme-winter-campaign/exports/2021-winter" in lines
    pinterest = play("playbooks/inspect_dataflow.yml", extra_vars={"flow_id": "00000003-0000-4000-8000-000000000001"})
    assert "Location: none (not a file destination)" in pinterest.task(
        "Show the dataflow and the ids of its connections")["result"]["msg"]


# ------------------------------------------------------------------------------------------------ items 2 and 3

def test_export_holds_every_destination_flow_of_each_sandbox_and_no_secret(emulator, play, tmp_path):
    run, path = export(play, tmp_path, verbose=3)
    text = path.read_text(encoding="utf-8")
    items = items_of(path)
    for sandbox in sandboxes():
        flows = destination_flows(emulator, sandbox)
        exported = [i for i in items if i["sandbox"] == sandbox]
        assert sorted({i["flow_id"] for i in exported}) == sorted(f["id"] for f in flows), sandbox
        assert len(exported) == sum(len(f["targetConnectionIds"]) for f in flows)
    for item in items:
        flow = emulator.resource("flows", item["flow_id"], sandbox=item["sandbox"])
        assert item["label"].startswith(flow["name"])
        target_id = item.get("target_connection_id") or flow["targetConnectionIds"][0]
        assert ("target_connection_id" in item) == (len(flow["targetConnectionIds"]) > 1)
        assert item["params"] == emulator.resource("targetConnections", target_id, sandbox=item["sandbox"])["params"]
        assert "auth_params" not in item  # credentials are left out by default
    assert text.startswith("# Destinations exported as code by playbooks/export_destinations.yml\n")
    header = text.split("\n---\n", 1)[0]
    assert re.search(r"^# When: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", header, re.M)
    assert "# From: %s, sandbox %s" % (emulator.url, ", ".join(sandboxes())) in header
    assert_clean_file(text)
    assert_no_secret(run.output)
    assert writes(emulator) == []


def test_export_with_auth_writes_vault_references_and_no_secret(emulator, play, tmp_path):
    run, path = export(play, tmp_path, verbose=3, export_include_auth=True)
    text = path.read_text(encoding="utf-8")
    items = items_of(path)
    names = [m for i in items for v in (i.get("auth_params") or {}).values() for m in VAULT_REF.findall(str(v))]
    assert names
    for name in set(names):
        assert re.fullmatch(r"[a-z_][a-z0-9_]*", name), name
        assert re.search(r"^#   %s: " % re.escape(name), text, re.M), "not listed in the comment: " + name
    s3 = next(i for i in items if i["flow_id"] == "226fb2e1-db69-4760-b67e-9e671e05abfc")
    assert s3["auth_params"] == {"s3AccessKey": "DEMOACCESSKEYFORAEP2",
                                 "s3SecretKey": "{{ vault_2021_winter_campaign_s3_secret_key }}"}
    assert s3["update_secrets"] == "on_change"
    assert_clean_file(text)
    assert_no_secret(run.output)


@pytest.mark.parametrize("include_auth", [False, True], ids=["params", "params+auth"])
def test_export_then_apply_writes_nothing(emulator, play, tmp_path, include_auth):
    dummy, path = export(play, tmp_path, export_include_auth=include_auth)
    items = items_of(path)
    kinds = demo_kinds(emulator)
    assert set(EVERY_KIND) <= kinds
    exported = {spec_names()[t["connectionSpec"]["id"]] for i in items
                for t in emulator.resource("flows", i["flow_id"], sandbox=i["sandbox"])["inheritedAttributes"][
                    "targetConnections"]}
    assert exported == kinds
    vault = vault_values(emulator, items) if include_auth else None
    emulator.clear_requests()
    run = apply(play, tmp_path, path, vault=vault, verbose=3)
    assert run.rc == 0, run.output
    report = run.task("Keep the report")["result"]["ansible_facts"]["destination_connections_report"]
    assert len(report) == len(items) and all(r["status"] == "ok" for r in report), [r["summary"] for r in report]
    assert writes(emulator) == []
    gets = emulator.requests(method="GET")
    assert gets  # it did read every connection to compare
    assert_no_secret(run.output)


def test_export_holds_each_dataflow_settings_and_applying_them_writes_nothing(emulator, play, tmp_path):
    dummy, path = export(play, tmp_path)
    items = items_of(path)
    first = {}
    for item in items:
        first.setdefault(item["flow_id"], item)
    for item in items:
        assert ("dataflow" in item) == (item is first[item["flow_id"]])  # once per dataflow
    for flow_id, item in first.items():
        flow = emulator.resource("flows", flow_id, sandbox=item["sandbox"])
        assert item["dataflow"]["enabled"] == (flow["state"] == "enabled")
        selectors = flow["transformations"][0]["params"]["segmentSelectors"]["selectors"]
        assert [a["id"] for a in item["dataflow"]["audiences"]] == [s["value"]["id"] for s in selectors]
    tutorial = first["226fb2e1-db69-4760-b67e-9e671e05abfc"]["dataflow"]["audiences"][0]
    assert tutorial["schedule"] == {"frequency": "DAILY", "triggerType": "SCHEDULED", "startDate": "2021-12-24",
                                    "startTime": "23:00"}
    emulator.clear_requests()
    run = apply(play, tmp_path, path)
    assert run.rc == 0, run.output
    assert writes(emulator) == []
    assert [r for r in emulator.requests(method="GET") if "/flows/" in r["path"]]  # the dataflows were compared
    without, path = export(play, tmp_path, name="connections-only.yml", export_include_dataflow=False)
    assert all("dataflow" not in i for i in items_of(path))


def test_round_trip_on_generated_destinations(tmp_path):
    emulator = start_emulator("--generate", str(GENERATED))
    try:
        def play(playbook, **kwargs):
            return run_playbook(playbook, emulator, tmp_path, **kwargs)
        dummy, path = export(play, tmp_path)
        items = items_of(path)
        generated = [i for i in items if i["label"].startswith("Generated S3 export")]
        assert len(generated) == GENERATED
        assert generated[0]["params"]["bucketName"] == "generated-bucket-0001"
        emulator.clear_requests()
        run = apply(play, tmp_path, path)
        assert run.rc == 0, run.output
        assert writes(emulator) == []
    finally:
        emulator.stop()


def test_export_defaults_to_the_connection_sandbox(emulator, play, tmp_path):
    path = tmp_path / "dev.yml"
    run = play(EXPORT, extra_vars={"export_path": str(path)}, env={"AEP_SANDBOX_NAME": "dev"})
    assert run.rc == 0, run.output
    assert sorted(i["flow_id"] for i in items_of(path)) == sorted(f["id"] for f in destination_flows(emulator, "dev"))
    assert "# From: %s, sandbox dev\n" % emulator.url in path.read_text(encoding="utf-8")


def test_export_in_check_mode_writes_no_file(play, tmp_path):
    path = tmp_path / "never.yml"
    run = play(EXPORT, extra_vars={"export_path": str(path)}, check=True)
    assert run.rc == 0, run.output
    assert not path.exists()
    assert "would be written" in run.task("Say what was exported")["result"]["msg"]


def test_names_that_look_like_templates_are_exported_unsafe_and_never_run(emulator, play, tmp_path):
    sneaky = "{{ lookup('ansible.builtin.pipe', 'touch %s') }}" % (tmp_path / "pwned")
    emulator.edit("flows", "226fb2e1-db69-4760-b67e-9e671e05abfc", [{"op": "replace", "path": "/name", "value": sneaky}])
    dummy, path = export(play, tmp_path, export_include_auth=True)
    text = path.read_text(encoding="utf-8")
    items = items_of_unsafe(path)
    vault = vault_values(emulator, items)
    emulator.clear_requests()
    run = apply(play, tmp_path, path, vault=vault)
    assert run.rc == 0, run.output
    assert not (tmp_path / "pwned").exists()
    assert writes(emulator) == []
    report = run.task("Keep the report")["result"]["ansible_facts"]["destination_connections_report"]
    assert sneaky in [r["label"] for r in report]
    assert "label: !unsafe " in text


def items_of_unsafe(path):
    """The items of a file with !unsafe tags, read as plain strings."""
    loader = type("UnsafeLoader", (yaml.SafeLoader,), {})
    loader.add_constructor("!unsafe", lambda self, node: self.construct_scalar(node))
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)["destination_connections_list"]  # nosec


# ------------------------------------------------------------------------------------------------ item 4

def test_report_prints_one_line_per_destination_and_writes_markdown_and_csv(emulator, play, tmp_path):
    base = tmp_path / "report"
    run = play(REPORT, extra_vars={"report_sandboxes": ",".join(sandboxes()), "report_path": str(base)}, verbose=3)
    assert run.rc == 0, run.output
    lines = run.task("One line per destination")["result"]["msg"]
    count = sum(len(f["targetConnectionIds"]) for s in sandboxes() for f in destination_flows(emulator, s))
    assert len(lines) == count
    assert "2021 winter campaign: Amazon S3, enabled, acme-winter-campaign/exports/2021-winter, 1 audience" in lines
    assert "ACME Pinterest audiences: Pinterest, enabled, advertiser_id=549755813888, 1 audience" in lines
    assert any(line.startswith("ACME Google Ad Manager audiences: Google Ad Manager, disabled") for line in lines)
    markdown = (tmp_path / "report.md").read_text(encoding="utf-8")
    table = [line for line in markdown.splitlines() if line.startswith("| ") and not line.startswith("| ---")]
    assert table[0] == "| name | kind | enabled | location | audiences | sandbox | flow_id | target_connection_id |"
    assert len(table) == 1 + count
    rows = list(csv.DictReader(io.StringIO((tmp_path / "report.csv").read_text(encoding="utf-8"))))
    assert len(rows) == count
    tutorial = next(r for r in rows if r["flow_id"] == "226fb2e1-db69-4760-b67e-9e671e05abfc")
    assert tutorial == {"name": "2021 winter campaign", "kind": "Amazon S3", "enabled": "enabled",
                        "location": "acme-winter-campaign/exports/2021-winter", "audiences": "1", "sandbox": "prod",
                        "flow_id": "226fb2e1-db69-4760-b67e-9e671e05abfc",
                        "target_connection_id": "8ce3dc63-3766-4220-9f61-51d2f8f14618"}
    assert_no_secret(run.output)
    assert_clean_file(markdown)
    assert writes(emulator) == []


def test_report_without_report_path_writes_nothing(play, tmp_path):
    run = play(REPORT)
    assert run.rc == 0, run.output
    assert run.task("Write the report as Markdown and CSV")["status"] == "skipped"
