"""Render the docs of every plugin and role the installed collection ships, then lint them.

Usage: python tools/check_docs.py COLLECTIONS_PATH

COLLECTIONS_PATH holds the collection as `ansible-galaxy collection install -p` put it. Every
plugin file under plugins/<type>/ of this checkout (and every role with meta/argument_specs.yml)
must render with `ansible-doc -t <type> aep.flow_service.<name>` from there, without a warning;
then `antsibull-docs lint-collection-docs --plugin-docs .` checks this checkout (schema, semantic
markup, references, RST of extra docs). It runs on the checkout, not the installed copy, because
it copies what git lists, and git lists nothing under the ignored .build/. Exit status 1 if
anything failed.
"""

import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FQCN_PREFIX = "aep.flow_service."
# Folders under plugins/ that hold code other plugins use, not plugins of their own.
NOT_PLUGINS = {"module_utils", "doc_fragments", "plugin_utils", "action", "__pycache__"}
# Plugin types whose names come from inside the files (several per file, docs in .yml files).
NAMED_INSIDE = {"filter", "test"}


def plugin_type(folder):
    return "module" if folder == "modules" else folder


def tool(name):
    """The console script from this interpreter's virtualenv, whatever PATH says."""
    candidate = os.path.join(os.path.dirname(sys.executable), name)
    return candidate if os.path.exists(candidate) else name


def run(command, env):
    command = [tool(command[0])] + command[1:]
    proc = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    return proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")


def expected_docs(env):
    """Return [(type, fqcn)] for every plugin and documented role in this checkout."""
    found = []
    plugins = os.path.join(ROOT, "plugins")
    for folder in sorted(os.listdir(plugins)) if os.path.isdir(plugins) else []:
        path = os.path.join(plugins, folder)
        if folder in NOT_PLUGINS or not os.path.isdir(path):
            continue
        ptype = plugin_type(folder)
        if ptype in NAMED_INSIDE:
            code, out, err = run(["ansible-doc", "-t", ptype, "-l", "aep.flow_service", "--json"], env)
            names = sorted(json.loads(out)) if code == 0 else []
            if code != 0:
                print("FAIL ansible-doc -t %s -l aep.flow_service: %s" % (ptype, err.strip()))
                found.append((ptype, None))
            found.extend((ptype, name) for name in names)
            continue
        for filename in sorted(os.listdir(path)):
            stem, ext = os.path.splitext(filename)
            if ext in (".py", ".ps1") and not stem.startswith("__"):
                found.append((ptype, FQCN_PREFIX + stem))
    roles = os.path.join(ROOT, "roles")
    for role in sorted(os.listdir(roles)) if os.path.isdir(roles) else []:
        if os.path.isfile(os.path.join(roles, role, "meta", "argument_specs.yml")):
            found.append(("role", FQCN_PREFIX + role))
    return found


def main(argv):
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    collections_path = os.path.abspath(argv[0])
    installed = os.path.join(collections_path, "ansible_collections", "aep", "flow_service")
    if not os.path.isdir(installed):
        print("check_docs: %s is missing; run `make install` first" % installed, file=sys.stderr)
        return 1
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_path, ANSIBLE_NOCOLOR="1")
    # antsibull-docs runs `ansible` and `ansible-doc` itself: they must be this virtualenv's.
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")

    failures = 0
    docs = expected_docs(env)
    for ptype, fqcn in docs:
        if fqcn is None:
            failures += 1
            continue
        code, out, err = run(["ansible-doc", "-t", ptype, fqcn], env)
        problems = [line for line in err.splitlines() if "WARNING" in line or "ERROR" in line]
        if code != 0 or fqcn not in out or problems:
            failures += 1
            print("FAIL ansible-doc -t %s %s (exit %d)" % (ptype, fqcn, code))
            for line in (err.strip() or out.strip()).splitlines()[:40]:
                print("    " + line)
        else:
            print("ok   ansible-doc -t %s %s" % (ptype, fqcn))
    if not docs:
        print("check_docs: no plugins or documented roles in this tree yet; nothing for ansible-doc to render")

    print("+ antsibull-docs lint-collection-docs --plugin-docs .", flush=True)
    code = subprocess.call([tool("antsibull-docs"), "lint-collection-docs", "--plugin-docs", "."], env=env, cwd=ROOT)
    if code != 0:
        failures += 1
        print("FAIL antsibull-docs lint-collection-docs (exit %d)" % code)

    if failures:
        print("check_docs: %d failure(s)" % failures)
        return 1
    print("check_docs: %d plugin/role doc(s) rendered; antsibull-docs lint clean" % len(docs))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
