"""The shared client against the emulator over real HTTP: retry rules, pagination, tokens, errors."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from ansible_collections.aep.flow_service.plugins.module_utils._client import ApiError, FlowServiceClient
from ansible_collections.aep.flow_service.plugins.module_utils._http import retry_delay
from ansible_collections.aep.flow_service.plugins.module_utils._options import (
    DEFAULT_SCOPES,
    check_connection_options,
    connection_argument_spec,
)

FLOW = "226fb2e1-db69-4760-b67e-9e671e05abfc"
TARGET = "8ce3dc63-3766-4220-9f61-51d2f8f14618"


def options(emulator, **overrides):
    opts = {name: spec.get("default") for name, spec in connection_argument_spec().items()}
    opts.update(platform_url=emulator.url, ims_url=emulator.url, client_id="aep-demo-client",
                client_secret="aep-demo-secret", org_id="0123456789ABCDEF01234567@AdobeOrg", scopes=DEFAULT_SCOPES,
                timeout=5.0, retries=3)
    opts.update(overrides)
    return opts


class Sleeps(list):
    """Records the waits instead of sleeping."""

    def __call__(self, seconds):
        self.append(seconds)


@pytest.fixture
def client_for(emulator):
    made = []

    def make(**overrides):
        sleeps = Sleeps()
        client = FlowServiceClient(options(emulator, **overrides), sleep=sleeps)
        client.sleeps = sleeps
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


def api_requests(emulator, path_contains):
    return [r for r in emulator.requests(path_contains=path_contains) if "/ims/" not in r["path"]]


def test_headers_sent_on_every_request(emulator, client_for):
    client = client_for(sandbox="prod")
    assert client.get_item("flows", FLOW)["id"] == FLOW
    logged = api_requests(emulator, FLOW)[0]
    assert logged["sandbox"] == "prod"
    assert logged["api_key"] == "aep-demo-client"


def test_429_with_retry_after_is_honoured(emulator, client_for):
    emulator.add_fault(method="GET", path=FLOW, kind="status", status=429, headers={"Retry-After": "2"}, count=2)
    client = client_for()
    assert client.get_item("flows", FLOW)["id"] == FLOW
    assert client.sleeps == [2.0, 2.0]
    assert [r["status"] for r in api_requests(emulator, FLOW)] == [429, 429, 200]


def test_503_then_success(emulator, client_for):
    emulator.add_fault(method="GET", path=FLOW, kind="status", status=503, count=1)
    client = client_for()
    assert client.get_item("flows", FLOW)["id"] == FLOW
    assert [r["status"] for r in api_requests(emulator, FLOW)] == [503, 200]
    assert len(client.sleeps) == 1


def test_dropped_connection_is_retried(emulator, client_for):
    emulator.add_fault(method="GET", path=FLOW, kind="drop", count=1)
    client = client_for()
    assert client.get_item("flows", FLOW)["id"] == FLOW
    assert len(api_requests(emulator, FLOW)) == 2


def test_503_burst_longer_than_the_budget_fails_with_the_cause(emulator, client_for):
    emulator.add_fault(method="GET", path=FLOW, kind="status", status=503, count=10)
    client = client_for(retries=2)
    with pytest.raises(ApiError) as info:
        client.get_item("flows", FLOW)
    assert info.value.status == 503
    assert "gave up after 2 retries" in str(info.value)
    assert len(api_requests(emulator, FLOW)) == 3


def test_500_is_not_retried(emulator, client_for):
    emulator.add_fault(method="GET", path=FLOW, kind="status", status=500, count=1)
    with pytest.raises(ApiError) as info:
        client_for().get_item("flows", FLOW)
    assert info.value.status == 500
    assert len(api_requests(emulator, FLOW)) == 1


def test_412_is_never_retried(emulator, client_for):
    client = client_for()
    with pytest.raises(ApiError) as info:
        client.patch("targetConnections", TARGET, [{"op": "replace", "path": "/params/path", "value": "x"}],
                     '"stale-etag"')
    assert info.value.status == 412
    assert info.value.code == "FLOW-1404-412"
    assert "does not match the current version" in info.value.message
    assert info.value.request_id
    assert len([r for r in api_requests(emulator, TARGET) if r["method"] == "PATCH"]) == 1


def test_400_is_never_retried(emulator, client_for):
    client = client_for()
    etag = client.get_item("targetConnections", TARGET)["etag"]
    with pytest.raises(ApiError) as info:
        client.patch("targetConnections", TARGET, [{"op": "move", "path": "/params/path", "from": "/name"}], etag)
    assert info.value.status == 400
    assert info.value.code == "FLOW-1434-400"
    assert len([r for r in api_requests(emulator, TARGET) if r["method"] == "PATCH"]) == 1


def test_unknown_id_is_none_not_an_error(client_for):
    assert client_for().get_item("flows", "00000000-0000-0000-0000-000000000000") is None


def test_wrong_secret_is_an_ims_error_without_the_secret(emulator, client_for):
    client = client_for(client_secret="wrong-secret-value")
    with pytest.raises(ApiError) as info:
        client.get_item("flows", FLOW)
    text = str(info.value) + repr(info.value.to_dict())
    assert info.value.status in (400, 401)
    assert "wrong-secret-value" not in text and "aep-demo-secret" not in text
    assert len(emulator.requests(path_contains="/ims/token")) == 1  # a bad secret is not retried


def test_expired_token_is_re_minted_once(emulator, client_for):
    client = client_for()
    client.get_item("flows", FLOW)
    emulator.expire_tokens()
    assert client.get_item("flows", FLOW)["id"] == FLOW
    assert len(emulator.requests(path_contains="/ims/token")) == 2
    assert [r["status"] for r in api_requests(emulator, FLOW)] == [200, 401, 200]


def test_static_token_is_not_re_minted(emulator, client_for):
    client = client_for(client_secret=None, access_token="not-a-valid-token")
    with pytest.raises(ApiError) as info:
        client.get_item("flows", FLOW)
    assert info.value.status == 401 and info.value.code == "401013"
    assert emulator.requests(path_contains="/ims/token") == []


def test_token_cache_shares_one_token_between_clients(emulator, client_for, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    for dummy in range(5):
        client_for(token_cache=True).get_item("flows", FLOW)
    assert len(emulator.requests(path_contains="/ims/token")) == 1
    files = list((tmp_path / "aep.flow_service").glob("token-*.json"))
    assert len(files) == 1 and oct(files[0].stat().st_mode & 0o777) == "0o600"
    assert "aep-demo-secret" not in files[0].read_text()


def test_threads_sharing_one_token_holder_mint_once_also_after_expiry(emulator, client_for):
    first = client_for()
    clients = [first] + [FlowServiceClient(first.options, tokens=first.tokens) for dummy in range(7)]
    start = threading.Barrier(len(clients))

    def read(client):
        start.wait()
        return client.get_item("flows", FLOW)["id"]

    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        assert list(pool.map(read, clients)) == [FLOW] * len(clients)
        assert len(emulator.requests(path_contains="/ims/token")) == 1
        # Every thread now holds an expired token: each gets a 401, but only one new token is minted.
        emulator.expire_tokens()
        assert list(pool.map(read, clients)) == [FLOW] * len(clients)
    assert len(emulator.requests(path_contains="/ims/token")) == 2
    for client in clients[1:]:
        client.close()


def test_retry_delay_backoff_is_bounded_and_jittered():
    waits = [retry_delay(attempt) for attempt in range(10)]
    assert all(0 <= w <= 30 for w in waits)
    assert retry_delay(0) <= 0.5


@pytest.mark.parametrize("overrides, words", [
    ({"client_id": None}, ["client_id is required"]),
    ({"org_id": ""}, ["org_id is required"]),
    ({"client_secret": None}, ["no credentials"]),
    ({"access_token": "t"}, ["contradict"]),
    ({"platform_url": "ftp://x"}, ["platform_url must be an http(s) URL"]),
    ({"timeout": 0}, ["timeout must be a positive"]),
    ({"retries": -1}, ["retries must be between"]),
    ({"ca_path": "/nonexistent/ca.pem"}, ["ca_path /nonexistent/ca.pem does not exist"]),
    ({"sandbox": ""}, ["sandbox must not be empty"]),
    ({"org_id": "0123456789ABCDEF01234567"}, ["org_id must be the IMS organization id, which ends in @AdobeOrg"]),
])
def test_option_errors_name_what_to_fix(overrides, words):
    opts = {"client_id": "c", "client_secret": "s", "org_id": "o@AdobeOrg", "sandbox": "prod",
            "platform_url": "https://platform.adobe.io", "ims_url": "https://ims-na1.adobelogin.com",
            "timeout": 30, "retries": 4, "validate_certs": True}
    opts.update(overrides)
    errors, dummy = check_connection_options(opts)
    assert any(all(w in e for w in words) for e in errors), errors


def test_option_warnings_for_plain_http_and_no_tls_checks():
    opts = {"client_id": "c", "client_secret": "s", "org_id": "o@AdobeOrg", "sandbox": "prod", "platform_url": "http://api.example.com",
            "ims_url": "http://127.0.0.1:8180", "timeout": 30, "retries": 4, "validate_certs": False}
    errors, warnings = check_connection_options(opts)
    assert errors == []
    assert any("platform_url uses plain http" in w for w in warnings)
    assert not any("ims_url" in w for w in warnings)  # loopback is the emulator
    assert any("validate_certs is false" in w for w in warnings)


@pytest.fixture(scope="module")
def big_emulator():
    from harness import start_emulator  # tests/conftest.py puts the emulator folder on sys.path
    server = start_emulator("--generate", "250")
    yield server
    server.stop()


def test_pagination_reads_every_page(big_emulator):
    client = FlowServiceClient(options(big_emulator))
    try:
        flows = client.list_items("flows")
    finally:
        client.close()
    listed = [r for r in big_emulator.requests(method="GET") if r["path"].endswith("/flows")]
    assert len(flows) >= 250
    assert len(listed) == -(-len(flows) // 100)  # one request per page of 100
    assert len({f["id"] for f in flows}) == len(flows)
