"""The red-team findings of issue 12, each as the attack that reproduced it: redirects that carry the request
elsewhere, server answers that quote secrets in forms no_log cannot match, misspelt secret options, password
target params, proxies on loopback, a planted token cache and a killed run.

Every run goes through the ``run_module``/``play``/``inventory`` fixtures, so each output is scanned for every
known secret (raw, URL-encoded, JSON-escaped) and token; the assertions add what a scan cannot see (a secret cut
in two, requests that reached another host, writes after a kill).
"""

from __future__ import annotations

import json
import os
import stat
import time
import urllib.parse
from pathlib import Path

import pytest

import relkit
from relkit import AZURE_BASE, BASE, FLOW, NEW_ACCESS_KEY, NEW_AZURE_SECRET, NEW_S3_SECRET, TARGET

S3_AUTH = {"s3AccessKey": NEW_ACCESS_KEY, "s3SecretKey": NEW_S3_SECRET}
# A client secret shaped like Adobe's (p8e-...) with the characters that URL-encoding changes.
ODD_CLIENT_SECRET = "p8e-Reliability/Odd+Client=Secret/0123456789"
ODD_CLIENT = "aep-odd-client"


def modules():
    from ansible_collections.aep.flow_service.plugins.modules import (  # pylint: disable=import-outside-toplevel
        aep_base_connection, aep_destination_connections, aep_flow_info, aep_target_connection)
    return aep_base_connection, aep_destination_connections, aep_flow_info, aep_target_connection


def odd_client_data(tmp_path, scanner):
    """The demo data plus a client whose secret holds '/', '+' and '=' (its URL-encoded form differs)."""
    data = relkit.load_demo_data()
    demo = next(c for c in data["clients"] if c["client_id"] == "aep-demo-client")
    data["clients"].append(dict(demo, client_id=ODD_CLIENT, client_secret=ODD_CLIENT_SECRET, static_tokens=[]))
    scanner.add("client secret with /+=", ODD_CLIENT_SECRET)
    path = tmp_path / "odd_client.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


# --------------------------------------------------------------------------------------------- 1. redirects

def record_redirect(target):
    relkit.record("redirect", reached=len(target.requests()))


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirected_patch_reaches_no_other_host(emulator, own_emulator, run_module, status):
    other = own_emulator()
    location = other.url + "/data/foundation/flowservice/connections/" + BASE + "?sig=redirect-query-secret"
    emulator.add_fault(method="PATCH", path=BASE, kind="redirect", status=status, location=location)
    run = run_module(modules()[0].main, {"flow_id": FLOW, "auth_params": S3_AUTH}, scenario="PATCH redirected %d" % status)
    assert run.failed and not run.result.get("changed"), run.result
    assert "HTTP %d" % status in run.msg and other.url in run.msg, run.msg
    assert "redirect-query-secret" not in run.text and "/connections/" + BASE + "?" not in run.msg
    record_redirect(other)
    assert other.requests() == [], "the redirect target received %s" % other.requests()
    assert relkit.landed_patches(emulator, BASE) == []


def test_a_redirected_token_request_sends_the_client_secret_nowhere(emulator, own_emulator, run_module):
    other = own_emulator()
    emulator.add_fault(method="POST", path="/ims/token", kind="redirect", status=307, location=other.url + "/ims/token/v3")
    run = run_module(modules()[2].main, {"id": FLOW}, scenario="IMS token request redirected")
    assert run.failed and "HTTP 307" in run.msg and other.url in run.msg, run.msg
    record_redirect(other)
    assert other.requests() == [], "the redirect target received %s" % other.requests()


def test_a_redirect_inside_the_batch_module_writes_nothing_elsewhere(emulator, own_emulator, run_module):
    other = own_emulator()
    emulator.add_fault(method="PATCH", path=TARGET, kind="redirect", status=308, location=other.url + "/x")
    run = run_module(modules()[1].main, {"destinations": [{"flow_id": FLOW, "params": {"path": "redirected"},
                                                           "auth_params": S3_AUTH}]},
                     scenario="batch PATCH redirected")
    entry = run.result["destinations"][0]
    assert entry["status"] == "failed" and entry["failed_step"] == "target" and "HTTP 308" in entry["error"], entry
    record_redirect(other)
    assert other.requests() == []


def test_the_inventory_plugin_follows_no_redirect(emulator, own_emulator, inventory):
    other = own_emulator()
    emulator.add_fault(method="GET", path="/flows", kind="redirect", status=302, location=other.url + "/flows?t=1")
    proc = inventory("plugin: aep.flow_service.aep_flows\n", scenario="inventory redirected")
    assert "HTTP 302" in proc.stderr and other.url in proc.stderr, proc.stderr[-2000:]
    record_redirect(other)
    assert other.requests() == []


# --------------------------------------------------------------------------------------------- 2. echoes

def test_a_401_quoting_the_authorization_header_shows_no_minted_token(emulator, run_module):
    emulator.add_fault(method="GET", path="/flows/", kind="echo", status=401, quote="headers", count=10)
    run = run_module(modules()[2].main, {"id": FLOW, "token_cache": True}, scenario="401 echoing the minted token")
    assert run.failed and "HTTP 401" in run.msg, run.msg
    assert "authorization: ********" in run.msg.lower(), run.msg


def test_a_body_quoting_only_the_account_key_shows_nothing(emulator, run_module):
    key = NEW_AZURE_SECRET.split("AccountKey=", 1)[1].split(";", 1)[0]
    emulator.add_fault(method="PATCH", path=AZURE_BASE, kind="status", status=400,
                       body={"message": "the storage account refused AccountKey=%s" % key})
    run = run_module(modules()[0].main, {"id": AZURE_BASE, "auth_params": {"connectionString": NEW_AZURE_SECRET}},
                     scenario="error quoting an AccountKey")
    assert run.failed and "AccountKey=********" in run.msg, run.msg


@pytest.mark.parametrize("quote, form", [("body", "URL-encoded"), ("form", "decoded")])
def test_ims_echoing_the_client_secret_shows_nothing(own_emulator, run_module, tmp_path, scanner, quote, form):
    emu = own_emulator("--data", odd_client_data(tmp_path, scanner))
    emu.add_fault(method="POST", path="/ims/", kind="echo", status=400, quote=quote)
    run = run_module(modules()[2].main, {"id": FLOW, "client_id": ODD_CLIENT, "client_secret": ODD_CLIENT_SECRET},
                     emu=emu, scenario="IMS echoing the client secret %s" % form)
    assert run.failed and "client_secret=********" in run.msg, run.msg
    if quote == "body":
        assert urllib.parse.quote_plus(ODD_CLIENT_SECRET) not in run.text


def test_a_secret_across_the_500_character_cut_is_not_half_shown(own_emulator, run_module, tmp_path, scanner):
    emu = own_emulator("--data", odd_client_data(tmp_path, scanner))
    before = "The request was: grant_type=client_credentials&client_id=%s&client_secret=" % ODD_CLIENT
    pad = 500 - len(before) - 12  # the first 12 characters of the secret before the cut, the rest after
    emu.add_fault(method="POST", path="/ims/", kind="echo", status=400, quote="form", format="text", pad=pad)
    run = run_module(modules()[2].main, {"id": FLOW, "client_id": ODD_CLIENT, "client_secret": ODD_CLIENT_SECRET},
                     emu=emu, scenario="secret cut by the 500-character limit")
    assert run.failed
    assert ODD_CLIENT_SECRET[:12] not in run.text, run.msg[-200:]


def test_a_patch_body_echoed_as_json_text_shows_no_secret(emulator, run_module, scanner):
    """A secret holding a quote and a backslash is written JSON-escaped in the body the server quotes back."""
    secret = 'pina-"quoted"-back\\slash-token-not-real'
    scanner.add("token with a quote and a backslash", secret)
    emulator.add_fault(method="PATCH", path=relkit.PINTEREST_BASE, kind="echo", status=400, quote="body", format="text")
    run = run_module(modules()[0].main, {"id": relkit.PINTEREST_BASE,
                                         "auth_params": {"accessToken": secret, "refreshToken": NEW_S3_SECRET}},
                     scenario="PATCH body echoed as JSON text")
    assert run.failed and "HTTP 400" in run.msg, run.msg
    assert json.dumps(secret)[1:-1] not in run.text


# --------------------------------------------------------------------------------------------- 3. inventory

def test_the_inventory_plugin_redacts_echoed_secrets(emulator, inventory):
    emulator.add_fault(method="POST", path="/ims/", kind="echo", status=400, quote="body")
    proc = inventory("plugin: aep.flow_service.aep_flows\n", scenario="inventory: IMS echoing the client secret")
    assert "client_secret=********" in proc.stderr, proc.stderr[-2000:]
    emulator.add_fault(method="GET", path="/flows", kind="echo", status=401, quote="headers", count=5)
    static = {"AEP_CLIENT_SECRET": None, "AEP_ACCESS_TOKEN": "aep-demo-token"}
    proc = inventory("plugin: aep.flow_service.aep_flows\n", env=static,
                     scenario="inventory: 401 echoing the static token")
    assert "authorization: ********" in proc.stderr.lower(), proc.stderr[-2000:]


@pytest.mark.parametrize("url", ["https://user:url-password-123@[platform.adobe.io",
                                 "https://user:url-password-123@platform.adobe.io:99999",
                                 "https://url-password-123@platform.adobe.io"])
def test_a_url_holding_a_password_is_never_echoed(emulator, run_module, inventory, scanner, url):
    scanner.add("password inside a URL", "url-password-123")
    run = run_module(modules()[2].main, {"id": FLOW, "platform_url": url}, scenario="URL with a password")
    assert run.failed and "must not hold a user name or password" in run.msg, run.msg
    proc = inventory("plugin: aep.flow_service.aep_flows\nplatform_url: '%s'\n" % url, scenario="inventory URL with a password")
    assert "must not hold a user name or password" in proc.stderr, proc.stderr[-2000:]


# --------------------------------------------------------------------------------------------- 8. misspelt options

def test_a_misspelt_secret_option_is_not_echoed(emulator, play):
    args = {"flow_id": FLOW, "auth_parms": S3_AUTH}
    run = play("base_connection.yml", extra_vars={"module_args": args}, scenario="misspelt auth_params (single)")
    assert run.rc != 0 and "auth_parms" in run.output
    items = {"destinations": [{"flow_id": FLOW, "auth_parms": S3_AUTH}]}
    run = play("destination_connections.yml", extra_vars={"module_args": items}, scenario="misspelt auth_params (batch)")
    assert run.rc != 0 and "auth_parms" in run.output
    assert relkit.write_requests(emulator) == []


# --------------------------------------------------------------------------------------------- 11. proxies

def test_loopback_traffic_bypasses_a_proxy(emulator, own_emulator, run_module, monkeypatch):
    proxy = own_emulator()  # logs what a proxy would have been sent
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, proxy.url)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    run = run_module(modules()[2].main, {"id": FLOW}, scenario="loopback with HTTP_PROXY set")
    assert not run.failed, run.msg
    assert proxy.requests() == [], "the proxy received %s" % proxy.requests()


# --------------------------------------------------------------------------------------------- 4. token cache
# The suite runs as root, so "another user" is played by chown to an unused uid; what root cannot show is the
# kernel refusing that other user access to a 0600 file (root bypasses file modes).

PLANTED_TOKEN = "planted-token-of-another-user"


def cache_folder(tmp_path):
    return tmp_path / "cache" / "aep.flow_service"   # run_module points XDG_CACHE_HOME at tmp_path / "cache"


def cache_run(run_module, scenario):
    return run_module(modules()[2].main, {"id": FLOW, "token_cache": True}, scenario=scenario)


def token_file(tmp_path, run_module):
    """The cache file's name, found by a first run."""
    assert not cache_run(run_module, "token cache: first run").failed
    files = list(cache_folder(tmp_path).glob("token-*.json"))
    assert len(files) == 1, files
    return files[0]


@pytest.mark.parametrize("how", ["world-writable", "another owner"])
def test_a_cache_folder_another_user_could_enter_is_not_used(emulator, run_module, tmp_path, how):
    folder = cache_folder(tmp_path)
    folder.mkdir(parents=True)
    if how == "world-writable":
        folder.chmod(0o777)
    else:
        folder.chmod(0o700)
        os.chown(folder, 4242, 4242)
    run = cache_run(run_module, "token cache in a folder that is not private (%s)" % how)
    assert not run.failed, run.msg
    assert any("is not private" in w for w in run.warnings), run.warnings
    assert list(folder.iterdir()) == [], "files were written in a folder another user controls"


def test_a_symlink_planted_at_the_cache_file_feeds_no_token(emulator, run_module, tmp_path):
    path = token_file(tmp_path, run_module)
    planted = tmp_path / "attacker.json"
    planted.write_text(json.dumps({"access_token": PLANTED_TOKEN, "expires_at": time.time() + 86000}), encoding="utf-8")
    planted.chmod(0o600)
    path.unlink()
    path.symlink_to(planted)
    emulator.clear_requests()
    assert not cache_run(run_module, "token cache file replaced by a symlink").failed
    assert [r for r in emulator.requests() if r["status"] == 401] == [], "the planted token was sent"


def test_a_cache_file_others_could_write_is_not_trusted(emulator, run_module, tmp_path):
    path = token_file(tmp_path, run_module)
    path.write_text(json.dumps({"access_token": PLANTED_TOKEN, "expires_at": time.time() + 86000}), encoding="utf-8")
    path.chmod(0o666)
    emulator.clear_requests()
    assert not cache_run(run_module, "token cache file of mode 0666").failed
    assert [r for r in emulator.requests() if r["status"] == 401] == [], "the planted token was sent"


def test_a_symlink_planted_at_the_temporary_name_reads_no_token(emulator, run_module, tmp_path):
    path = token_file(tmp_path, run_module)
    stolen = tmp_path / "stolen.txt"
    stolen.write_text("", encoding="utf-8")
    # the name the cache used for its temporary file (this process writes it: in-process modules)
    Path("%s.%d.tmp" % (path, os.getpid())).symlink_to(stolen)
    path.unlink()  # forces a new token and a new write
    assert not cache_run(run_module, "symlink at the temporary file's name").failed
    assert stolen.read_text(encoding="utf-8") == "", "the token was written through the planted symlink"
    assert path.is_file() and not path.is_symlink() and stat.S_IMODE(path.stat().st_mode) == 0o600


# --------------------------------------------------------------------------------------------- 6. a killed run

KILL_ITEMS = 60


def generated_flow(number):
    return "6e000000-0000-4000-8000-%08d0001" % number


def descends_from(pid, root):
    while pid > 1:
        if pid == root:
            return True
        try:
            pid = int((Path("/proc/%d/stat" % pid)).read_text(encoding="ascii").rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            return False
    return False


def module_pids(root, name="AnsiballZ_aep_destination_connections"):
    """The module processes under process ``root`` (other runs may share the machine)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if descends_from(int(entry.name), root) and any(name.encode() in arg for arg in argv) and not argv[0].endswith(b"sh"):
            found.append(int(entry.name))
    return found


def patches(emu):
    return len([r for r in emu.requests(method="PATCH") if "/targetConnections/" in r["path"]])


def wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    return condition()


def settled_patches(emu, quiet=3.0, limit=60.0):
    """The PATCH count once it has not moved for ``quiet`` seconds (or after ``limit`` seconds)."""
    deadline = time.monotonic() + limit
    last, since = patches(emu), time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - since < quiet:
        time.sleep(0.2)
        now = patches(emu)
        if now != last:
            last, since = now, time.monotonic()
    return last


@pytest.mark.parametrize("kill", ["SIGKILL to ansible-playbook", "SIGTERM to ansible-playbook",
                                  "SIGTERM to the module", "SIGHUP to the module"])
def test_a_killed_run_stops_starting_destinations(own_emulator, tmp_path, scanner, kill):
    from playhelpers import playbook_env  # pylint: disable=import-outside-toplevel
    import signal  # pylint: disable=import-outside-toplevel
    import subprocess  # pylint: disable=import-outside-toplevel
    import sys  # pylint: disable=import-outside-toplevel

    emu = own_emulator("--generate", str(KILL_ITEMS), "--latency-ms", "100")
    items = [{"flow_id": generated_flow(n), "params": {"path": "killed/%04d" % n}} for n in range(1, KILL_ITEMS + 1)]
    playbook = relkit.ROOT / "tests" / "integration" / "playbooks" / "destination_connections.yml"
    cmd = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,", "-c", "local", str(playbook),
           "-e", json.dumps({"module_args": {"destinations": items, "workers": 2}})]
    proc = subprocess.Popen(cmd, env=playbook_env(emu, tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)  # its own process group: the cleanup below ends it all
    started = []
    try:
        assert wait_for(lambda: patches(emu) >= 4, 60), "the run did not start writing"
        started.extend(module_pids(proc.pid))
        number = getattr(signal, kill.split()[0])
        if kill.endswith("ansible-playbook"):
            os.kill(proc.pid, number)
        else:
            assert len(started) == 1, started
            os.kill(started[0], number)
        at_kill = patches(emu)
        final = settled_patches(emu)
    finally:
        for pid in started:  # a module that outlived its play (the defect this test is about) ends here
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        output = proc.communicate(timeout=30)[0].decode("utf-8", "replace")
    relkit.record("kill", scenario=kill, items=KILL_ITEMS, at_kill=at_kill, final=final)
    relkit.check_no_secrets(scanner, [("output", output)], "ansible-playbook", "killed run: " + kill, ["failed"])
    # two workers: at most the two destinations under way finish after the signal (plus one seen late)
    assert final <= at_kill + 3, "%d PATCHes when killed, %d after: the run went on writing" % (at_kill, final)


# --------------------------------------------------------------------------------------------- 10. password target params

STORED_TARGET_SECRET = "stored-target-password-not-a-credential"
NEW_TARGET_SECRET = "new-target-password-not-a-credential"


def password_target_data(tmp_path, scanner):
    """The wide destination with a target param its targetSpec marks format: password, holding a stored value."""
    data = relkit.wide_data()
    spec = next(s for s in data["connectionSpecs"] if s["id"] == relkit.WIDE_SPEC)
    spec["targetSpec"]["spec"]["properties"]["apiToken"] = {"type": "string", "format": "password"}
    target = next(t for t in data["resources"]["prod"]["targetConnections"] if t["id"] == relkit.WIDE_TARGET)
    target["params"]["apiToken"] = STORED_TARGET_SECRET
    scanner.add("stored password target param", STORED_TARGET_SECRET)
    scanner.add("new password target param", NEW_TARGET_SECRET)
    path = tmp_path / "password_target.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("params", [{"apiToken": NEW_TARGET_SECRET, "param1": "changed"}, {"param1": "changed"}])
def test_password_target_params_are_masked(own_emulator, run_module, tmp_path, scanner, params):
    emu = own_emulator("--data", password_target_data(tmp_path, scanner))
    target_module = modules()[3]
    for check_mode in (True, False):
        run = run_module(target_module.main, {"id": relkit.WIDE_TARGET, "params": params}, emu=emu,
                         check_mode=check_mode, diff=True, scenario="password target param (single)")
        assert not run.failed and run.result["changed"], run.msg
        assert run.result["target_connection"]["params"]["apiToken"] == "********"
    run = run_module(target_module.main, {"id": relkit.WIDE_TARGET, "name": "renamed"}, emu=emu, diff=True,
                     scenario="password target param, name only")
    assert not run.failed and run.result["target_connection"]["params"]["apiToken"] == "********"
    items = [{"target_connection_id": relkit.WIDE_TARGET, "params": dict(params, param2="batch")}]
    run = run_module(modules()[1].main, {"destinations": items}, emu=emu, diff=True,
                     scenario="password target param (batch)")
    assert not run.failed and run.result["changed"], run.msg
