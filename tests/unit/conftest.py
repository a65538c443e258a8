"""Unit-test set-up: make ``ansible_collections.aep.flow_service`` importable from this checkout.

The collection is importable when a folder on sys.path holds ``ansible_collections/aep/flow_service``.
If this checkout already sits at such a path (as in the ansible-test copy), that folder is used;
otherwise a symlink to the checkout is made under ``.tmp/collections``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def collections_root():
    if ROOT.parent.name == "aep" and ROOT.parent.parent.name == "ansible_collections" and ROOT.name == "flow_service":
        return ROOT.parent.parent.parent
    base = ROOT / ".tmp" / "collections"
    link = base / "ansible_collections" / "aep" / "flow_service"
    if not link.exists():
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(ROOT, target_is_directory=True)
    return base


if str(collections_root()) not in sys.path:
    sys.path.insert(0, str(collections_root()))
