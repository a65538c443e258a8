"""TLS: the modules, the role's playbooks and the inventory plugin against the emulator serving HTTPS with its
generated self-signed certificate (``run.py --tls``).

By default they refuse it, with a message that says what failed and how to fix it (ca_path); with ``ca_path``
(or ``AEP_CA_PATH``) naming the certificate they work, writes included; with ``validate_certs: false`` they work
and always warn. A certificate of another CA is refused even with ca_path set.
"""

from __future__ import annotations

import os

import certifi
import pytest
from ansible_collections.aep.flow_service.plugins.modules import aep_flow_info, aep_target_connection

import relkit
from relkit import FLOW, TARGET

REFUSAL = ["TLS verification failed", "CERTIFICATE_VERIFY_FAILED", "ca_path"]
INSECURE = "validate_certs is false"
# Controllers (and AWX execution environments) often export REQUESTS_CA_BUNDLE; requests lets it override a
# Session's own verify setting, so every case here runs with it set to the system bundle, which does not hold
# the emulator's certificate: ca_path and validate_certs must still win.
SYSTEM_BUNDLE = next((path for path in ("/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt")
                      if os.path.exists(path)), None) or certifi.where()


@pytest.fixture
def tls_emulator(own_emulator, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", SYSTEM_BUNDLE)
    monkeypatch.setenv("CURL_CA_BUNDLE", SYSTEM_BUNDLE)
    emu = own_emulator("--tls")
    assert emu.url.startswith("https://") and emu.ca_file
    return emu


def tls_record(case, ok):
    relkit.record("tls", case=case, ok=bool(ok))
    return ok


def test_modules_refuse_the_self_signed_certificate_by_default(tls_emulator, run_module):
    run = run_module(aep_flow_info.main, {"id": FLOW}, emu=tls_emulator, scenario="TLS default")
    ok = run.failed and all(w in run.msg for w in REFUSAL) and "Traceback" not in run.text
    assert tls_record("module, default: refused with a clear message", ok), run.result
    assert tls_emulator.requests() == []  # nothing got past the handshake


def test_modules_accept_it_with_ca_path_writes_included(tls_emulator, run_module):
    lookup = run_module(aep_flow_info.main, {"id": FLOW, "ca_path": tls_emulator.ca_file}, emu=tls_emulator,
                        scenario="TLS ca_path")
    write = run_module(aep_target_connection.main, {"flow_id": FLOW, "params": {"path": "tls/ca_path"},
                                                    "ca_path": tls_emulator.ca_file}, emu=tls_emulator,
                       scenario="TLS ca_path write")
    ok = not lookup.failed and [f["id"] for f in lookup.result["flows"]] == [FLOW] and not lookup.warnings \
        and write.result.get("changed") is True \
        and tls_emulator.resource("targetConnections", TARGET)["params"]["path"] == "tls/ca_path"
    assert tls_record("module, ca_path: accepted (read and write), no warning", ok), (lookup.result, write.result)


def test_modules_accept_it_with_validate_certs_off_only_with_a_warning(tls_emulator, run_module):
    run = run_module(aep_flow_info.main, {"id": FLOW, "validate_certs": False}, emu=tls_emulator,
                     scenario="TLS validate_certs off")
    ok = not run.failed and any(INSECURE in w for w in run.warnings)
    assert tls_record("module, validate_certs false: accepted with a warning", ok), run.result


def test_a_certificate_of_another_ca_is_refused_even_with_ca_path(tls_emulator, own_emulator, run_module):
    other = own_emulator("--tls")
    run = run_module(aep_flow_info.main, {"id": FLOW, "ca_path": other.ca_file}, emu=tls_emulator,
                     scenario="TLS wrong CA")
    ok = run.failed and all(w in run.msg for w in REFUSAL)
    assert tls_record("module, ca_path of another CA: refused", ok), run.result


def test_ansible_playbook_refuses_then_accepts_with_ca_path_then_warns_without_verification(tls_emulator, play):
    args = {"flow_id": FLOW, "params": {"path": "tls/playbook"}}
    refused = play("target_connection.yml", emu=tls_emulator, extra_vars={"module_args": args},
                   scenario="TLS playbook default")
    msg = str(refused.task("Converge the target connection")["result"].get("msg", ""))
    ok = refused.rc != 0 and all(w in msg for w in REFUSAL)
    assert tls_record("ansible-playbook, default: refused with a clear message", ok), refused.output[-2000:]

    trusted = play("target_connection.yml", emu=tls_emulator, extra_vars={"module_args": args},
                   env={"AEP_CA_PATH": tls_emulator.ca_file}, scenario="TLS playbook AEP_CA_PATH")
    ok = trusted.rc == 0 and trusted.task("Converge the target connection")["status"] == "changed" \
        and INSECURE not in trusted.output
    assert tls_record("ansible-playbook, AEP_CA_PATH: accepted, no warning", ok), trusted.output[-2000:]

    insecure = play("target_connection.yml", emu=tls_emulator,
                    extra_vars={"module_args": dict(args, validate_certs=False)}, scenario="TLS playbook insecure")
    ok = insecure.rc == 0 and "[WARNING]: " + INSECURE in insecure.output
    assert tls_record("ansible-playbook, validate_certs false: accepted with a warning", ok), insecure.output[-2000:]


def test_inventory_plugin_refuses_then_accepts_with_ca_path(tls_emulator, inventory):
    source = "plugin: aep.flow_service.aep_flows\n"
    refused = inventory(source, emu=tls_emulator, env={"ANSIBLE_INVENTORY_UNPARSED_FAILED": "1"},
                        scenario="TLS inventory default")
    output = refused.stdout + refused.stderr
    ok = refused.returncode != 0 and all(w in output for w in REFUSAL)
    assert tls_record("ansible-inventory, default: refused with a clear message", ok), output[-2000:]
    trusted = inventory(source, emu=tls_emulator, env={"AEP_CA_PATH": tls_emulator.ca_file},
                        scenario="TLS inventory AEP_CA_PATH")
    ok = trusted.returncode == 0 and FLOW in trusted.stdout
    assert tls_record("ansible-inventory, AEP_CA_PATH: accepted", ok), trusted.stderr[-2000:]
