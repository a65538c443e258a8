"""The transport's environment: proxies looked up once per host, the CA bundle once, ~/.netrc never."""

from __future__ import annotations

import requests

from ansible_collections.aep.flow_service.plugins.module_utils._http import Http
from ansible_collections.aep.flow_service.plugins.module_utils._redact import Redactor

from test_client import FLOW, options


def transport(**overrides):
    opts = {"validate_certs": True, "ca_path": None, "timeout": 5.0, "retries": 0}
    opts.update(overrides)
    return Http(opts, Redactor())


def test_proxies_are_looked_up_once_per_host(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "ims-na1.adobelogin.com")
    lookups = []
    real = requests.utils.get_environ_proxies
    monkeypatch.setattr(requests.utils, "get_environ_proxies", lambda url, *a: lookups.append(url) or real(url, *a))
    http = transport()
    for dummy in range(5):
        assert http.proxies_for("https://platform.adobe.io/data/foundation/flowservice/flows/x")["https"] == \
            "http://proxy.example:3128"
        assert "https" not in http.proxies_for("https://ims-na1.adobelogin.com/ims/token/v3")
    assert len(lookups) == 2
    assert http.proxies_for("http://127.0.0.1:8180/flows") == {}  # loopback: never through a proxy
    assert http.session.trust_env is False  # so requests does not look them up again on every request


def test_the_ca_bundle_of_the_environment_is_kept_unless_ca_path_or_validate_certs_say_otherwise(monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    assert transport().verify == "/etc/ssl/certs/ca-certificates.crt"
    assert transport(ca_path="/tmp/private-ca.pem").verify == "/tmp/private-ca.pem"
    assert transport(validate_certs=False).verify is False
    monkeypatch.delenv("REQUESTS_CA_BUNDLE")
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    assert transport().verify is True


def test_netrc_credentials_never_replace_the_bearer_token(emulator, tmp_path, monkeypatch):
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine 127.0.0.1 login someone password netrc-password-123\n", encoding="utf-8")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    from ansible_collections.aep.flow_service.plugins.module_utils._client import FlowServiceClient
    client = FlowServiceClient(options(emulator))
    try:
        assert client.get_item("flows", FLOW)["id"] == FLOW
    finally:
        client.close()
    token_requests = emulator.requests(path_contains="/ims/token")
    assert token_requests and all("netrc" not in str(r) for r in emulator.requests())
