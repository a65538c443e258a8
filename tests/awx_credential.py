"""extensions/awx/credential_type.yml, and the environment AWX injects into a job from a credential of that type.

Used by tests/unit/test_awx_credential_type.py (the shape AWX accepts, the options the modules parse from it) and
tests/integration/test_awx.py (real playbooks run on that environment alone).
"""

from __future__ import annotations

from pathlib import Path

import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment

CREDENTIAL_TYPE = Path(__file__).resolve().parents[1] / "extensions" / "awx" / "credential_type.yml"


def load_credential_type():
    return yaml.safe_load(CREDENTIAL_TYPE.read_text(encoding="utf-8"))


def render_injected_env(credential_type, inputs):
    """The environment AWX injects for a credential with these inputs (job-time rendering).

    As in AWX (awx/main/models/credential, ``build_safe_env`` and injection): only the inputs that are set
    (non-empty) are in the template namespace, a boolean field that is not set is False, and the templates render
    in an immutable sandbox with Jinja's default Undefined.
    """
    namespace = {k: v for k, v in inputs.items() if isinstance(v, bool) or v}
    for field in credential_type["inputs"]["fields"]:
        if field["type"] == "boolean" and field["id"] not in inputs:
            namespace[field["id"]] = False
    sandbox = ImmutableSandboxedEnvironment()
    return {name: sandbox.from_string(template).render(**namespace)
            for name, template in credential_type["injectors"]["env"].items()}
