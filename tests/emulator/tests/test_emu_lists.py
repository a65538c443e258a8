"""Issue point 7: limit, continuation tokens and _links.next.href, count, property filters, orderby."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from emu_support import (AZURE_FLOW, BASE, DEV_TARGET, FLOW, GAM_FLOW, PINTEREST_FLOW, PROD_FLOWS, S3_SPEC, SOURCE_FLOW, TARGET, TWO_TARGETS_FLOW, Api,
                         demo_id, flow_error)

from harness import start_emulator

GENERATED = 300


@pytest.fixture(name="big", scope="module")
def _big():
    """An emulator with 300 generated S3 dataflows on top of the demo data."""
    emulator = start_emulator("--generate", str(GENERATED))
    api = Api(emulator)
    yield api
    api.close()
    emulator.stop()


def names(response) -> list[str]:
    """Names of the listed items."""
    assert response.status_code == 200, response.text
    return [item["name"] for item in response.json()["items"]]


def ids(response) -> set[str]:
    """Ids of the listed items."""
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["items"]}


def test_default_page_size_is_50(big):
    body = big.get("/flows").json()
    assert len(body["items"]) == 50
    assert body["_links"]["next"]["href"].startswith("/flows?continuationToken=")


def follow(api, href):
    """GET a _links.next.href as given (relative to the flowservice base)."""
    return api.session.get(api.emulator.api_url + href, headers=api.headers(), timeout=10)


DESTINATIONS = {"limit": "100", "property": "inheritedAttributes.properties.isDestinationFlow==true", "orderby": "-name"}
DESTINATION_FLOWS = GENERATED + PROD_FLOWS - 1  # every prod flow but the source one


def test_pagination_over_more_than_250_flows(big):
    """Following the href alone keeps filter, order and page size: the token carries them."""
    response = big.get("/flows", params=DESTINATIONS)
    seen, pages = [], 0
    while True:
        body = response.json()
        assert response.status_code == 200, body
        pages += 1
        seen.extend(item["name"] for item in body["items"])
        following = body["_links"].get("next")
        if not following:
            break
        href = following["href"]
        assert href.startswith("/flows?continuationToken=")
        assert [name for name, _value in parse_qsl(urlsplit(href).query)] == ["continuationToken"]  # the token only
        response = follow(big, href)
    assert len(seen) == len(set(seen)) == DESTINATION_FLOWS
    assert seen == sorted(seen, key=str.lower, reverse=True)
    assert pages == 4
    assert body["_links"] == {}


def test_token_taken_after_the_equals_sign(big):
    """The documented client way: the text after '=' is the token, sent as continuationToken alone."""
    body = big.get("/flows", params=DESTINATIONS).json()
    seen = [item["id"] for item in body["items"]]
    while body["_links"].get("next"):
        token = body["_links"]["next"]["href"].split("continuationToken=", 1)[1]
        body = big.get("/flows", params={"continuationToken": token}).json()
        assert len(body["items"]) <= 100
        seen.extend(item["id"] for item in body["items"])
    assert len(seen) == len(set(seen)) == DESTINATION_FLOWS


def test_original_parameters_sent_again_beside_the_token(big):
    """The other way clients page (the collection's own client does this): the query again plus the token."""
    body = big.get("/flows", params=DESTINATIONS).json()
    seen = [item["id"] for item in body["items"]]
    while body["_links"].get("next"):
        token = parse_qsl(urlsplit(body["_links"]["next"]["href"]).query)[0][1]
        body = big.get("/flows", params={**DESTINATIONS, "continuationToken": token}).json()
        seen.extend(item["id"] for item in body["items"])
    assert len(seen) == len(set(seen)) == DESTINATION_FLOWS


def test_a_parameter_beside_the_token_replaces_the_carried_one(big):
    first = big.get("/flows", params={"limit": "10", "orderby": "name"}).json()
    token = parse_qsl(urlsplit(first["_links"]["next"]["href"]).query)[0][1]
    carried = big.get("/flows", params={"continuationToken": token}).json()
    assert len(carried["items"]) == 10
    assert [item["name"] for item in first["items"] + carried["items"]] == \
        sorted((item["name"] for item in first["items"] + carried["items"]), key=str.lower)
    bigger = big.get("/flows", params={"continuationToken": token, "limit": "25"}).json()
    assert len(bigger["items"]) == 25
    assert bigger["items"][:10] == carried["items"]
    # the next token carries the replaced limit
    assert len(follow(big, bigger["_links"]["next"]["href"]).json()["items"]) == 25


def test_pages_follow_the_order(big):
    first = big.get("/flows", params={"orderby": "name", "limit": "100"}).json()
    second = follow(big, first["_links"]["next"]["href"]).json()
    listed = [item["name"] for item in first["items"] + second["items"]]
    assert listed == sorted(listed, key=str.lower)


def test_generated_flows(big):
    flow = big.item(f"/flows/{'6e000000-0000-4000-8000-000000010001'}")
    assert flow["name"] == "Generated S3 export 0001"
    target = flow["inheritedAttributes"]["targetConnections"][0]
    assert target["id"] == "6e000000-0000-4000-8000-000000010002"
    assert target["baseConnection"]["id"] == "6e000000-0000-4000-8000-000000010003"
    assert big.item(f"/targetConnections/{target['id']}")["params"]["bucketName"] == "generated-bucket-0001"
    assert big.item("/flows/6e000000-0000-4000-8000-000003000001")["name"] == "Generated S3 export 0300"


def test_count(big):
    assert big.get("/flows", params={"count": "true"}).json() == {"count": GENERATED + PROD_FLOWS}
    generated = big.get("/flows", params={"count": "true", "property": "flowSpec.id==269ba276-16fc-47db-92b0-c1049a3c131f"}).json()
    assert generated == {"count": GENERATED + 2}
    assert big.get("/connections", params={"count": "true"}, sandbox="dev").json() == {"count": 1}
    assert len(big.get("/flows", params={"count": "false"}).json()["items"]) == 50


def test_limit_and_count_together_is_1401(api):
    body = flow_error(api.get("/flows", params={"limit": "10", "count": "true"}), "1401", 400)
    assert "limit and count" in body["errorMessage"]


@pytest.mark.parametrize("limit", ["101", "0", "-1", "ten", ""])
def test_bad_limit_is_1453(api, limit):
    body = flow_error(api.get("/flows", params={"limit": limit}), "1453", 400)
    assert f"limit={limit}" in body["errorMessage"]


def test_limit_bounds(api):
    assert len(names(api.get("/flows", params={"limit": "1"}))) == 1
    assert len(names(api.get("/flows", params={"limit": "100"}))) == PROD_FLOWS


def test_small_pages_cover_the_demo_flows(api):
    response = api.get("/flows", params={"limit": "4"})
    first = ids(response)
    following = response.json()["_links"]["next"]["href"]
    rest = ids(follow(api, following))
    assert len(first) == 4 and len(rest) == PROD_FLOWS - 4 and not first & rest
    assert len(ids(api.get("/flows", params={"limit": "100", "continuationToken": following.split("=", 1)[1]}))) == PROD_FLOWS - 4


@pytest.mark.parametrize("params, code", [
    ({"start": "10"}, "1451"), ({"continuationToken": "not-a-token"}, "1453"), ({"count": "yes"}, "1453"),
    ({"continuationToken": "eyJvIjoxLCJxIjpbWyJzdGFydCIsIjEiXV19"}, "1453"),  # {"o":1,"q":[["start","1"]]}: a name no token carries
])
def test_bad_query_parameters(api, params, code):
    flow_error(api.get("/flows", params=params), code, 400)


@pytest.mark.parametrize("filters, expected", [
    (["name==2021 winter campaign"], {FLOW}),
    (["state==disabled"], {GAM_FLOW}),
    (["state!=enabled"], {GAM_FLOW}),
    ([f"id=={FLOW},{AZURE_FLOW}"], {FLOW, AZURE_FLOW}),
    ([f"id!={FLOW},{AZURE_FLOW}", "state==enabled"], {PINTEREST_FLOW, TWO_TARGETS_FLOW, SOURCE_FLOW}),
    (["state==enabled", "flowSpec.id==269ba276-16fc-47db-92b0-c1049a3c131f"], {FLOW, TWO_TARGETS_FLOW}),
    (["inheritedAttributes.properties.isDestinationFlow==false"], {SOURCE_FLOW}),
    ([f"targetConnectionIds[]=={TARGET}"], {FLOW}),
    ([f"targetConnectionIds[]=={demo_id(5, 5)},{demo_id(2, 2)}"], {TWO_TARGETS_FLOW, AZURE_FLOW}),
    ([f"inheritedAttributes.targetConnections[].connectionSpec.id=={S3_SPEC}"], {FLOW, TWO_TARGETS_FLOW}),
    ([f"inheritedAttributes.targetConnections[].baseConnection.id=={BASE}"], {FLOW}),
    (["transformations[].params.segmentSelectors.selectors[].value.id==a1000000-0000-4000-8000-000000000003"], {PINTEREST_FLOW}),
    ([f"targetConnectionIds=={TARGET}"], set()),  # an array segment needs []
    (["name==no such flow"], set()),
    (["createdAt>0", "createdAt<99999999999999"], {FLOW, AZURE_FLOW, PINTEREST_FLOW, GAM_FLOW, TWO_TARGETS_FLOW, SOURCE_FLOW}),
])
def test_flow_filters(api, filters, expected):
    assert ids(api.get("/flows", params=[("property", value) for value in filters])) == expected


def test_numeric_comparisons(api):
    created = api.item(f"/flows/{GAM_FLOW}")["createdAt"]
    before = ids(api.get("/flows", params={"property": f"createdAt<{created}"}))
    after = ids(api.get("/flows", params={"property": f"createdAt>={created}"}))
    assert GAM_FLOW in after and GAM_FLOW not in before
    assert len(before | after) == PROD_FLOWS and not before & after


def test_filters_on_other_collections(api):
    assert ids(api.get("/connections", params={"property": f"connectionSpec.id=={S3_SPEC}"})) == {BASE, demo_id(5, 3), demo_id(5, 6)}
    assert ids(api.get("/targetConnections", params={"property": f"baseConnectionId=={BASE}"})) == {TARGET}
    assert ids(api.get("/connectionSpecs", params={"property": "name==Amazon S3"})) == {S3_SPEC}
    assert ids(api.get("/targetConnections", params={"property": "params.csvOptions.delimiter==;"})) == set()
    assert ids(api.get("/targetConnections", params={"property": "params.csvOptions.delimiter==;"}, sandbox="dev")) == {DEV_TARGET}
    assert ids(api.get("/targetConnections", params={"property": "params.fileType==JSON"})) == {demo_id(2, 2)}


@pytest.mark.parametrize("expression, code", [
    ("nosuchfield==x", "1449"), ("name=x", "1450"), ("name~=x", "1450"), ("name=!x", "1450"), ("name==", "1453"),
    ("name", "1453"), ("createdAt>=1,2", "1443"), ("createdAt>abc", "1452"),
])
def test_bad_filters(api, expression, code):
    flow_error(api.get("/flows", params={"property": expression}), code, 400)


def test_orderby(api):
    ascending = names(api.get("/flows", params={"orderby": "name"}))
    assert ascending == sorted(ascending, key=str.lower)
    assert names(api.get("/flows", params={"orderby": "-name"})) == ascending[::-1]
    assert names(api.get("/flows", params={"orderby": "+name"})) == ascending  # '+' arrives as a space
    assert names(api.session.get(api.emulator.api_url + "/flows?orderby=%2Bname", headers=api.headers(), timeout=10)) == ascending
    by_state = api.get("/flows", params={"orderby": "state,-name"}).json()["items"]
    assert [item["state"] for item in by_state] == ["disabled"] + ["enabled"] * (PROD_FLOWS - 1)
    created = [item["createdAt"] for item in api.get("/flows", params={"orderby": "-createdAt"}).json()["items"]]
    assert created == sorted(created, reverse=True)


def test_bad_orderby(api):
    flow_error(api.get("/flows", params={"orderby": "nosuchfield"}), "1433", 400)
    flow_error(api.get("/flows", params={"orderby": "*name"}), "1432", 400)
