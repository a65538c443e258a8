"""ansible's process-wide state as a module process starts with it, for a module's main() run inside pytest.

A real module runs in a process of its own; in pytest it shares one with everything else, and two globals leak:

* ``ansible.module_utils._internal.is_controller``: the first import of controller code (``ansible.errors``, the
  plugin loader: the filter and inventory plugin tests do it) sets it for the rest of the process, and from then on
  ``warn()`` and ``deprecate()`` print through the controller's Display instead of returning in the module result.
  Run with tests/unit in the same process, the reliability checks on warnings saw none.
* the warnings and deprecations themselves live in module globals: a run would return those of earlier runs.
"""

from __future__ import annotations

from ansible.module_utils import _internal
from ansible.module_utils.common import warnings as ansible_warnings


def as_module_process(patched):
    """Set that state through ``patched`` (a pytest MonkeyPatch, or its context), which puts it back afterwards."""
    patched.setattr(_internal, "is_controller", False)
    patched.setattr(ansible_warnings, "_global_warnings", {})
    patched.setattr(ansible_warnings, "_global_deprecations", {})
