"""The emulator's HTTPS mode: --tls (generated self-signed certificate), --tls-cert/--tls-key, bad combinations.

These check the emulator itself; how the modules treat its certificate is in test_rel_tls.py.
"""

from __future__ import annotations

import os
import ssl
import subprocess
import sys
import urllib.request

import pytest
import requests
from flowservice_emulator.tls import generate_self_signed
from harness import DEMO_TOKEN, RUN_PY, TUTORIAL_FLOW_ID, demo_headers, start_emulator


def test_tls_serves_https_with_a_certificate_clients_can_trust(tmp_path):
    with start_emulator("--tls") as emu:
        assert emu.url.startswith("https://127.0.0.1:")
        assert emu.ca_file and os.path.isfile(emu.ca_file)
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(emu.url + "/_emulator/health", timeout=10)
        reply = requests.get(emu.api_url + "/flows/" + TUTORIAL_FLOW_ID, headers=demo_headers(), timeout=10,
                             verify=emu.ca_file)
        assert reply.status_code == 200 and reply.json()["items"][0]["id"] == TUTORIAL_FLOW_ID
        # the harness's control-API calls go over TLS too
        emu.add_fault(method="GET", path="/flows", kind="status", status=503)
        assert len(emu.faults()) == 1
        # strict X.509 verification (Python 3.13's default) accepts the certificate as its own trust anchor
        context = ssl.create_default_context(cafile=emu.ca_file)
        context.verify_flags |= getattr(ssl, "VERIFY_X509_STRICT", 0)
        port = emu.url.rsplit(":", 1)[1]
        for host in ("127.0.0.1", "localhost"):
            with urllib.request.urlopen("https://%s:%s/_emulator/health" % (host, port), timeout=10,
                                        context=context) as reply:
                assert reply.status == 200
        cert_dir = os.path.dirname(emu.ca_file)
        key_mode = os.stat(os.path.join(cert_dir, "emulator-key.pem")).st_mode & 0o777
        assert key_mode == 0o600
    assert not os.path.exists(cert_dir), "the generated certificate folder is removed on exit"
    assert emu.stderr_tail() == "", "a refused handshake must be closed quietly"


def test_tls_cert_and_key_files_are_served(tmp_path):
    cert, key = generate_self_signed(str(tmp_path))
    with start_emulator("--tls-cert", cert, "--tls-key", key) as emu:
        assert emu.ca_file == cert
        assert requests.get(emu.url + "/_emulator/health", timeout=10, verify=cert).json() == {"ok": True}
        headers = demo_headers(token=DEMO_TOKEN)
        assert requests.get(emu.api_url + "/flows", headers=headers, timeout=10, verify=cert).status_code == 200
    assert os.path.exists(cert), "a certificate given on the command line is left alone"


def test_plain_http_command_line_is_unchanged():
    with start_emulator() as emu:
        assert emu.url.startswith("http://") and emu.ca_file is None
        assert requests.get(emu.url + "/_emulator/health", timeout=10).json() == {"ok": True}


@pytest.mark.parametrize("args, words", [
    (["--tls-cert", "x.pem"], "--tls-cert and --tls-key go together"),
    (["--tls-key", "x.pem"], "--tls-cert and --tls-key go together"),
    (["--tls", "--tls-cert", "a", "--tls-key", "b"], "leave it out"),
    (["--tls-cert", "/nonexistent/cert.pem", "--tls-key", "/nonexistent/key.pem"], "cannot use the certificate"),
])
def test_bad_tls_options_exit_2_with_a_message(args, words):
    proc = subprocess.run([sys.executable, str(RUN_PY), "--port", "0", *args], capture_output=True, text=True,
                          timeout=30, check=False)
    assert proc.returncode == 2
    assert words in proc.stderr
    assert "Traceback" not in proc.stderr
