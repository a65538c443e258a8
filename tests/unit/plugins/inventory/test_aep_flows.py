"""The aep_flows inventory plugin with a fake Flow Service client: hosts, names, vars, groups, sandboxes, cache.

The plugin is loaded through Ansible's plugin loader, so its documented options (and their env vars) are the
ones in force, as under ansible-inventory. The end-to-end runs against the emulator are in tests/integration.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from ansible.errors import AnsibleError, AnsibleParserError
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import init_plugin_loader, inventory_loader
from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder

S3_SPEC = "4fce964d-3f37-408f-9778-e597338a21ee"
GAM_SPEC = "d9ff7a5e-0000-4000-8000-00000000ga01"
SPEC_NAMES = {S3_SPEC: "Amazon S3", GAM_SPEC: "Google Ad Manager"}
ENV = {"AEP_CLIENT_ID": "test-client", "AEP_CLIENT_SECRET": "test-secret-value",
       "AEP_ORG_ID": "0123456789ABCDEF01234567@AdobeOrg", "AEP_PLATFORM_URL": "http://127.0.0.1:9",
       "AEP_IMS_URL": "http://127.0.0.1:9"}


def flow(fid, name, spec=S3_SPEC, state="enabled", targets=1):
    target_entries = [{"id": "%s-t%d" % (fid, i), "connectionSpec": {"id": spec, "version": "1.0"},
                       "baseConnection": {"id": "%s-b" % fid}} for i in range(targets)]
    return {"id": fid, "name": name, "state": state, "flowSpec": {"id": "flowspec-" + spec[:4]},
            "targetConnectionIds": [t["id"] for t in target_entries],
            "inheritedAttributes": {"properties": {"isDestinationFlow": True}, "targetConnections": target_entries}}


DATA = {
    "prod": [flow("f1", "Winter export"), flow("f2", "Shared name"),
             flow("f3", "GAM audience", spec=GAM_SPEC, state="disabled", targets=2)],
    "dev": [flow("f4", "Shared name"), flow("f5", "Dev export")],
}


class FakeClient:
    """Stands in for FlowServiceClient; every instance is recorded in ``made``."""

    made = []
    failures = []  # errors list_items raises, in order
    refuse_id_filter = False  # answer a target connection list with 400, as a service without that filter would

    def __init__(self, options, tokens=None, warn=None, **shared):  # shared: the run's sleep and throttle
        del shared
        self.options = options
        self.warn = warn
        self.tokens = tokens or object()
        self.request_count = 0
        self.calls = []
        self.closed = False
        FakeClient.made.append(self)

    def list_items(self, collection, params=None):
        self.calls.append(("list", collection, params))
        self.request_count += 1
        if FakeClient.failures:
            raise FakeClient.failures.pop(0)
        flows = [dict(f) for f in DATA.get(self.options["sandbox"], [])]
        if collection == "targetConnections" and FakeClient.refuse_id_filter:
            raise plugin_errors().ApiError("invalid property", status=400)
        if collection == "targetConnections":
            (wanted,) = params["property"]
            ids = wanted.split("==", 1)[1].split(",")
            return [{"id": t, "params": {"bucketName": "bucket-" + t, "path": "out", "fileType": "CSV"}}
                    for f in flows for t in f["targetConnectionIds"] if t in ids]
        return flows

    def get_item(self, collection, item_id):
        self.calls.append(("get", collection, item_id))
        self.request_count += 1
        if collection == "targetConnections":
            return {"id": item_id, "params": {"bucketName": "read-by-id", "path": "out"}}
        return {"id": item_id, "name": SPEC_NAMES[item_id]} if item_id in SPEC_NAMES else None

    def close(self):
        self.closed = True


def plugin_errors():
    """The client module as the plugin loader imported it (its ApiError is the class the plugin catches)."""
    return sys.modules["ansible_collections.aep.flow_service.plugins.module_utils._client"]


def _collection_modules():
    return {k: v for k, v in sys.modules.items() if k == "ansible_collections" or k.startswith("ansible_collections.")}


@pytest.fixture(scope="module")
def plugin_module():
    """The plugin's Python module, imported by Ansible's collection loader as ansible-inventory does.

    The loader needs to import the collection itself (to read meta/runtime.yml), so the plain imports other
    tests made are set aside for this module's tests and put back afterwards.
    """
    saved = _collection_modules()
    for name in saved:
        del sys.modules[name]
    # The folder tests/checkout.py put on sys.path.
    roots = [p for p in sys.path if (Path(p) / "ansible_collections" / "aep" / "flow_service").is_dir()]
    init_plugin_loader(roots[:1])
    plugin = inventory_loader.get("aep.flow_service.aep_flows")
    try:
        yield sys.modules[type(plugin).__module__]
    finally:
        for name in _collection_modules():
            del sys.modules[name]
        sys.modules.update(saved)
        _AnsibleCollectionFinder._remove()  # pylint: disable=protected-access


@pytest.fixture
def make_inventory(plugin_module, monkeypatch, tmp_path):
    """``make_inventory(config_text, cache=False)`` -> (InventoryData, plugin) after a parse with FakeClient."""
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AEP_SANDBOX_NAME", raising=False)
    FakeClient.made = []
    FakeClient.failures = []
    FakeClient.refuse_id_filter = False

    def make(config, cache=False, name="test.aep_flows.yml"):
        plugin = inventory_loader.get("aep.flow_service.aep_flows")
        # The plugin's clients are made by the run's Api (module_utils/_api.py), as the loader imported it.
        monkeypatch.setattr(sys.modules["ansible_collections.aep.flow_service.plugins.module_utils._api"],
                            "FlowServiceClient", FakeClient)
        path = tmp_path / name
        path.write_text("plugin: aep.flow_service.aep_flows\n" + config, encoding="utf-8")
        inventory = InventoryData()
        plugin.parse(inventory, DataLoader(), str(path), cache=cache)
        return inventory, plugin

    return make


def hostvars(inventory, name):
    return inventory.get_host(name).get_vars()


def group_hosts(inventory, group):
    return sorted(h.name for h in inventory.groups[group].get_hosts())


def test_hosts_are_named_by_flow_id_with_the_documented_vars(make_inventory):
    inventory, dummy = make_inventory("")
    assert sorted(inventory.hosts) == ["f1", "f2", "f3"]  # prod only: the default sandbox
    got = hostvars(inventory, "f1")
    assert {k: v for k, v in got.items() if k.startswith("aep_")} == {
        "aep_flow_id": "f1", "aep_flow_name": "Winter export", "aep_flow_state": "enabled",
        "aep_flow_spec_id": "flowspec-4fce", "aep_destination_spec_id": S3_SPEC,
        "aep_destination_name": "Amazon S3", "aep_target_connection_ids": ["f1-t0"],
        "aep_target_connection_id": "f1-t0", "aep_base_connection_ids": ["f1-b"],
        "aep_base_connection_id": "f1-b", "aep_sandbox": "prod",
        "aep_destination_params": {"bucketName": "bucket-f1-t0", "path": "out", "fileType": "CSV"},
        "aep_destination_location": {"bucketName": "bucket-f1-t0", "path": "out"}}
    assert got["ansible_connection"] == "local"
    assert got["ansible_python_interpreter"] == "{{ ansible_playbook_python }}"


def test_a_flow_with_two_target_connections_has_no_single_target_id(make_inventory):
    inventory, dummy = make_inventory("")
    got = hostvars(inventory, "f3")
    assert got["aep_target_connection_ids"] == ["f3-t0", "f3-t1"]
    assert got["aep_target_connection_id"] is None
    assert got["aep_base_connection_id"] == "f3-b"  # both targets share one base connection


def test_target_connections_are_read_by_id_in_chunks_per_sandbox(make_inventory, plugin_module, monkeypatch):
    monkeypatch.setattr(plugin_module, "TARGET_IDS_PER_REQUEST", 2)
    inventory, dummy = make_inventory("sandboxes: [prod, dev]\n")
    reads = [(c.options["sandbox"], call[2]["property"]) for c in FakeClient.made for call in c.calls
             if call[:2] == ("list", "targetConnections")]
    # the first target connection of each flow: f1, f2, f3 in prod (two requests of at most 2 ids), f4, f5 in dev
    assert reads == [("prod", ["id==f1-t0,f2-t0"]), ("prod", ["id==f3-t0"]), ("dev", ["id==f4-t0,f5-t0"])]
    assert hostvars(inventory, "f5")["aep_destination_location"] == {"bucketName": "bucket-f5-t0", "path": "out"}


def test_a_refused_id_filter_falls_back_to_reading_each_target_by_id(make_inventory):
    FakeClient.refuse_id_filter = True
    inventory, dummy = make_inventory("")
    gets = [call[2] for c in FakeClient.made for call in c.calls if call[:2] == ("get", "targetConnections")]
    assert gets == ["f1-t0", "f2-t0", "f3-t0"]
    assert hostvars(inventory, "f1")["aep_destination_location"] == {"bucketName": "read-by-id", "path": "out"}


def test_groups_by_destination_state_and_sandbox(make_inventory):
    inventory, dummy = make_inventory("sandboxes: [prod, dev]\n")
    assert group_hosts(inventory, "aep_flows") == ["f1", "f2", "f3", "f4", "f5"]
    assert group_hosts(inventory, "aep_destination_amazon_s3") == ["f1", "f2", "f4", "f5"]
    assert group_hosts(inventory, "aep_destination_google_ad_manager") == ["f3"]
    assert group_hosts(inventory, "aep_state_enabled") == ["f1", "f2", "f4", "f5"]
    assert group_hosts(inventory, "aep_state_disabled") == ["f3"]
    assert group_hosts(inventory, "aep_sandbox_dev") == ["f4", "f5"]


def test_group_prefix_renames_the_plugin_groups(make_inventory):
    inventory, dummy = make_inventory("group_prefix: flow_\n")
    assert "flow_destination_amazon_s3" in inventory.groups
    assert "aep_destination_amazon_s3" not in inventory.groups


def test_several_sandboxes_one_token_holder_and_each_spec_read_once(make_inventory):
    inventory, dummy = make_inventory("sandboxes: [prod, dev, prod]\n")
    assert [c.options["sandbox"] for c in FakeClient.made] == ["prod", "dev"]  # duplicates read once
    assert FakeClient.made[1].tokens is FakeClient.made[0].tokens  # one token for every sandbox
    assert all(c.closed for c in FakeClient.made)
    spec_reads = [call for c in FakeClient.made for call in c.calls if call[0] == "get"]
    assert sorted(call[2] for call in spec_reads) == sorted([S3_SPEC, GAM_SPEC])
    assert hostvars(inventory, "f4")["aep_sandbox"] == "dev"
    assert hostvars(inventory, "f4")["aep_destination_name"] == "Amazon S3"


def test_sandbox_option_and_env_var_pick_the_single_sandbox(make_inventory, monkeypatch):
    monkeypatch.setenv("AEP_SANDBOX_NAME", "dev")
    inventory, dummy = make_inventory("")
    assert sorted(inventory.hosts) == ["f4", "f5"]


def test_property_filters_are_anded_with_the_destination_filter(make_inventory):
    make_inventory("property:\n  - state==enabled\n")
    call = FakeClient.made[0].calls[0]
    assert call == ("list", "flows", {"property": ["state==enabled",
                                                   "inheritedAttributes.properties.isDestinationFlow==true"]})


def test_hostnames_name_uses_unique_names_and_ids_for_shared_ones(make_inventory):
    inventory, dummy = make_inventory("sandboxes: [prod, dev]\nhostnames: name\n")
    # "Shared name" exists in prod (f2) and dev (f4): both fall back to their ids.
    assert sorted(inventory.hosts) == ["Dev_export", "GAM_audience", "Winter_export", "f2", "f4"]
    assert hostvars(inventory, "Winter_export")["aep_flow_id"] == "f1"
    assert hostvars(inventory, "Winter_export")["aep_flow_name"] == "Winter export"


@pytest.mark.parametrize("name, host", [
    ("2021 winter campaign", "2021_winter_campaign"), ("a, b: c!", "a_b_c"), ("x.y-z_1", "x.y-z_1"), ("  ", "")])
def test_names_become_pattern_safe_host_names(plugin_module, name, host):
    assert plugin_module.pattern_safe(name) == host


def test_names_equal_once_made_safe_fall_back_to_ids(plugin_module):
    records = [{"aep_flow_id": "f1", "aep_flow_name": "a b"}, {"aep_flow_id": "f2", "aep_flow_name": "a:b"},
               {"aep_flow_id": "f3", "aep_flow_name": "!!"}, {"aep_flow_id": "f4", "aep_flow_name": "c"}]
    assert plugin_module.host_names(records, "name") == ["f1", "f2", "f3", "c"]


def test_compose_groups_and_keyed_groups(make_inventory):
    inventory, dummy = make_inventory(
        "sandboxes: [prod, dev]\n"
        "compose:\n  export_path: \"'exports/' ~ aep_flow_id\"\n"
        "groups:\n  winter: \"'Winter' in aep_flow_name\"\n"
        "keyed_groups:\n  - key: aep_destination_name\n    prefix: dest\n")
    assert hostvars(inventory, "f1")["export_path"] == "exports/f1"
    assert group_hosts(inventory, "winter") == ["f1"]
    assert group_hosts(inventory, "dest_Amazon_S3") == ["f1", "f2", "f4", "f5"]


def test_compose_overrides_the_local_connection_default(make_inventory):
    inventory, dummy = make_inventory("compose:\n  ansible_connection: \"'ssh'\"\n")
    assert hostvars(inventory, "f1")["ansible_connection"] == "ssh"


def test_local_connection_false_sets_no_connection_vars(make_inventory):
    inventory, dummy = make_inventory("local_connection: false\n")
    got = hostvars(inventory, "f1")
    assert "ansible_connection" not in got and "ansible_python_interpreter" not in got


def test_cache_serves_the_second_parse_without_requests(make_inventory, tmp_path):
    config = ("cache: true\ncache_plugin: ansible.builtin.jsonfile\ncache_connection: %s\n" % (tmp_path / "cache"))
    dummy, plugin = make_inventory(config, cache=False)  # --flush-cache / refresh: read and store
    plugin.update_cache_if_changed()
    assert len(FakeClient.made) == 1
    inventory, dummy = make_inventory(config, cache=True)
    assert len(FakeClient.made) == 1  # served from the cache
    assert hostvars(inventory, "f1")["aep_destination_name"] == "Amazon S3"
    assert hostvars(inventory, "f1")["ansible_connection"] == "local"


def test_cache_miss_reads_the_api(make_inventory, tmp_path):
    config = ("cache: true\ncache_plugin: ansible.builtin.jsonfile\ncache_connection: %s\n" % (tmp_path / "empty"))
    inventory, dummy = make_inventory(config, cache=True)
    assert len(FakeClient.made) == 1
    assert "f1" in inventory.hosts


def test_missing_credentials_fail_before_any_request(make_inventory, monkeypatch):
    monkeypatch.delenv("AEP_CLIENT_SECRET")
    monkeypatch.delenv("AEP_ORG_ID")
    with pytest.raises(AnsibleParserError) as info:
        make_inventory("")
    assert "org_id is required" in str(info.value) and "no credentials" in str(info.value)
    assert FakeClient.made == []


def test_without_requests_the_plugin_says_what_to_install(make_inventory, plugin_module, monkeypatch):
    monkeypatch.setattr(plugin_module, "HAS_REQUESTS", False)
    with pytest.raises(AnsibleError, match="needs the Python library requests"):
        make_inventory("")
    assert FakeClient.made == []


def test_empty_sandbox_name_fails(make_inventory):
    with pytest.raises(AnsibleParserError, match="empty"):
        make_inventory("sandboxes: [prod, ' ']\n")


def test_api_errors_name_what_was_read_and_hide_the_secret(make_inventory, plugin_module):
    FakeClient.failures.append(plugin_module.ApiError(
        "the token has no access to this sandbox", status=403, code="FLOW-2118-403", method="GET",
        url="http://127.0.0.1:9/data/foundation/flowservice/flows"))
    with pytest.raises(AnsibleError) as info:
        make_inventory("")
    text = str(info.value)
    assert "Reading the destination dataflows of sandbox prod failed" in text and "HTTP 403" in text
    assert ENV["AEP_CLIENT_SECRET"] not in text


def test_a_wrong_platform_url_says_what_to_check(make_inventory, plugin_module):
    from ansible_collections.aep.flow_service.plugins.module_utils._errors import mark_wrong_url

    FakeClient.failures.append(mark_wrong_url(plugin_module.ApiError(
        "Not Found", status=404, method="GET", url="http://127.0.0.1:9/x/data/foundation/flowservice/flows"),
        "http://127.0.0.1:9/x", "a collection is never missing"))
    with pytest.raises(AnsibleError) as info:
        make_inventory("")
    text = str(info.value)
    assert "platform_url http://127.0.0.1:9/x does not lead to the Flow Service API" in text
    assert "Check platform_url (AEP_PLATFORM_URL)" in text


@pytest.mark.parametrize("name, accepted", [
    ("x.aep_flows.yml", True), ("x.aep_flows.yaml", True), ("aep_flows.yml", False), ("x.yml", False)])
def test_verify_file_accepts_only_aep_flows_sources(plugin_module, tmp_path, name, accepted):
    path = tmp_path / name
    path.write_text("plugin: aep.flow_service.aep_flows\n", encoding="utf-8")
    assert inventory_loader.get("aep.flow_service.aep_flows").verify_file(str(path)) is accepted
