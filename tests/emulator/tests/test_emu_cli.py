"""The command line of run.py: the listening line, --port 0, signals, --data files, --generate, bad options."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest
import requests
import yaml
from emu_support import FLOW, Api

from harness import RUN_PY, start_emulator

MINIMAL = {
    "org": "ABCDEF0123456789ABCDEF01@AdobeOrg",
    "clients": [{"client_id": "mini-client", "client_secret": "mini-secret", "static_tokens": ["mini-token"]}],
    "sandboxes": [{"name": "prod", "id": "mini-prod"}, {"name": "stage"}],
    "connectionSpecs": [{"id": "spec-1", "name": "Tiny", "authSpec": [], "targetSpec": {"spec": {"type": "object", "properties": {"x": {"type": "string"}}}}}],
    "resources": {"stage": {"targetConnections": [{"id": "tc-1", "name": "Tiny target", "connectionSpec": {"id": "spec-1", "version": "1.0"},
                                                   "params": {"x": "1"}}]}},
}
MINI_HEADERS = {"Authorization": "Bearer mini-token", "x-api-key": "mini-client", "x-gw-ims-org-id": MINIMAL["org"]}


def launch(*args: str) -> subprocess.Popen:
    """Start run.py directly (not through the harness)."""
    return subprocess.Popen([sys.executable, str(RUN_PY), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_listening_line_and_clean_exit_on_signals(signum):
    process = launch("--port", "0")
    try:
        line = process.stdout.readline()
        assert line.startswith("listening on http://127.0.0.1:")
        url = line.split()[-1]
        assert int(url.rsplit(":", 1)[1]) > 0
        assert requests.get(url + "/_emulator/health", timeout=5).json() == {"ok": True}
        process.send_signal(signum)
        assert process.wait(timeout=10) == 0
        assert process.stderr.read() == ""
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
        process.stderr.close()


@pytest.mark.parametrize("suffix, dump", [(".json", json.dumps), (".yaml", yaml.safe_dump)])
def test_data_file_replaces_the_demo_data(tmp_path, own_emulator, suffix, dump):
    data_file = tmp_path / f"data{suffix}"
    data_file.write_text(dump(MINIMAL), encoding="utf-8")
    emulator = own_emulator("--data", str(data_file))
    api = Api(emulator)
    assert api.get(f"/flows/{FLOW}", headers=MINI_HEADERS).status_code == 404
    assert api.get(f"/flows/{FLOW}").status_code == 401  # the demo token is gone with the demo data
    target = api.get("/targetConnections/tc-1", headers={**MINI_HEADERS, "x-sandbox-name": "stage"}).json()["items"][0]
    assert target["sandboxName"] == "stage" and target["imsOrgId"] == MINIMAL["org"] and target["etag"] == target["version"]
    assert emulator.resource("targetConnections", "tc-1", sandbox="stage")["params"] == {"x": "1"}
    response = requests.post(emulator.url + "/ims/token/v3", timeout=10,
                             data={"grant_type": "client_credentials", "client_id": "mini-client", "client_secret": "mini-secret"})
    assert response.status_code == 200


@pytest.mark.parametrize("content", ["org: [unclosed", "- a list", "org: x@AdobeOrg\nclients: []",
                                     "org: x@AdobeOrg\nclients: [{client_id: a, client_secret: b}]\nresources: {qa: {}}"])
def test_bad_data_files_fail_to_start(tmp_path, content):
    data_file = tmp_path / "bad.yaml"
    data_file.write_text(content, encoding="utf-8")
    process = launch("--port", "0", "--data", str(data_file))
    out, err = process.communicate(timeout=20)
    assert process.returncode == 2
    assert out == "" and err.startswith("error: ")


def test_missing_data_file(tmp_path):
    process = launch("--port", "0", "--data", str(tmp_path / "absent.yaml"))
    err = process.communicate(timeout=20)[1]
    assert process.returncode == 2 and "cannot read" in err


@pytest.mark.parametrize("args", [["--host", "0.0.0.0"], ["--host", "example.com"], ["--secrets", "shown"], ["--port", "-1"],
                                  ["--latency-ms", "x"], ["--error-shape", "tiny"], ["--sandbox-error", "2102"], ["--settle-ms", "-5"]])
def test_bad_options(args):
    process = launch(*args)
    err = process.communicate(timeout=20)[1]
    assert process.returncode == 2 and "usage:" in err


def test_generated_data_is_deterministic(own_emulator):
    first, second = own_emulator("--generate", "3"), own_emulator("--generate", "3")
    ids = "6e000000-0000-4000-8000-000000030001"
    assert first.resource("flows", ids) == second.resource("flows", ids)
    assert Api(first).get("/flows", params={"count": "true"}).json() == {"count": 9}


def test_harness_reports_a_failed_start():
    with pytest.raises(RuntimeError, match="did not start"):
        start_emulator("--data", "/nonexistent/data.yaml")


def test_port_in_use_is_reported(emulator):
    port = emulator.url.rsplit(":", 1)[1]
    process = launch("--port", port)
    err = process.communicate(timeout=20)[1]
    assert process.returncode == 2 and "cannot listen" in err


def test_stop_is_prompt(own_emulator):
    emulator = own_emulator()
    started = time.monotonic()
    emulator.stop()
    assert emulator.process.returncode == 0
    assert time.monotonic() - started < 3
