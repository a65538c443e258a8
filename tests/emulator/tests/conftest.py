"""Fixtures of the emulator's own tests: an HTTP client bound to the emulator.

The ``emulator``, ``emulator_server`` and ``own_emulator`` (extra instances) fixtures come from
``tests/conftest.py``; the demo ids and the ``Api`` client are in ``emu_support.py`` beside this file.
"""
from __future__ import annotations

import pytest
from emu_support import Api


@pytest.fixture(name="api")
def _api(emulator):
    """An Api bound to the (reset) session emulator."""
    client = Api(emulator)
    yield client
    client.close()
