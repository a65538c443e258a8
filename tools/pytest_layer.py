"""Run pytest on the given test folders, skipping (with a notice) those that hold no tests yet.

Usage: python tools/pytest_layer.py LAYER-NAME DIR... [-- PYTEST-ARG...]

A folder with no test_*.py or *_test.py file anywhere below it is reported as SKIPPED and left
out. If every folder is skipped, the layer passes with that notice. Otherwise pytest runs once on
the remaining folders and its exit code is returned as is, so "no tests collected" (5) from a
folder that does hold test files is a failure, not a quiet pass.
"""

import os
import subprocess
import sys


def has_tests(folder):
    for _dirpath, _dirnames, filenames in os.walk(folder):
        for name in filenames:
            if name.endswith(".py") and (name.startswith("test_") or name.endswith("_test.py")):
                return True
    return False


def main(argv):
    if "--" in argv:
        cut = argv.index("--")
        args, pytest_args = argv[:cut], argv[cut + 1:]
    else:
        args, pytest_args = argv, []
    if len(args) < 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    layer, folders = args[0], args[1:]

    selected = []
    for folder in folders:
        if has_tests(folder):
            selected.append(folder)
        else:
            print("SKIPPED: %s: no test_*.py files under %s/ yet" % (layer, folder.rstrip("/")), flush=True)
    if not selected:
        return 0

    command = [sys.executable, "-m", "pytest"] + pytest_args + selected
    print("+ %s" % " ".join(["pytest"] + pytest_args + selected), flush=True)
    code = subprocess.call(command)
    if code == 5:
        print("%s: pytest collected no tests from %s although test files exist" % (layer, " ".join(selected)),
              file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
