"""Shared pytest set-up and fixtures for every test layer.

Import paths are set once here, by tests/checkout.py: the helper folders (``tests/emulator``,
``tests/integration``, ``tests/reliability``) are on ``sys.path`` and this checkout is importable as
``ansible_collections.aep.flow_service``, so tests import::

    from harness import Emulator, start_emulator, demo_headers
    from ansible_collections.aep.flow_service.plugins.module_utils import ...

Fixtures:

* ``emulator_server`` (session): one Flow Service emulator with the built-in demo data, stopped at the end;
* ``emulator`` (function): the same emulator, reset to the demo data (log and faults cleared) before the test;
* ``own_emulator`` (function): ``own_emulator(*run_py_args)`` starts an extra emulator for this test only
  (other data, --generate, --tls, ...); every one started is stopped after the test.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

# pytest's default import mode puts this folder on sys.path; other modes do not, so it is not left to them.
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from checkout import use_checkout  # noqa: E402  pylint: disable=wrong-import-position

use_checkout()

from harness import start_emulator  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture(name="emulator_server", scope="session")
def _emulator_server():
    """A Flow Service emulator for the whole pytest session."""
    server = start_emulator()
    yield server
    server.stop()


@pytest.fixture(name="emulator")
def _emulator(emulator_server):
    """The session emulator, reset to its loaded data before the test."""
    emulator_server.reset()
    yield emulator_server


@pytest.fixture(name="own_emulator")
def _own_emulator():
    """``own_emulator(*run_py_args)`` starts an emulator for this test only; all are stopped at the end."""
    started = []

    def start(*args: str):
        emu = start_emulator(*args)
        started.append(emu)
        return emu

    yield start
    for emu in started:
        emu.stop()
