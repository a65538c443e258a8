"""The redaction of known secrets in server answers (issue 12, item 2)."""

from __future__ import annotations

import json
from urllib.parse import quote, quote_plus

from ansible_collections.aep.flow_service.plugins.module_utils._redact import MASK, Redactor

SECRET = 'p8e-A/b+c=d"e\\f'


def test_every_form_of_a_secret_is_masked():
    redactor = Redactor([SECRET])
    for form in (SECRET, quote(SECRET, safe=""), quote(SECRET), quote_plus(SECRET), json.dumps(SECRET)[1:-1]):
        assert redactor.redact("before %s after" % form) == "before %s after" % MASK


def test_connection_string_parts_and_bearer_tokens_are_masked():
    secret = "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=S2V5;EndpointSuffix=core.windows.net"
    redactor = Redactor([secret])
    assert redactor.redact("bad key S2V5") == "bad key " + MASK
    assert Redactor().redact("AccountKey=unknown;SharedAccessSignature=sv=1") == \
        "AccountKey=%s;SharedAccessSignature=%s" % (MASK, MASK)
    assert Redactor().redact("authorization: Bearer abc.def") == "authorization: " + MASK


def test_new_secrets_reach_the_sink_and_leaves_are_walked():
    seen = set()
    redactor = Redactor(sink=seen.add)
    redactor.add_leaves({"a": ["one-secret", {"b": "two-secret"}], "c": True, "d": None})
    assert seen == {"one-secret", "two-secret"}
    assert redactor.redact("one-secret two-secret") == "%s %s" % (MASK, MASK)
