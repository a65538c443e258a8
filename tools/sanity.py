"""Run `ansible-test sanity` on a real copy of the collection, with no ignore entries allowed.

Usage: python tools/sanity.py BUILD_DIR [ANSIBLE-TEST-ARG...]

1. Fails if any tests/sanity/ignore-*.txt in this checkout has an entry: problems get fixed,
   not ignored.
2. Copies the collection as git sees it to BUILD_DIR/sanity/ansible_collections/aep/flow_service
   (tools/stage.py), because ansible-test needs that path and refuses symlinks out of it.
3. Runs `ansible-test sanity --python 3.11 --color no` there, from this virtualenv (the origin
   controller, no docker). ansible-test builds one virtualenv per sanity test with the versions
   it pins; HOME points at BUILD_DIR/home so those (and its pip cache) live in this checkout.
   ansible-test seeds each of them with a get-pip script downloaded from a host outside the
   package registries, which this network does not reach; a stand-in that does the same job
   with the pip wheel bundled in Python's ensurepip is put in its cache first (see GET_PIP).
4. Prints which sanity tests ran and which were skipped (from ansible-test's junit reports), and
   fails if a test was skipped for any reason other than "no files of its kind in this tree":
   a missing interpreter, tool (shellcheck, pwsh) or libyaml would otherwise pass unnoticed.
"""

import glob
import importlib.util
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import stage  # noqa: E402  pylint: disable=wrong-import-position

PYTHON_VERSION = "%d.%d" % sys.version_info[:2]
NOTHING_TO_TEST = "No tests applicable."
# ansible-test warns like this when a test is skipped for want of an interpreter, tool or library.
SKIP_WARNING = re.compile(r"WARNING: (Skipping|Unable to find)")
# pip's progress while ansible-test fills its per-test virtualenvs: kept out of the console.
PIP_CHATTER = re.compile(r"^(Collecting |  Downloading |  Using cached |\s*━|Installing collected packages|"
                         r"Successfully installed|Using cached pip |Requirement already satisfied)")


# What ansible-test's get-pip script does: run pip from a wheel to install pip (and the packages
# named) into an empty virtualenv. Here pip comes from the wheel Python ships for ensurepip.
GET_PIP = '''"""Stand-in for get-pip.py, written by tools/sanity.py; see its docstring."""
import glob
import os
import runpy
import sys

import ensurepip

bundled = glob.glob(os.path.join(os.path.dirname(ensurepip.__file__), "_bundled", "pip-*.whl"))
if not bundled:
    sys.exit("no pip wheel bundled with ensurepip in %s" % sys.executable)
sys.path.insert(0, bundled[0])
args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
sys.argv = ["pip", "install", "--upgrade", "--force-reinstall"] + args
runpy.run_module("pip", run_name="__main__", alter_sys=True)
'''


def provide_get_pip(home):
    """Put the get-pip stand-in where ansible-test looks for its cached download."""
    spec = importlib.util.find_spec("ansible_test")
    source = os.path.join(os.path.dirname(spec.origin), "_internal", "python_requirements.py")
    with open(source, encoding="utf-8") as handle:
        match = re.search(r"pip='([0-9.]+)'", handle.read())
    if not match:
        raise RuntimeError("cannot find the pip version ansible-test bootstraps in %s" % source)
    cache = os.path.join(home, ".ansible", "test", "cache")
    os.makedirs(cache, exist_ok=True)
    with open(os.path.join(cache, "get_pip_%s.py" % match.group(1).replace(".", "_")), "w", encoding="utf-8") as out:
        out.write(GET_PIP)


def junit_results(dest):
    """Return {test name: (status, detail)} from ansible-test's junit reports."""
    results = {}
    for path in sorted(glob.glob(os.path.join(dest, "tests", "output", "junit", "*.xml"))):
        for case in ET.parse(path).getroot().iter("testcase"):
            name = case.get("name")
            skipped = case.find("skipped")
            failure = case.find("failure")
            if failure is None:
                failure = case.find("error")
            if failure is not None:
                results[name] = ("failed", (failure.get("message") or "").strip())
            elif skipped is not None:
                results[name] = ("skipped", (skipped.text or skipped.get("message") or "").strip())
            else:
                results.setdefault(name, ("passed", ""))
    return results


def ignore_entries(root):
    """Return 'file:line: entry' for every non-blank, non-comment line of tests/sanity/ignore-*.txt."""
    entries = []
    folder = os.path.join(root, "tests", "sanity")
    for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        if not (name.startswith("ignore-") and name.endswith(".txt")):
            continue
        with open(os.path.join(folder, name), encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if line.strip() and not line.lstrip().startswith("#"):
                    entries.append("tests/sanity/%s:%d: %s" % (name, number, line.rstrip()))
    return entries


def main(argv):
    if not argv:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    build = os.path.abspath(argv[0])
    extra = argv[1:]

    entries = ignore_entries(ROOT)
    if entries:
        print("sanity: ignore files must stay empty; fix these instead of ignoring them:")
        for entry in entries:
            print("    " + entry)
        return 1

    dest = stage.stage(ROOT, os.path.join(build, "sanity"), git_init=True)
    home = os.path.join(build, "home")
    provide_get_pip(home)
    env = dict(os.environ, HOME=home)
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    command = ["ansible-test", "sanity", "--python", PYTHON_VERSION, "--color", "no", "--junit"] + extra
    print("+ (cd %s && %s)" % (os.path.relpath(dest, ROOT), " ".join(command)), flush=True)

    pip_log_path = os.path.join(build, "sanity-pip.log")
    warnings = []
    with open(pip_log_path, "w", encoding="utf-8") as pip_log:
        proc = subprocess.Popen(command, cwd=dest, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        for raw in proc.stdout:
            line = raw.decode("utf-8", "replace")
            if PIP_CHATTER.search(line):
                pip_log.write(line)
                continue
            sys.stdout.write(line)
            sys.stdout.flush()
            if SKIP_WARNING.search(line):
                warnings.append(line.strip())
        code = proc.wait()

    results = junit_results(dest)
    ran = sorted(name for name, result in results.items() if result[0] != "skipped")
    idle = sorted(name for name, (status, detail) in results.items()
                  if status == "skipped" and detail == NOTHING_TO_TEST)
    skipped = sorted("%s: %s" % (name, detail) for name, (status, detail) in results.items()
                     if status == "skipped" and detail != NOTHING_TO_TEST)
    print("sanity: ran %d test(s): %s" % (len(ran), ", ".join(ran)))
    print("sanity: nothing of their kind to check in this tree: %s" % (", ".join(idle) or "-"))
    if not results:
        print("sanity: ansible-test wrote no junit reports; cannot tell what ran")
        code = code or 1
    if skipped or warnings:
        print("sanity: skipped for want of something, which would hide errors:")
        for line in skipped + warnings:
            print("    " + line)
        code = code or 1
    if code != 0:
        print("sanity: FAILED (ansible-test exited %d)" % proc.returncode)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
