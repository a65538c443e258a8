"""Shared pieces of the reliability suite: the secrets to look for, the figures each test records, the data file
with a wide connection spec, and small helpers to read the emulator's side of a run.

Nothing here talks to a fixed port or a shared file: every test gets its own emulator (xdist-safe).
"""

from __future__ import annotations

import copy
import fcntl
import json
import os
import re
import time
import urllib.parse
import uuid
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
EMULATOR_DATA_FILE = ROOT / "tests" / "emulator" / "demo_data.yaml"
OUTPUT = Path(os.environ.get("AEP_RELIABILITY_OUTPUT") or ROOT / "tests" / "output" / "reliability")

# The demo resources the suite edits.
FLOW = "226fb2e1-db69-4760-b67e-9e671e05abfc"
TARGET = "8ce3dc63-3766-4220-9f61-51d2f8f14618"
BASE = "7fbf542b-83ed-498f-8838-8fde0c4d4d69"
AZURE_FLOW = "00000002-0000-4000-8000-000000000001"
AZURE_BASE = "00000002-0000-4000-8000-000000000003"
PINTEREST_BASE = "00000003-0000-4000-8000-000000000003"
LANDING_FLOW = "00000006-0000-4000-8000-000000000001"     # an ingestion flow: no base connection behind its target
TWO_TARGET_FLOW = "00000005-0000-4000-8000-000000000001"

# New secrets the tests set. Test values that exist only here and in the emulator (patterns of the S3 spec).
NEW_ACCESS_KEY = "RELIABILITYACCESSKY2"                        # ^[A-Z2-7]{20}$
NEW_S3_SECRET = "ReliabilityS3SecretValue/0123456789abcd+"    # ^[A-Za-z0-9/+]{40}$
NEW_AZURE_SECRET = ("DefaultEndpointsProtocol=https;AccountName=relsuite;"
                    "AccountKey=cmVsaWFiaWxpdHktc3VpdGUtbm90LWEta2V5;EndpointSuffix=core.windows.net")
WRONG_CLIENT_SECRET = "reliability-wrong-client-secret"
BAD_PATTERN_SECRET = "reliability-secret-that-breaks-the-pattern"    # a secret the S3 spec refuses

# The wide connection spec (data file below): 8 target params and 8 non-secret auth fields, so that 8 writers
# can each own one; two secrets; and keys with '/' and '~' that must travel as '~1' and '~0'.
WIDE_SPEC = "e0000009-0000-4000-8000-000000000000"
WIDE_FLOW = "00000009-0000-4000-8000-000000000001"
WIDE_TARGET = "00000009-0000-4000-8000-000000000002"
WIDE_BASE = "00000009-0000-4000-8000-000000000003"
WIDE_SOURCE = "00000009-0000-4000-8000-000000000004"
WIDE_PARAMS = ["param%d" % i for i in range(1, 9)]
WIDE_FIELDS = ["field%d" % i for i in range(1, 9)]
SLASH_KEY = "team/region"
TILDE_KEY = "cost~center"
ESCAPE_KEY = "odd~1key/~0"   # looks escaped already: must be escaped again, not taken as a pointer
WIDE_SECRETS = {"secretA": "wide-secret-A-0123456789-not-a-credential",
                "secretB": "wide-secret-B-9876543210-not-a-credential"}
# The secrets 8 concurrent writers rotate to (one each).
WIDE_ROTATION_SECRETS = ["wide-rotated-secret-%d-of-8-not-a-credential" % i for i in range(1, 9)]


def load_demo_data():
    return yaml.safe_load(EMULATOR_DATA_FILE.read_text(encoding="utf-8"))


def wide_data():
    """The demo data plus the wide destination (a synthetic spec, its flow, target and base connection)."""
    data = copy.deepcopy(load_demo_data())
    string = {"type": "string"}
    target_props = {name: dict(string) for name in WIDE_PARAMS}
    target_props.update({SLASH_KEY: dict(string), TILDE_KEY: dict(string), ESCAPE_KEY: dict(string),
                         "nested": {"type": "object", "properties": {"a": string, "b": {"type": "integer"}},
                                    "additionalProperties": False}})
    auth_props = {name: dict(string) for name in WIDE_FIELDS}
    auth_props.update({name: {"type": "string", "format": "password"} for name in WIDE_SECRETS})
    data["connectionSpecs"].append({
        "id": WIDE_SPEC,
        "name": "Reliability wide destination",
        "providerId": "e000000d-0000-4000-8000-000000000000",
        "version": "1.0",
        "attributes": {"category": "cloudStorage", "isSource": False},
        "authSpec": [{"name": "Wide Key", "type": "KeyBased",
                      "spec": {"type": "object", "properties": auth_props, "additionalProperties": False}}],
        "targetSpec": {"name": "Wide target", "type": "UserNamespace",
                       "spec": {"type": "object", "properties": target_props, "additionalProperties": False},
                       "attributes": {"uiAttributes": {"isDestination": True, "category": "cloudStorage",
                                                       "label": "Wide"}}},
    })
    prod = data["resources"]["prod"]
    spec_ref = {"id": WIDE_SPEC, "version": "1.0"}
    auth_params = {name: "old-%s" % name for name in WIDE_FIELDS}
    auth_params.update(WIDE_SECRETS)
    prod["connections"].append({"id": WIDE_BASE, "name": "Wide account", "connectionSpec": spec_ref,
                                "auth": {"specName": "Wide Key", "params": auth_params}})
    prod["targetConnections"].append({"id": WIDE_TARGET, "name": "Wide target", "baseConnectionId": WIDE_BASE,
                                      "connectionSpec": spec_ref,
                                      "params": {name: "old-%s" % name for name in WIDE_PARAMS}})
    source = copy.deepcopy(next(s for s in prod["sourceConnections"] if s["id"].startswith("00000003-")))
    source.update({"id": WIDE_SOURCE, "name": "Profile source (wide)"})
    prod["sourceConnections"].append(source)
    flow = copy.deepcopy(next(f for f in prod["flows"] if f["id"] == "00000003-0000-4000-8000-000000000001"))
    flow.update({"id": WIDE_FLOW, "name": "Reliability wide export", "sourceConnectionIds": [WIDE_SOURCE],
                 "targetConnectionIds": [WIDE_TARGET]})
    prod["flows"].append(flow)
    return data


def write_wide_data(directory):
    path = Path(directory) / "wide_data.json"
    path.write_text(json.dumps(wide_data(), indent=1), encoding="utf-8")
    return str(path)


# --------------------------------------------------------------------------------------------- secrets

def stored_secrets(data=None):
    """label -> value for every secret the emulator's data holds: client secrets, static tokens, password fields."""
    data = data or load_demo_data()
    found = {}
    for client in data.get("clients", []):
        found["client_secret of %s" % client["client_id"]] = client["client_secret"]
        for token in client.get("static_tokens", []):
            found["static token of %s" % client["client_id"]] = token
    specs = {spec["id"]: spec for spec in data["connectionSpecs"]}
    for sandbox, resources in data["resources"].items():
        for connection in resources.get("connections", []):
            auth = connection.get("auth") or {}
            for auth_spec in specs[connection["connectionSpec"]["id"]].get("authSpec", []):
                if auth_spec.get("name") != auth.get("specName"):
                    continue
                for name, schema in (auth_spec.get("spec") or {}).get("properties", {}).items():
                    if schema.get("format") == "password" and name in (auth.get("params") or {}):
                        found["%s of %s/%s" % (name, sandbox, connection["id"])] = auth["params"][name]
    return found


DEMO_CREDENTIALS_FILE = ROOT / "playbooks" / "vars" / "demo_credentials.yml"


def all_known_secrets():
    """The emulator's secrets, the suite's own, and the new ones of the playbooks' demo credentials file."""
    found = stored_secrets(wide_data())
    found.update({"new S3 secret": NEW_S3_SECRET, "new Azure connection string": NEW_AZURE_SECRET,
                  "wrong client secret": WRONG_CLIENT_SECRET, "secret refused by the spec": BAD_PATTERN_SECRET})
    found.update({"%s of %s" % (key, index): value for index, value in enumerate(WIDE_ROTATION_SECRETS)
                  for key in ("wide rotation secret",)})
    if DEMO_CREDENTIALS_FILE.exists():
        demo = yaml.safe_load(DEMO_CREDENTIALS_FILE.read_text(encoding="utf-8")) or {}
        for key in ("vault_s3_secret_key", "vault_azure_connection_string"):
            if demo.get(key):
                found["%s (playbooks/vars/demo_credentials.yml)" % key] = demo[key]
    for label, value in list(found.items()):  # the account key alone is as secret as the whole string
        if "AccountKey=" in value:
            found[label + ", AccountKey part"] = value.split("AccountKey=", 1)[1].split(";", 1)[0]
    return found


class SecretScanner:
    """Counts occurrences of known secrets (as is, URL-encoded, JSON-escaped) and of minted IMS tokens in text.

    Linear in the text however many secrets are watched (a rotation of 5,000 destinations adds 10,000): a form of
    2 * GRAM - 1 characters or more is filed under the GRAM-character windows at the GRAM offsets ending GRAM
    before its end, so one of them starts at a multiple of GRAM in the text wherever the form occurs; the text is
    read GRAM characters at a time and each hit checked in full. Shorter forms are counted with ``str.count``.
    """

    GRAM = 8

    def __init__(self, secrets, token_pattern):
        self.secrets = dict(secrets)
        self.token_pattern = re.compile(token_pattern)
        self._index = (None, None, None)  # (the secrets it was built from, short forms, windows)

    def add(self, label, value):
        if value:
            self.secrets[label] = value

    def add_token_cache(self, directory):
        """Tokens a token_cache file holds are tokens the run used: look for them too."""
        for path in Path(directory).rglob("token-*.json"):
            try:
                token = json.loads(path.read_text(encoding="utf-8"))["access_token"]
            except (OSError, ValueError, KeyError):
                continue
            self.add("cached token %s" % path.name[:16], token)

    @staticmethod
    def forms(value):
        return {value, urllib.parse.quote(value, safe=""), urllib.parse.quote_plus(value), json.dumps(value)[1:-1]}

    def _forms_index(self):
        watched = tuple(self.secrets.items())  # other threads may add tokens meanwhile
        if self._index[0] != watched:
            short, windows, gram = {}, {}, self.GRAM
            for label, value in watched:
                for form in self.forms(value):
                    if len(form) < 2 * gram - 1:
                        short.setdefault(form, []).append(label)
                        continue
                    first = len(form) - 2 * gram + 1
                    for offset in range(first, first + gram):
                        windows.setdefault(form[offset:offset + gram], []).append((form, offset, label))
            self._index = (watched, short, windows)
        return self._index[1], self._index[2]

    def scan(self, text):
        """[(label, count)] of everything secret found in ``text``."""
        short, windows = self._forms_index()
        counts = {}
        for form, labels in short.items():
            for label in labels:
                counts[label] = counts.get(label, 0) + text.count(form)
        for at in range(0, len(text) - self.GRAM + 1, self.GRAM):
            for form, offset, label in windows.get(text[at:at + self.GRAM], ()):
                if at >= offset and text.startswith(form, at - offset):
                    counts[label] = counts.get(label, 0) + 1
        hits = [(label, count) for label, count in counts.items() if count]
        tokens = self.token_pattern.findall(text)
        if tokens:
            hits.append(("minted IMS token", len(tokens)))
        if "Bearer " in text:
            hits.append(("Authorization header", text.count("Bearer ")))
        return hits


def minted_token_pattern(sample):
    """A pattern for tokens shaped like ``sample`` (one minted with the demo credentials): same prefix, same alphabet."""
    prefix = sample.split("-", 1)[0] + "-" if "-" in sample[:8] else sample[:4]
    body = len(sample) - len(prefix)
    return re.escape(prefix) + r"[A-Za-z0-9_\-]{%d,}" % max(16, body - 8)


# Task results that still carry secrets because of a defect outside this suite's remit (roles/ belongs to the role's
# owner). Their results are scanned apart: the hits are recorded as an open defect instead of failing every test
# that runs the role, and test_rel_secrets.py holds the strict xfail that flips when the role is fixed.
OPEN_DEFECT_TASKS = {}  # task names whose results are known to leak: none open


def check_no_secrets(scanner, texts, layer, scenario, modes=(), cache_dir=None):
    """Scan ``texts``; record the figure; fail naming what leaked and where."""
    if cache_dir is not None:
        scanner.add_token_cache(cache_dir)
    hits = []
    chars = 0
    for where, text in texts:
        chars += len(text)
        for label, count in scanner.scan(text):
            hits.append("%s x%d in %s" % (label, count, where))
    record("scan", layer=layer, scenario=scenario, texts=len(texts), chars=chars, found=len(hits),
           labels=hits, modes=list(modes), watched=len(scanner.secrets) + 1)
    assert not hits, "secrets leaked in %s: %s" % (scenario, hits)


def open_defect_task(task_name):
    """True for a result of a task listed in OPEN_DEFECT_TASKS (ansible-core 2.21 prefixes role tasks '<role> : ')."""
    return any(task_name == name or task_name.endswith(" : " + name) for name in OPEN_DEFECT_TASKS)


# --------------------------------------------------------------------------------------------- figures

def run_id():
    """One id per pytest run, shared by its xdist workers."""
    value = os.environ.get("PYTEST_XDIST_TESTRUNUID") or os.environ.get("AEP_RELIABILITY_RUN")
    if not value:
        value = uuid.uuid4().hex
        os.environ["AEP_RELIABILITY_RUN"] = value
    return value


def records_dir():
    path = OUTPUT / "records" / run_id()
    path.mkdir(parents=True, exist_ok=True)
    return path


def record(kind, **fields):
    """Append one figure (a JSON line) to this process's records file of the current run."""
    line = json.dumps(dict(fields, kind=kind, time=round(time.time(), 3)), default=str)
    path = records_dir() / ("%d.jsonl" % os.getpid())
    with open(path, "a", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.write(line + "\n")


def prune_old_runs(keep=5, max_age=600.0):
    """Drop the records of old runs: all but the newest ``keep``, and only those idle for ``max_age`` seconds."""
    base = OUTPUT / "records"
    if not base.is_dir():
        return

    def mtime(path):
        try:
            return path.stat().st_mtime
        except OSError:  # removed meanwhile by another process
            return 0.0

    runs = sorted(base.iterdir(), key=mtime, reverse=True)
    for child in runs[keep:]:
        try:
            if child.name != run_id() and time.time() - mtime(child) > max_age:
                for item in child.iterdir():
                    item.unlink()
                child.rmdir()
        except OSError:
            pass


# --------------------------------------------------------------------------------------------- the emulator's side

def write_requests(emulator, path_contains=""):
    """Requests that write (anything but GET, IMS excluded), whatever their answer."""
    return [r for r in emulator.requests() if r["method"] != "GET" and "/ims/" not in r["path"]
            and path_contains in r["path"]]


def landed_patches(emulator, rid):
    return [r for r in emulator.requests(method="PATCH", path_contains=rid) if r["status"] == 200]
