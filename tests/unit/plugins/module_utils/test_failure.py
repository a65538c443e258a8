"""One failure path (issue 13 item 2): errors named for what happened, one function that words every failure.

The single modules (through AepModule.fail_for) and the batch module (on each destination's entry) take their
message and their extra result keys from ``failure()``; the texts are those the modules gave before.
"""

from __future__ import annotations

import pytest

from ansible_collections.aep.flow_service.plugins.module_utils import _converge
from ansible_collections.aep.flow_service.plugins.module_utils._client import FlowServiceClient, _quote_id
from ansible_collections.aep.flow_service.plugins.module_utils._errors import (
    UNCONFIRMED_WRITE_NOTE,
    AepError,
    ApiError,
    Conflict,
    ConvergeError,
    InvalidInput,
    NotFound,
    RequestFailed,
    StillBusy,
    failure,
)
from test_client import options  # the same connection options as the client's own tests


def api_error(status=500):
    return ApiError("boom", status=status, code="FLOW-1-500", request_id="r1", method="GET", url="https://h/flows/f")


def test_the_hierarchy_says_what_happened():
    assert issubclass(RequestFailed, ApiError) and issubclass(ApiError, AepError)
    for outcome in (NotFound, InvalidInput, Conflict, StillBusy):
        assert issubclass(outcome, ConvergeError) and not issubclass(outcome, ApiError)
    assert issubclass(ConvergeError, AepError)
    assert _converge.ConvergeError is ConvergeError  # where the tests and older callers import it from


def test_an_api_error_is_introduced_by_the_action_with_its_hint_and_structured_fields():
    msg, keys = failure(api_error(404), "Reading dataflow f")
    assert msg == ("Reading dataflow f failed: GET https://h/flows/f, HTTP 404, FLOW-1-500: boom (request id r1) "
                   "Check the id and the sandbox it lives in.")
    assert keys == {"api_error": api_error(404).to_dict()}


def test_an_unconfirmed_write_is_said_and_flagged():
    msg, keys = failure(api_error(), "Updating target connection t", unconfirmed=True)
    assert msg.endswith("(request id r1)" + UNCONFIRMED_WRITE_NOTE)
    assert keys["write_unconfirmed"] is True and keys["api_error"]["status"] == 500


def test_a_converge_outcome_is_introduced_by_the_action():
    msg, keys = failure(InvalidInput("invalid params: x"), "Updating target connection t")
    assert (msg, keys) == ("Updating target connection t failed: invalid params: x", {})


def test_an_outcome_while_finding_the_resource_speaks_for_itself():
    error = NotFound("dataflow f was not found in sandbox prod")
    assert failure(error, "Reading dataflow f", finding=True) == ("dataflow f was not found in sandbox prod", {})
    # an API error of the same step still says what was being done
    assert failure(api_error(), "Reading dataflow f", finding=True)[0].startswith("Reading dataflow f failed: GET ")


def test_an_outcome_after_an_unconfirmed_write_says_it_may_have_landed():
    msg, keys = failure(InvalidInput("invalid params: x"), "Updating target connection t", unconfirmed=True)
    assert msg == "Updating target connection t failed: invalid params: x" + UNCONFIRMED_WRITE_NOTE
    assert keys == {"write_unconfirmed": True}


@pytest.mark.parametrize("error_class", [Conflict, StillBusy])
def test_conflict_and_busy_say_themselves_what_became_of_our_writes(error_class):
    text = "target connection t changed 10 times; an earlier write of ours got no answer and may have been applied"
    msg, keys = failure(error_class(text), "Updating target connection t", unconfirmed=True)
    assert msg == "Updating target connection t failed: " + text  # not said twice
    assert keys == {"write_unconfirmed": True}


def test_ids_and_headers_that_cannot_be_sent_are_request_failures_not_answers(emulator):
    with pytest.raises(RequestFailed, match="is not a valid id"):
        _quote_id("..")
    with pytest.raises(RequestFailed, match="sent as the HTTP header x-api-key"):
        FlowServiceClient(options(emulator, client_id="bad\r\nid"))


class MissingClient:
    options = {"sandbox": "prod"}
    unconfirmed_writes = 0

    def get_item(self, collection, item_id):
        return None


def test_converge_names_the_kind_it_was_given():
    with pytest.raises(NotFound, match="^target connection t1 was not found in sandbox prod$"):
        _converge.converge(MissingClient(), "targetConnections", "t1", lambda current: [], False,
                           label="target connection")
