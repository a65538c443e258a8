"""The documented option schemas agree with the code that enforces them.

ansible-test's validate-modules compares each module's DOCUMENTATION with its argument spec, but not the
shared doc fragment's plugin variant (the inventory plugin's configuration *is* its documentation) nor the
role's argument spec, which repeats the batch module's destination item. These tests fail when they drift.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from ansible_collections.aep.flow_service.plugins.doc_fragments.connection import ModuleDocFragment
from ansible_collections.aep.flow_service.plugins.module_utils._batch_items import DESTINATION_OPTIONS
from ansible_collections.aep.flow_service.plugins.module_utils._options import connection_argument_spec

ROOT = Path(__file__).resolve().parents[2]
ROLE_SPEC = ROOT / "roles" / "destination_connections" / "meta" / "argument_specs.yml"


def _fragment(name):
    return yaml.safe_load(getattr(ModuleDocFragment, name))["options"]


def test_connection_fragment_documents_every_connection_option_with_its_type_and_default():
    documented = _fragment("DOCUMENTATION")
    spec = connection_argument_spec()
    assert sorted(documented) == sorted(spec)
    for name, option in spec.items():
        assert documented[name]["type"] == option["type"], name
        assert documented[name].get("default") == option.get("default"), name


def test_plugin_variant_names_the_environment_variable_of_every_option():
    env = {name: [entry["name"] for entry in option["env"]] for name, option in _fragment("PLUGINS").items()}
    fallbacks = {name: list(option["fallback"][1]) for name, option in connection_argument_spec().items()}
    assert env == fallbacks


def test_role_destination_item_matches_the_batch_module_item():
    role = yaml.safe_load(ROLE_SPEC.read_text(encoding="utf-8"))
    item = role["argument_specs"]["main"]["options"]["destination_connections_list"]["options"]
    assert sorted(item) == sorted(DESTINATION_OPTIONS)
    for name, option in DESTINATION_OPTIONS.items():
        assert item[name].get("type", "str") == option["type"], name
        assert item[name].get("choices") == option.get("choices"), name
        assert bool(item[name].get("no_log")) == bool(option.get("no_log")), name
        assert item[name].get("elements") == option.get("elements"), name
