"""Attacks of a hostile review (throttling, kept specs, no_log scrubbing): each test failed before its fix."""

from __future__ import annotations

import pytest
from ansible_collections.aep.flow_service.plugins.modules import aep_flow_info

from relkit import FLOW

OPTIONS = {"retries": 2, "timeout": 5.0}
INFO = {"name": "2021 winter campaign"}


@pytest.mark.parametrize("value", ["NaN", "nan", "-nan", "-inf", "-5", "0", "Wed, 21 Oct 2015 07:28:00 GMT"])
@pytest.mark.parametrize("path", [r"/flows$", r"/ims/token"])
def test_429_with_an_odd_retry_after_is_waited_out_not_a_crash(emulator, run_module, value, path):
    """A gateway answering 429 once with a Retry-After that is no usable number of seconds."""
    emulator.add_fault(method="*", path=path, kind="status", status=429, headers={"Retry-After": value}, count=1)
    run = run_module(aep_flow_info.main, dict(INFO, **OPTIONS), scenario="429 Retry-After %s" % value)
    assert not run.failed, run.result
    assert [f["id"] for f in run.result["flows"]] == [FLOW]
    assert run.elapsed < 20
