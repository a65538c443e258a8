"""main() of the two connection modules: option checks before any request, results and warnings."""

from __future__ import annotations

import pytest

from ansible_collections.aep.flow_service.plugins.modules import aep_base_connection, aep_target_connection

FLOW = "226fb2e1-db69-4760-b67e-9e671e05abfc"
TARGET = "8ce3dc63-3766-4220-9f61-51d2f8f14618"
BASE = "7fbf542b-83ed-498f-8838-8fde0c4d4d69"


@pytest.mark.parametrize("module, args, words", [
    (aep_target_connection, {"id": TARGET, "params": "not-a-dict"}, ["params"]),
    (aep_target_connection, {"id": TARGET, "purge_params": "sometimes"}, ["purge_params"]),
    (aep_target_connection, {"id": TARGET, "bogus": 1}, ["Unsupported parameters", "bogus"]),
    (aep_target_connection, {"id": "  "}, ["id must not be empty"]),
    (aep_target_connection, {"id": TARGET, "name": ""}, ["name must not be empty"]),
    (aep_target_connection, {"id": TARGET, "timeout": -1}, ["timeout must be a positive"]),
    (aep_target_connection, {"id": TARGET, "platform_url": "platform.adobe.io"}, ["platform_url must be an http(s) URL"]),
    (aep_base_connection, {"id": BASE, "flow_id": FLOW}, ["mutually exclusive"]),
    (aep_base_connection, {"id": BASE, "auth_params": {}}, ["auth_params must not be empty"]),
    (aep_base_connection, {"id": BASE, "update_secrets": "never"}, ["update_secrets", "always, on_change"]),
    (aep_base_connection, {"auth_params": {"a": 1}}, ["one of the following is required: id, flow_id"]),
    (aep_base_connection, {"id": BASE, "access_token": "a-ready-token-value"}, ["contradict"]),
])
def test_invalid_input_fails_before_any_request(emulator, run_module, module, args, words):
    code, result = run_module(module.main, args)
    assert code == 1, result
    for word in words:
        assert word in result["msg"]
    assert emulator.requests() == []


def test_target_result_shape(emulator, run_module):
    code, result = run_module(aep_target_connection.main, {"id": TARGET, "params": {"path": "p1"}}, diff=True)
    assert code == 0, result
    stored = emulator.resource("targetConnections", TARGET)
    assert result["changed"] is True
    assert result["etag"] == stored["etag"]
    assert result["target_connection"]["params"] == stored["params"]
    assert result["patch"] == [{"op": "replace", "path": "/params/path", "value": "p1"}]
    assert result["diff"]["after"]["params"]["path"] == "p1"


def test_base_diff_masks_secrets_and_marks_new_ones(emulator, run_module):
    secret = "AnotherDemoSecretValue0123456789abcdef+/"
    key = emulator.resource("connections", BASE)["auth"]["params"]["s3AccessKey"]
    code, result = run_module(aep_base_connection.main, {"id": BASE, "auth_params": {"s3AccessKey": key, "s3SecretKey": secret}},
                              check_mode=True, diff=True)
    assert code == 0, result
    assert result["changed"] is True
    assert result["diff"]["before"]["auth"]["params"]["s3SecretKey"] == "********"
    assert result["diff"]["after"]["auth"]["params"]["s3SecretKey"] == "******** (new value)"
    assert secret not in repr(result)
    assert [r for r in emulator.requests() if r["method"] == "PATCH"] == []


def test_name_only_change_needs_no_secret(emulator, run_module):
    code, result = run_module(aep_base_connection.main, {"id": BASE, "name": "Renamed base"})
    assert code == 0, result
    assert result["patch"] == [{"op": "replace", "path": "/name", "value": "Renamed base"}]
    assert emulator.resource("connections", BASE)["name"] == "Renamed base"
    assert emulator.resource("connections", BASE)["auth"]["params"]["s3SecretKey"] != "********"


def test_plain_http_to_a_remote_host_warns(run_module, monkeypatch):
    from ansible_collections.aep.flow_service.plugins.module_utils._module import AepModule

    warned = []
    monkeypatch.setattr(AepModule, "warn", lambda self, text: warned.append(text))
    monkeypatch.delenv("AEP_CLIENT_SECRET")
    code, result = run_module(aep_target_connection.main, {"id": TARGET, "ims_url": "http://ims.example.invalid",
                                                           "access_token": "aep-demo-token"})
    assert code == 0, result
    assert any("ims_url uses plain http" in w for w in warned), warned
    assert not any("platform_url" in w for w in warned)  # the emulator on 127.0.0.1 is fine
    assert "aep-demo-token" not in repr(result)
