"""Run a module's main() in-process with given arguments and return its JSON result."""

from __future__ import annotations

import json

import pytest
from ansible.module_utils.testing import patch_module_args

from module_process import as_module_process


@pytest.fixture
def run_module(capsys, emulator, monkeypatch, tmp_path):
    """``run_module(main, args, check_mode=False, diff=False)`` -> (exit code, result dict).

    The AEP_* environment points at this test's emulator with the demo credentials, as AWX would inject it.
    """
    env = {"AEP_PLATFORM_URL": emulator.url, "AEP_IMS_URL": emulator.url, "AEP_CLIENT_ID": "aep-demo-client",
           "AEP_CLIENT_SECRET": "aep-demo-secret", "AEP_ORG_ID": "0123456789ABCDEF01234567@AdobeOrg"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))

    def run(main, args, check_mode=False, diff=False):
        full = dict(args)
        full["_ansible_check_mode"] = check_mode
        full["_ansible_diff"] = diff
        capsys.readouterr()
        with monkeypatch.context() as patched, patch_module_args(full), pytest.raises(SystemExit) as info:
            as_module_process(patched)
            main()
        return info.value.code, json.loads(capsys.readouterr().out)

    return run
