"""Fixtures of the emulator's own tests: an HTTP client bound to the emulator and a starter for extra instances.

The ``emulator`` and ``emulator_server`` fixtures come from ``tests/conftest.py``; the demo ids and the
``Api`` client are in ``emu_support.py`` beside this file.
"""
from __future__ import annotations

import pytest
from emu_support import Api

from harness import start_emulator


@pytest.fixture(name="api")
def _api(emulator):
    """An Api bound to the (reset) session emulator."""
    client = Api(emulator)
    yield client
    client.close()


@pytest.fixture(name="spawn")
def _spawn():
    """Start extra emulators with given options; all are stopped after the test."""
    started = []

    def spawn(*args: str):
        emulator = start_emulator(*args)
        started.append(emulator)
        return emulator

    yield spawn
    for emulator in started:
        emulator.stop()
