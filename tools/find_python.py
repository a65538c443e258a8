"""Print the first interpreter that runs, is at least a given version and can make a virtualenv.

Usage: python tools/find_python.py --min X.Y CANDIDATE...

Candidates are names looked up on PATH or paths. A pyenv shim, for instance, can exist on PATH
and still fail to run; this runs each one to be sure. Prints nothing (exit 0) if none fits.
"""

import shutil
import subprocess
import sys

CHECK = "import sys, venv, ensurepip; print('%d.%d' % sys.version_info[:2]); print(sys.executable)"


def version_of(candidate):
    path = shutil.which(candidate)
    if not path:
        return None, None
    try:
        out = subprocess.run([path, "-c", CHECK], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             timeout=30, check=True).stdout.decode().split("\n")
    except (OSError, subprocess.SubprocessError):
        return None, None
    # sys.executable is the real interpreter even when `path` is a wrapper such as a pyenv shim.
    return out[1].strip() or path, tuple(int(part) for part in out[0].split("."))


def main(argv):
    if len(argv) < 2 or argv[0] != "--min":
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    minimum = tuple(int(part) for part in argv[1].split("."))
    for candidate in argv[2:]:
        path, version = version_of(candidate)
        if path and version >= minimum:
            print(path)
            return 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
