"""Shared pytest fixtures for the collection's tests.

``tests/emulator`` is put on ``sys.path``, so tests import the emulator harness as::

    from harness import Emulator, start_emulator, demo_headers

Fixtures:

* ``emulator_server`` (session): one Flow Service emulator with the built-in demo data, stopped at the end;
* ``emulator`` (function): the same emulator, reset to the demo data (log and faults cleared) before the test.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

EMULATOR_DIR = Path(__file__).resolve().parent / "emulator"
if str(EMULATOR_DIR) not in sys.path:
    sys.path.insert(0, str(EMULATOR_DIR))

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
