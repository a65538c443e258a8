"""Connection specs kept across tasks with token_cache: a rerun that changes nothing reads none, and a kept spec
never decides a write or a prediction (it is read again first)."""

from __future__ import annotations

import json

import pytest

from ansible_collections.aep.flow_service.plugins.module_utils._api import Api
from ansible_collections.aep.flow_service.plugins.module_utils._errors import InvalidInput
from ansible_collections.aep.flow_service.plugins.module_utils._kinds import TargetConnection

from test_client import TARGET, options

S3_SPEC = "4fce964d-3f37-408f-9778-e597338a21ee"


@pytest.fixture
def run(emulator, tmp_path, monkeypatch):
    """``run(params, check_mode=False, **options)`` converges the demo S3 target connection in a new Api (a new
    task); returns the outcome and the spec reads it sent."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))

    def converge(params, check_mode=False, **overrides):
        emulator.clear_requests()
        api = Api(options(emulator, **dict({"token_cache": True}, **overrides)))
        try:
            client = api.client_for()
            outcome = TargetConnection(api.specs, client, params).converge(TARGET, check_mode)
        finally:
            api.close()
        reads = [r for r in emulator.requests(method="GET") if "/connectionSpecs/" in r["path"]]
        return outcome, reads

    return converge


def kept_files(tmp_path):
    return sorted((tmp_path / "aep.flow_service").glob("spec-*.json"))


def current_path(emulator):
    return emulator.resource("targetConnections", TARGET)["params"]["path"]


def test_a_rerun_that_changes_nothing_reads_no_spec(run, emulator, tmp_path):
    path = current_path(emulator)
    outcome, reads = run({"path": path})
    assert not outcome.changed and len(reads) == 1
    (kept,) = kept_files(tmp_path)
    assert oct(kept.stat().st_mode & 0o777) == "0o600"
    outcome, reads = run({"path": path})
    assert not outcome.changed and reads == []


def test_without_token_cache_every_task_reads_the_spec(run, emulator, tmp_path):
    path = current_path(emulator)
    for dummy in range(2):
        outcome, reads = run({"path": path}, token_cache=False)
        assert not outcome.changed and len(reads) == 1
    assert kept_files(tmp_path) == []


@pytest.mark.parametrize("check_mode", [False, True])
def test_a_change_reads_the_spec_again_first(run, emulator, check_mode):
    run({"path": current_path(emulator)})
    outcome, reads = run({"path": "exports/changed"}, check_mode=check_mode)
    assert outcome.changed and len(reads) == 1
    assert (current_path(emulator) == "exports/changed") is not check_mode


def test_a_stale_kept_spec_never_lets_a_refused_value_through(run, emulator, tmp_path):
    run({"path": current_path(emulator)})
    (kept,) = kept_files(tmp_path)
    data = json.loads(kept.read_text(encoding="utf-8"))
    bucket = data["spec"]["targetSpec"]["spec"]["properties"]["bucketName"]
    bucket.pop("pattern", None)  # an older copy that took any bucket name
    kept.write_text(json.dumps(data), encoding="utf-8")
    emulator.clear_requests()
    with pytest.raises(InvalidInput, match="bucketName"):
        run({"bucketName": "Not A Valid Bucket!"})
    assert [r for r in emulator.requests() if r["method"] == "PATCH"] == []


def test_a_connection_on_another_spec_version_is_not_served_from_the_file(run, emulator, tmp_path):
    run({"path": current_path(emulator)})
    emulator.edit("targetConnections", TARGET, [{"op": "replace", "path": "/connectionSpec/version", "value": "2.0"}])
    outcome, reads = run({"path": current_path(emulator)})
    assert not outcome.changed and len(reads) == 1
    assert len(kept_files(tmp_path)) == 2
