"""extensions/awx/credential_type.yml: the shape AWX accepts, and injected variables the modules can run on.

AWX validates a credential type when it is saved (a JSON schema for ``inputs``, another for ``injectors``, and
a render of every injector template with each field set and ``StrictUndefined``), then renders the injectors
for each job with only the fields the credential fills in. Both are reproduced here, after AWX's
``awx/main/fields.py`` (``CredentialTypeInputField``, ``CredentialTypeInjectorField``) and
``awx/main/models/credential`` (``build_safe_env`` / injection). The injected environment is then parsed with
the modules' own connection argument spec and checks, so a typo in a variable name or a default that the
modules reject fails here. tests/integration/test_awx.py runs real playbooks on it; both render it with
tests/awx_credential.py.
"""

from __future__ import annotations

import re

import pytest
from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible_collections.aep.flow_service.plugins.module_utils._options import (
    DEFAULT_IMS_URL,
    DEFAULT_PLATFORM_URL,
    check_connection_options,
    connection_argument_spec,
)

from awx_credential import load_credential_type, render_injected_env

jsonschema = pytest.importorskip("jsonschema")

# AWX's schema for CredentialType.inputs (awx/main/fields.py, CredentialTypeInputField.schema).
AWX_INPUTS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "required": {"type": "array", "items": {"type": "string"}},
        "fields": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "type": {"enum": ["string", "boolean"]},
                    "format": {"enum": ["ssh_private_key", "url"]},
                    "choices": {"type": "array", "minItems": 1, "items": {"type": "string"}, "uniqueItems": True},
                    "id": {"type": "string", "pattern": "^[a-zA-Z_]+[a-zA-Z0-9_]*$"},
                    "label": {"type": "string"},
                    "help_text": {"type": "string"},
                    "multiline": {"type": "boolean"},
                    "secret": {"type": "boolean"},
                    "ask_at_runtime": {"type": "boolean"},
                    "default": {},
                },
                "additionalProperties": False,
                "required": ["id", "label"],
            },
        },
    },
}

# AWX's schema for CredentialType.injectors (awx/main/fields.py, CredentialTypeInjectorField.schema).
AWX_INJECTORS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "file": {
            "type": "object",
            "patternProperties": {r"^template(\.[a-zA-Z_]+[a-zA-Z0-9_]*)?$": {"type": "string"}},
            "additionalProperties": False,
        },
        "env": {
            "type": "object",
            "patternProperties": {"^[a-zA-Z_]+[a-zA-Z0-9_]*$": {"type": "string", "pattern": "^[\x00-\x7F]*$"}},
            "additionalProperties": False,
        },
        "extra_vars": {
            "type": "object",
            "patternProperties": {"^[a-zA-Z_]+[a-zA-Z0-9_]*$": {"type": "string"}},
            "additionalProperties": False,
        },
    },
}

# Variables AWX refuses in injectors besides ANSIBLE_* (awx/main/constants.py, ENV_BLOCKLIST).
AWX_ENV_BLOCKLIST = {
    "VIRTUAL_ENV", "PATH", "PYTHONPATH", "JOB_ID", "INVENTORY_ID", "INVENTORY_SOURCE_ID", "INVENTORY_UPDATE_ID",
    "AD_HOC_COMMAND_ID", "REST_API_URL", "REST_API_TOKEN", "MAX_EVENT_RES", "CALLBACK_QUEUE", "CALLBACK_CONNECTION",
    "CACHE", "JOB_CALLBACK_DEBUG", "INVENTORY_HOSTVARS", "AWX_HOST", "PROJECT_REVISION", "SUPERVISOR_CONFIG_PATH",
}

# What every module needs to reach the API without any option in the task.
ESSENTIAL_VARIABLES = {"AEP_CLIENT_ID", "AEP_CLIENT_SECRET", "AEP_ACCESS_TOKEN", "AEP_ORG_ID", "AEP_SANDBOX_NAME",
                       "AEP_PLATFORM_URL", "AEP_IMS_URL"}

DEMO_ORG = "0123456789ABCDEF01234567@AdobeOrg"


def connection_params_from_env(monkeypatch, env):
    """The connection options a module would parse with only ``env`` set and no option in the task."""
    for name in {fallback for spec in connection_argument_spec().values()
                 for fallback in (spec.get("fallback") or (None, []))[1]}:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = ArgumentSpecValidator(connection_argument_spec()).validate({})
    assert not result.error_messages, result.error_messages
    return result.validated_parameters


def module_env_variables():
    """Every environment variable the modules' connection options fall back on."""
    names = set()
    for spec in connection_argument_spec().values():
        fallback = spec.get("fallback")
        if fallback:
            names.update(fallback[1])
    return names


def test_inputs_have_the_shape_awx_accepts():
    credential_type = load_credential_type()
    assert set(credential_type) == {"name", "description", "kind", "inputs", "injectors"}
    assert credential_type["kind"] == "cloud"
    jsonschema.validate(credential_type["inputs"], AWX_INPUTS_SCHEMA)
    ids = [field["id"] for field in credential_type["inputs"]["fields"]]
    assert len(ids) == len(set(ids)), "field ids must be unique"
    assert "tower" not in ids, "tower is reserved by AWX"
    assert set(credential_type["inputs"]["required"]) <= set(ids)
    for field in credential_type["inputs"]["fields"]:
        if field["type"] != "string":
            assert not {"choices", "multiline", "format", "secret"} & set(field), field["id"]


def test_every_secret_field_is_secret_and_only_those():
    fields = {field["id"]: field for field in load_credential_type()["inputs"]["fields"]}
    secret = {fid for fid, field in fields.items() if field.get("secret")}
    assert secret == {"client_secret", "access_token"}
    for fid in fields:
        if re.search("secret|token|password|key", fid) and fid != "token_cache":
            assert fid in secret, fid


def test_injectors_have_the_shape_awx_accepts_and_use_only_defined_fields():
    credential_type = load_credential_type()
    injectors = credential_type["injectors"]
    jsonschema.validate(injectors, AWX_INJECTORS_SCHEMA)
    assert set(injectors) == {"env"}, "only environment variables: nothing lands in extra vars or files"
    # AWX's save-time check: every template renders with each field set and StrictUndefined.
    namespace = {field["id"]: "EXAMPLE" for field in credential_type["inputs"]["fields"]}
    strict = ImmutableSandboxedEnvironment(undefined=StrictUndefined)
    for name, template in injectors["env"].items():
        assert not name.startswith("ANSIBLE_") and name not in AWX_ENV_BLOCKLIST, name
        strict.from_string(template).render(namespace)


def test_injected_variables_are_exactly_ones_the_modules_read():
    injected = set(load_credential_type()["injectors"]["env"])
    assert injected <= module_env_variables(), injected - module_env_variables()
    assert ESSENTIAL_VARIABLES <= injected, ESSENTIAL_VARIABLES - injected


@pytest.mark.parametrize("inputs, expected", [
    pytest.param(
        {"client_id": "aep-demo-client", "client_secret": "aep-demo-secret", "org_id": DEMO_ORG},
        {"client_secret": "aep-demo-secret", "access_token": None, "sandbox": "prod",
         "platform_url": DEFAULT_PLATFORM_URL, "ims_url": DEFAULT_IMS_URL, "token_cache": False},
        id="client-secret-only-required-fields"),
    pytest.param(
        {"client_id": "aep-demo-client", "access_token": "aep-demo-token", "org_id": DEMO_ORG, "sandbox": "dev"},
        {"client_secret": None, "access_token": "aep-demo-token", "sandbox": "dev", "token_cache": False},
        id="access-token-and-sandbox"),
    pytest.param(
        {"client_id": "aep-demo-client", "client_secret": "aep-demo-secret", "org_id": DEMO_ORG,
         "sandbox": "", "platform_url": "", "ims_url": "", "access_token": "", "token_cache": True},
        {"access_token": None, "sandbox": "prod", "platform_url": DEFAULT_PLATFORM_URL, "ims_url": DEFAULT_IMS_URL,
         "token_cache": True},
        id="fields-left-empty-in-the-form"),
    pytest.param(
        {"client_id": "aep-demo-client", "client_secret": "aep-demo-secret", "org_id": DEMO_ORG,
         "platform_url": "http://127.0.0.1:8180", "ims_url": "http://127.0.0.1:8180"},
        {"platform_url": "http://127.0.0.1:8180", "ims_url": "http://127.0.0.1:8180"},
        id="emulator-urls"),
])
def test_injected_environment_alone_gives_valid_connection_options(monkeypatch, inputs, expected):
    env = render_injected_env(load_credential_type(), inputs)
    params = connection_params_from_env(monkeypatch, env)
    errors, _warnings = check_connection_options(params)
    assert errors == []
    assert params["client_id"] == "aep-demo-client"
    assert params["org_id"] == DEMO_ORG
    for name, value in expected.items():
        if value is None:
            assert not params[name], name  # injected as "": as good as unset for the modules
        else:
            assert params[name] == value, name


def test_credential_without_any_secret_is_refused_by_the_modules_with_a_clear_message(monkeypatch):
    env = render_injected_env(load_credential_type(), {"client_id": "aep-demo-client", "org_id": DEMO_ORG})
    errors, _warnings = check_connection_options(connection_params_from_env(monkeypatch, env))
    assert any("no credentials" in error for error in errors), errors
