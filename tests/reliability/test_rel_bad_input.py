"""Bad input corpus: malformed options for every module, the role and the inventory plugin.

Each input must give a clear error (failed, with a message naming the option or the problem, no traceback),
make zero write requests, and print nothing secret (the fixtures scan every output). Two inputs only warn:
a plain-http URL that is not loopback, and validate_certs off. Keys with '/' and '~' must travel as '~1' and
'~0' in the JSON Pointer paths and come back unchanged; ids with '/', '~' or dot segments must never address
another resource. Most inputs run in-process (fast); a representative subset runs through ansible-playbook,
the destination_connections role and ansible-inventory.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from ansible_collections.aep.flow_service.plugins.modules import (
    aep_base_connection,
    aep_destination_connections,
    aep_flow_info,
    aep_target_connection,
)

import relkit
from relkit import (
    BAD_PATTERN_SECRET, BASE, ESCAPE_KEY, FLOW, LANDING_FLOW, NEW_ACCESS_KEY, NEW_S3_SECRET, SLASH_KEY, TARGET,
    TILDE_KEY, TWO_TARGET_FLOW, WIDE_FLOW, WIDE_TARGET, write_requests,
)

INFO, TGT, BSE, BAT = "aep_flow_info", "aep_target_connection", "aep_base_connection", "aep_destination_connections"
MAINS = {INFO: aep_flow_info.main, TGT: aep_target_connection.main, BSE: aep_base_connection.main,
         BAT: aep_destination_connections.main}
GOOD = {INFO: {"id": FLOW}, TGT: {"flow_id": FLOW, "params": {"path": "x"}},
        BSE: {"flow_id": FLOW, "auth_params": {"s3AccessKey": NEW_ACCESS_KEY, "s3SecretKey": NEW_S3_SECRET}},
        BAT: {"destinations": [{"flow_id": FLOW, "params": {"path": "x"}}]}}
HUGE = 1_000_000


# Inputs that still show a defect (strict xfail: fixing one makes its test pass and this entry must go).
KNOWN_DEFECTS = {
}


def case(name, module, args, *words, base=True):
    """One corpus entry: ``args`` are merged over a good set of arguments for ``module`` unless base=False."""
    full = dict(GOOD[module], **args) if base else dict(args)
    marks = [pytest.mark.xfail(strict=True, reason=KNOWN_DEFECTS[name])] if name in KNOWN_DEFECTS else []
    return pytest.param(module, full, list(words), id=name, marks=marks)


CORPUS = [
    # ---- connection options (shared by every module and the inventory plugin)
    case("no credentials", INFO, {"client_secret": None}, "no credentials"),
    case("half credentials: secret without client_id", TGT, {"client_id": None}, "client_id is required"),
    case("half credentials: no org_id", BSE, {"org_id": None}, "org_id is required"),
    case("token and secret together", INFO, {"access_token": "aep-demo-token"}, "contradict"),
    case("empty sandbox", TGT, {"sandbox": ""}, "sandbox must not be empty"),
    case("sandbox with a line break", INFO, {"sandbox": "prod\n"}, "sandbox", "HTTP header"),
    case("sandbox not latin-1 (unicode)", TGT, {"sandbox": "\u2603"}, "sandbox", "HTTP header"),
    case("org_id with a leading space", INFO, {"org_id": " 0123456789ABCDEF01234567@AdobeOrg"}, "org_id", "HTTP header"),
    case("access_token with a line break", INFO, {"client_secret": None, "access_token": "aep-demo-token\n"},
         "access_token", "HTTP header"),
    case("client_id smuggling a header", BSE, {"client_id": "aep-demo-client\r\nX-Injected: 1"}, "client_id", "HTTP header"),
    case("platform_url not http(s)", INFO, {"platform_url": "ftp://127.0.0.1/"}, "platform_url must be an http(s) URL"),
    case("platform_url not a URL", TGT, {"platform_url": "not a url"}, "platform_url must be an http(s) URL"),
    case("platform_url malformed IPv6", INFO, {"platform_url": "https://[::1"}, "platform_url must be an http(s) URL"),
    case("ims_url empty", BSE, {"ims_url": ""}, "ims_url must be an http(s) URL"),
    case("platform_url port out of range", INFO, {"platform_url": "https://127.0.0.1:99999"},
         "platform_url must be an http(s) URL"),
    case("ims_url port not a number", TGT, {"ims_url": "http://127.0.0.1:abc"}, "ims_url must be an http(s) URL"),
    case("platform_url with a password in it", INFO, {"platform_url": "https://user:%s@127.0.0.1/" % relkit.WRONG_CLIENT_SECRET},
         "platform_url must not hold a user name or password"),
    case("timeout zero", INFO, {"timeout": 0}, "timeout must be a positive number"),
    case("timeout not a number", INFO, {"timeout": "soon"}, "timeout", "float"),
    case("timeout huge", TGT, {"timeout": 1e308}, "timeout must be a positive number"),
    case("timeout NaN", INFO, {"timeout": float("nan")}, "timeout must be a positive number"),
    case("retries too many", BSE, {"retries": 100}, "retries must be between 0 and 20"),
    case("retries negative", INFO, {"retries": -1}, "retries must be between 0 and 20"),
    case("ca_path missing", TGT, {"ca_path": "/nonexistent/ca.pem"}, "ca_path /nonexistent/ca.pem does not exist"),
    case("validate_certs not a boolean", INFO, {"validate_certs": "sometimes"}, "validate_certs", "bool"),
    case("unknown option", TGT, {"bogus_option": 1}, "Unsupported parameters", "bogus_option"),
    case("scope the client does not have", INFO, {"scopes": "not-a-scope"}, "HTTP 400", "invalid_scope"),
    case("wrong client secret", BSE, {"client_secret": relkit.WRONG_CLIENT_SECRET}, "HTTP 401", "client_secret"),
    case("sandbox that does not exist (lookup)", INFO, {"sandbox": "no-such-sandbox"}, "FLOW-2100-404", "no-such-sandbox"),
    case("sandbox that does not exist (write)", TGT, {"sandbox": "no-such-sandbox"}, "FLOW-2100-404", "no-such-sandbox"),
    case("sandbox that does not exist (base by id)", BSE, {"sandbox": "no-such-sandbox", "id": BASE, "flow_id": None},
         "FLOW-2100-404", "no-such-sandbox"),
    # ---- aep_flow_info
    case("info: empty id", INFO, {"id": ""}, "id must not be empty"),
    case("info: id and name", INFO, {"name": "x"}, "mutually exclusive"),
    case("info: id '.' (a dot segment)", INFO, {"id": "."}, "not a valid id"),
    case("info: id '..'", INFO, {"id": ".."}, "not a valid id"),
    case("info: property garbage", INFO, {"property": ["garbage"]}, "HTTP 400", "property=garbage", base=False),
    case("info: property with unknown operator", INFO, {"property": ["name=x"]}, "HTTP 400", "FLOW-1450-400", base=False),
    case("info: destinations_only not a boolean", INFO, {"destinations_only": "perhaps"}, "destinations_only", "bool"),
    case("info: name of 100,000 characters", INFO, {"name": "n" * 100_000}, "HTTP 414", "Request-URI Too Long", base=False),
    # ---- aep_target_connection
    case("target: params a list", TGT, {"params": [1, 2]}, "params", "dict"),
    case("target: params a number", TGT, {"params": 42}, "params", "dict"),
    case("target: unknown param key", TGT, {"params": {"bucket": "x"}}, "bucket is not a parameter", "bucketName"),
    case("target: nested garbage", TGT, {"params": {"csvOptions": {"delimiter": {"a": [1, {"b": None}]}}}},
         "csvOptions.delimiter must be of type string"),
    case("target: object expected", TGT, {"params": {"csvOptions": "flat"}}, "csvOptions must be of type object"),
    case("target: null value", TGT, {"params": {"bucketName": None}}, "bucketName must be of type string"),
    case("target: very large value", TGT, {"params": {"bucketName": "b" * HUGE}}, "bucketName does not match the pattern"),
    case("target: very large key", TGT, {"params": {"k" * 10_000: 1}}, "is not a parameter of this connection spec"),
    case("target: unicode value", TGT, {"params": {"bucketName": "\u00fcn\u00efc\u00f8d\u00e9-\u2603"}},
         "bucketName does not match the pattern"),
    case("target: keys with / and ~ the spec lacks", TGT, {"params": {"a/b": 1, "c~d": 2}},
         "a/b is not a parameter", "c~d is not a parameter"),
    case("target: empty id", TGT, {"id": "", "flow_id": None}, "id must not be empty"),
    case("target: blank flow_id", TGT, {"flow_id": "   "}, "flow_id must not be empty"),
    case("target: id '.'", TGT, {"id": ".", "flow_id": None}, "not a valid id"),
    case("target: id climbing to a flow", TGT, {"id": "../flows/" + FLOW, "flow_id": None}, "was not found"),
    case("target: flow_id with / and ~", TGT, {"flow_id": "x/y~z"}, "was not found"),
    case("target: id not of the flow", TGT, {"id": "not-one-of-them"}, "does not belong to dataflow"),
    case("target: purge_params without params", TGT, {"id": TARGET, "flow_id": None, "params": None,
                                                      "purge_params": True}, "purge_params needs params"),
    case("target: purge_params not a boolean", TGT, {"purge_params": "maybe"}, "purge_params", "bool"),
    case("target: empty name", TGT, {"name": ""}, "name must not be empty"),
    case("target: flow with two target connections", TGT, {"flow_id": TWO_TARGET_FLOW}, "has 2 target connections"),
    # ---- aep_base_connection
    case("base: empty auth_params", BSE, {"auth_params": {}}, "auth_params must not be empty"),
    case("base: auth_params a list", BSE, {"auth_params": ["s3SecretKey", NEW_S3_SECRET]}, "auth_params", "dict"),
    case("base: auth_params a bare word", BSE, {"auth_params": "s3SecretKey"}, "auth_params", "dict"),
    case("base: the tutorial's key names", BSE, {"auth_params": {"accessId": "AKIAOLDSTYLE", "secretKey": NEW_S3_SECRET}},
         "accessId is not a parameter", "s3AccessKey"),
    case("base: access key without its secret", BSE, {"auth_params": {"s3AccessKey": NEW_ACCESS_KEY}},
         "must include the secret s3SecretKey"),
    case("base: secret the spec refuses", BSE, {"auth_params": {"s3AccessKey": NEW_ACCESS_KEY,
                                                                "s3SecretKey": BAD_PATTERN_SECRET}},
         "s3SecretKey does not match the pattern"),
    case("base: secret nested in garbage", BSE, {"auth_params": {"s3AccessKey": NEW_ACCESS_KEY,
                                                                 "s3SecretKey": {"nested": [NEW_S3_SECRET]}}},
         "s3SecretKey must be of type string"),
    case("base: update_secrets unknown", BSE, {"update_secrets": "sometimes"}, "update_secrets", "always, on_change"),
    case("base: id and flow_id", BSE, {"id": BASE}, "mutually exclusive"),
    case("base: flow without a base connection", BSE, {"flow_id": LANDING_FLOW}, "has 0 base connections"),
    case("base: a target connection id", BSE, {"id": TARGET, "flow_id": None}, "was not found"),
    case("base: id '..'", BSE, {"id": "..", "flow_id": None}, "not a valid id"),
    case("base: flow_id '.'", BSE, {"flow_id": "."}, "not a valid id"),
    case("target: id '%2e' (an encoded dot)", TGT, {"id": "%2e", "flow_id": None}, "was not found"),
    # Ansible's own message for a list element that is no dict names neither the option nor the element.
    case("batch: destinations not a list of dicts", BAT, {"destinations": ["flow"]}, "dictionary requested"),
    case("batch: misspelt key", BAT, {"destinations": [{"flow_id": FLOW, "parms": {"path": "x"}}]}, "parms"),
    case("batch: params not a dict", BAT, {"destinations": [{"flow_id": FLOW, "params": ["path", "x"]}]}, "params"),
    case("batch: no address", BAT, {"destinations": [{"params": {"path": "x"}}]},
         "one of the following is required: flow_id, target_connection_id, base_connection_id"),
    case("batch: nothing to change", BAT, {"destinations": [{"flow_id": FLOW}]}, "destination 1", "nothing to change"),
    case("batch: workers 0", BAT, {"workers": 0}, "workers must be between 1 and 32"),
    case("batch: workers 1000", BAT, {"workers": 1000}, "workers must be between 1 and 32"),
    case("batch: workers not a number", BAT, {"workers": "many"}, "workers"),
    case("batch: sandbox with a line break", BAT,
         {"destinations": [{"flow_id": FLOW, "params": {"path": "x"}, "sandbox": "prod\r\nX-Evil: 1"}]},
         "sandbox must be printable ASCII"),
    case("batch: empty sandbox", BAT, {"destinations": [{"flow_id": FLOW, "params": {"path": "x"}, "sandbox": ""}]},
         "sandbox must not be empty"),
    case("batch: target id '..'", BAT, {"destinations": [{"target_connection_id": "..", "params": {"path": "x"}}]},
         "not a valid id"),
    case("batch: access key without its secret", BAT,
         {"destinations": [{"flow_id": FLOW, "auth_params": {"s3AccessKey": NEW_ACCESS_KEY}}]},
         "1 of 1 destinations failed", "must include the secret s3SecretKey"),
    case("batch: secret the spec refuses", BAT,
         {"destinations": [{"flow_id": FLOW, "auth_params": {"s3AccessKey": NEW_ACCESS_KEY,
                                                             "s3SecretKey": BAD_PATTERN_SECRET}}]},
         "s3SecretKey does not match the pattern"),
    case("batch: unknown param", BAT, {"destinations": [{"flow_id": FLOW, "params": {"bucket": "x"}}]},
         "bucket is not a parameter"),
]


def assert_clean_error(run, words):
    assert run.failed and run.code == 1, run.result
    assert "Traceback" not in run.text and "module_stderr" not in run.result
    assert "<html" not in run.msg.lower(), "an error page is not a message: %s" % run.msg[:500]
    for word in words:
        assert word in run.msg, "%r not in %r" % (word, run.msg[:2000])


@pytest.mark.parametrize("module, args, words", CORPUS)
def test_bad_input_in_process(emulator, run_module, module, args, words, request):
    run = run_module(MAINS[module], args, scenario="bad input: " + request.node.callspec.id)
    written = write_requests(emulator)
    clean = run.failed and run.code == 1 and "Traceback" not in run.text and all(w in run.msg for w in words) \
        and "<html" not in run.msg.lower() and not written
    relkit.record("bad_input", case=request.node.callspec.id, layer="module in-process", clean=clean,
                  writes=len(written), msg=run.msg[:300])
    assert written == []
    assert_clean_error(run, words)


# --------------------------------------------------------------------------------------------- warnings only

def test_plain_http_platform_url_that_is_not_loopback_warns(emulator, run_module):
    port = emulator.url.rsplit(":", 1)[1]
    url = "http://127.1:" + port  # the emulator, by a name that is not in the loopback list
    run = run_module(aep_flow_info.main, {"id": FLOW, "platform_url": url, "ims_url": url}, scenario="plain http")
    ok = not run.failed and any("plain http" in w for w in run.warnings)
    relkit.record("bad_input", case="plain-http platform_url (warns)", layer="module in-process", clean=ok, writes=0)
    assert ok, run.result
    assert [f["id"] for f in run.result["flows"]] == [FLOW]


def test_validate_certs_off_warns(emulator, run_module):
    run = run_module(aep_flow_info.main, {"id": FLOW, "validate_certs": False}, scenario="validate_certs off")
    ok = not run.failed and any("validate_certs is false" in w for w in run.warnings)
    relkit.record("bad_input", case="validate_certs off (warns)", layer="module in-process", clean=ok, writes=0)
    assert ok, run.result


# --------------------------------------------------------------------------------------------- keys with / and ~

def test_keys_with_slash_and_tilde_are_escaped_and_round_trip(own_emulator, run_module, tmp_path):
    emu = own_emulator("--data", relkit.write_wide_data(tmp_path))
    desired = {SLASH_KEY: "emea/west", TILDE_KEY: "cc~42", ESCAPE_KEY: "~1 stays ~0"}
    run = run_module(aep_target_connection.main, {"flow_id": WIDE_FLOW, "params": desired}, emu=emu,
                     scenario="keys with / and ~")
    assert run.result.get("changed") is True, run.result
    sent = [r for r in emu.requests(method="PATCH") if r["status"] == 200]
    assert len(sent) == 1
    assert sorted(op["path"] for op in sent[0]["body"]) == sorted(
        ["/params/team~1region", "/params/cost~0center", "/params/odd~01key~1~00"])
    stored = emu.resource("targetConnections", WIDE_TARGET)["params"]
    assert {k: stored[k] for k in desired} == desired
    assert all(stored["param%d" % i] == "old-param%d" % i for i in range(1, 9))
    emu.clear_requests()
    again = run_module(aep_target_connection.main, {"flow_id": WIDE_FLOW, "params": desired}, emu=emu,
                       scenario="keys with / and ~ rerun")
    assert again.result.get("changed") is False and emu.requests(method="PATCH") == []
    purge = run_module(aep_target_connection.main, {"id": WIDE_TARGET, "params": {SLASH_KEY: "emea/west"},
                                                    "purge_params": True}, emu=emu, scenario="purge keys with / and ~")
    assert purge.result.get("changed") is True
    assert emu.resource("targetConnections", WIDE_TARGET)["params"] == {SLASH_KEY: "emea/west"}
    relkit.record("bad_input", case="keys with / and ~ round-trip (escaped ~1/~0)", layer="module in-process",
                  clean=True, writes=0)


# --------------------------------------------------------------------------------------------- real ansible-playbook

PLAYBOOK_CORPUS = [
    ("no credentials", "target_connection.yml", "Converge the target connection", GOOD[TGT], {"AEP_CLIENT_SECRET": None},
     ["no credentials"]),
    ("access_token with a line break", "flow_info.yml", "Look up dataflows", GOOD[INFO],
     {"AEP_CLIENT_SECRET": None, "AEP_ACCESS_TOKEN": "aep-demo-token\n"}, ["access_token", "HTTP header"]),
    ("params a list", "target_connection.yml", "Converge the target connection", dict(GOOD[TGT], params=[1, 2]), {},
     ["params", "dict"]),
    ("unknown param key", "target_connection.yml", "Converge the target connection",
     dict(GOOD[TGT], params={"bucket": "x"}), {}, ["bucket is not a parameter"]),
    ("access key without its secret", "base_connection.yml", "Converge the base connection",
     dict(GOOD[BSE], auth_params={"s3AccessKey": NEW_ACCESS_KEY}), {}, ["must include the secret s3SecretKey"]),
    ("secret the spec refuses", "base_connection.yml", "Converge the base connection",
     dict(GOOD[BSE], auth_params={"s3AccessKey": NEW_ACCESS_KEY, "s3SecretKey": BAD_PATTERN_SECRET}), {},
     ["s3SecretKey does not match the pattern"]),
    ("platform_url not a URL", "flow_info.yml", "Look up dataflows", GOOD[INFO], {"AEP_PLATFORM_URL": "not a url"},
     ["platform_url must be an http(s) URL"]),
    ("id '.'", "target_connection.yml", "Converge the target connection", {"id": ".", "params": {"path": "x"}}, {},
     ["not a valid id"]),
]


def _parallel(function, items, workers=4):
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(function, items))


def test_bad_input_through_ansible_playbook(emulator, play):
    def one(entry):
        name, playbook, task, args, env, words = entry
        run = play(playbook, extra_vars={"module_args": args}, env=env, scenario="bad input: " + name)
        result = run.task(task)
        msg = str(result["result"].get("msg", ""))
        clean = run.rc != 0 and result["status"] == "failed" and all(w in msg for w in words) \
            and "MODULE FAILURE" not in run.output and "Traceback (most recent" not in run.output
        return name, clean, msg

    outcomes = _parallel(one, [e for e in PLAYBOOK_CORPUS if "playbook: " + e[0] not in KNOWN_DEFECTS])
    written = write_requests(emulator)
    for name, clean, msg in outcomes:
        relkit.record("bad_input", case=name, layer="ansible-playbook", clean=clean and not written, writes=len(written),
                      msg=msg[:300])
    assert written == []
    assert [outcome[0] for outcome in outcomes if not outcome[1]] == [], outcomes


ROLE_CORPUS = [
    ("list is not a list", "not-a-list", ["destination_connections_list", "list"]),
    ("unknown key in an item", [{"flow_id": FLOW, "bogus": 1}], ["bogus"]),
    ("item with nothing to change", [{"flow_id": FLOW}], ["nothing to change"]),
    ("item with empty auth_params", [{"flow_id": FLOW, "auth_params": {}}], ["auth_params is empty"]),
    ("item params not a dict", [{"flow_id": FLOW, "params": "bucketName"}], ["params"]),
    ("item with neither flow nor connection ids", [{"params": {"path": "x"}}], ["flow_id"]),
    ("item rotating an access key without its secret", [{"flow_id": FLOW, "auth_params": {"s3AccessKey": NEW_ACCESS_KEY}}],
     ["must include the secret s3SecretKey"]),
    ("item with a secret the spec refuses",
     [{"flow_id": FLOW, "auth_params": {"s3AccessKey": NEW_ACCESS_KEY, "s3SecretKey": BAD_PATTERN_SECRET}}],
     ["s3SecretKey does not match the pattern"]),
]


def test_bad_input_through_the_role(emulator, play):
    def one(entry):
        name, destinations, words = entry
        run = play("role_converge.yml", extra_vars={"destinations": destinations}, scenario="role bad input: " + name)
        clean = run.rc != 0 and all(w in run.output for w in words) and "Traceback (most recent" not in run.output
        return name, clean, run.output[-1500:]

    outcomes = _parallel(one, ROLE_CORPUS)
    written = write_requests(emulator)
    for name, clean, dummy in outcomes:
        relkit.record("bad_input", case=name, layer="role destination_connections", clean=clean and not written,
                      writes=len(written))
    assert written == []
    assert [(name, out) for name, clean, out in outcomes if not clean] == []


INVENTORY_CORPUS = [
    ("no credentials", "", {"AEP_CLIENT_SECRET": None}, ["no credentials"]),
    ("half credentials: no client_id", "", {"AEP_CLIENT_ID": None}, ["client_id is required"]),
    ("empty sandbox name", "sandboxes: ['']\n", {}, ["sandboxes must not hold an empty name"]),
    ("property garbage", "property: [garbage]\n", {}, ["HTTP 400", "property=garbage"]),
    ("hostnames not a choice", "hostnames: ip\n", {}, ["hostnames"]),
    ("access_token with a line break", "", {"AEP_CLIENT_SECRET": None, "AEP_ACCESS_TOKEN": "aep-demo-token\n"},
     ["access_token", "HTTP header"]),
    ("sandbox not latin-1", "sandboxes: [\"\\u2603\"]\n", {}, ["sandbox", "HTTP header"]),
    ("timeout zero", "timeout: 0\n", {}, ["timeout must be a positive number"]),
    ("platform_url not a URL", "", {"AEP_PLATFORM_URL": "not a url"}, ["platform_url must be an http(s) URL"]),
    ("platform_url with a password in it", "",
     {"AEP_PLATFORM_URL": "https://user:%s@127.0.0.1/" % relkit.WRONG_CLIENT_SECRET},
     ["platform_url must not hold a user name or password"]),
]


def test_bad_input_through_the_inventory_plugin(emulator, inventory):
    def one(entry):
        name, text, env, words = entry
        env = dict(env, ANSIBLE_INVENTORY_UNPARSED_FAILED="1")
        proc = inventory("plugin: aep.flow_service.aep_flows\n" + text, env=env, scenario="inventory bad input: " + name)
        output = proc.stdout + proc.stderr
        clean = proc.returncode != 0 and all(w in output for w in words) and "Traceback (most recent" not in output
        return name, clean, output[-1500:]

    outcomes = _parallel(one, INVENTORY_CORPUS)
    written = write_requests(emulator)
    for name, clean, dummy in outcomes:
        relkit.record("bad_input", case=name, layer="inventory aep_flows", clean=clean and not written,
                      writes=len(written))
    assert written == []
    assert [(name, out) for name, clean, out in outcomes if not clean] == []


def test_plain_http_inventory_source_warns_and_works(emulator, inventory):
    url = "http://127.1:" + emulator.url.rsplit(":", 1)[1]
    proc = inventory("plugin: aep.flow_service.aep_flows\n", env={"AEP_PLATFORM_URL": url, "AEP_IMS_URL": url},
                     scenario="inventory plain http")
    ok = proc.returncode == 0 and "plain http" in proc.stdout + proc.stderr and FLOW in proc.stdout
    relkit.record("bad_input", case="inventory plain-http platform_url (warns)", layer="inventory aep_flows",
                  clean=ok, writes=0)
    assert ok, proc.stdout[-1000:] + proc.stderr[-2000:]
