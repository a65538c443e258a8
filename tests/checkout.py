"""Where every test layer and the benchmark find this checkout's code: the one place that sets import paths.

* ``use_checkout()`` puts the test helper folders on ``sys.path`` and makes this checkout importable as
  ``ansible_collections.aep.flow_service`` (tests/conftest.py calls it for pytest; scripts call it themselves).
* ``collections_path()`` is the ``ANSIBLE_COLLECTIONS_PATH`` for ansible commands the tests start: the one set in
  the environment (``make`` points it at the built and installed collection), otherwise this checkout.

A script outside pytest first puts this folder on ``sys.path``, then calls ``use_checkout()``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
# harness (the emulator), playhelpers (ansible-playbook runs), relkit (the reliability suite's secrets and figures).
HELPER_DIRS = (TESTS, TESTS / "emulator", TESTS / "integration", TESTS / "reliability")


def collections_root():
    """A folder holding ``ansible_collections/aep/flow_service`` that is this checkout.

    The ansible-test sanity copy already sits at such a path; elsewhere a symlink is made under .tmp/collections.
    """
    if ROOT.name == "flow_service" and ROOT.parent.name == "aep" and ROOT.parent.parent.name == "ansible_collections":
        return ROOT.parent.parent.parent
    base = ROOT / ".tmp" / "collections"
    link = base / "ansible_collections" / "aep" / "flow_service"
    if not link.exists():
        link.parent.mkdir(parents=True, exist_ok=True)
        try:
            link.symlink_to(ROOT, target_is_directory=True)
        except FileExistsError:  # another pytest-xdist worker made it first
            pass
    return base


def collections_path():
    return os.environ.get("ANSIBLE_COLLECTIONS_PATH") or str(collections_root())


def use_checkout():
    """Put the helper folders and the collection root on ``sys.path`` (once each, in front)."""
    for folder in (collections_root(),) + HELPER_DIRS:
        if str(folder) not in sys.path:
            sys.path.insert(0, str(folder))
