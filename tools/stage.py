"""Copy the collection, as git sees it, into DEST/ansible_collections/aep/flow_service.

Usage: python tools/stage.py DEST [--git-init]

"As git sees it" means tracked files plus untracked files that are not ignored, minus files
deleted from the work tree: what a commit of the current tree would hold. The copy is real
(ansible-test refuses paths that leave its tree through symlinks) and starts from empty, so a
file deleted here disappears there too. With --git-init the copy gets its own git repository,
because ansible-test otherwise walks up to this checkout's .git, where .build/ is ignored, and
would find no files to test.
"""

import os
import shutil
import subprocess
import sys

NAMESPACE = "aep"
NAME = "flow_service"


def git_visible_files(root):
    """Return the repository-relative paths a commit of the work tree would contain."""
    out = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=root, check=True, stdout=subprocess.PIPE,
    ).stdout
    paths = sorted({p for p in out.decode("utf-8").split("\0") if p})
    return [p for p in paths if os.path.lexists(os.path.join(root, p))]


def stage(root, dest_base, git_init):
    dest = os.path.join(dest_base, "ansible_collections", NAMESPACE, NAME)
    if os.path.lexists(dest):
        shutil.rmtree(dest)
    os.makedirs(dest)

    files = git_visible_files(root)
    for rel in files:
        src = os.path.join(root, rel)
        dst = os.path.join(dest, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if os.path.islink(src):
            # Keep a link that git tracks as a link; sanity's symlinks test judges it.
            os.symlink(os.readlink(src), dst)
        else:
            shutil.copy2(src, dst)

    if git_init:
        subprocess.run(["git", "init", "-q", dest], check=True)

    print("staged %d files in %s" % (len(files), dest))
    return dest


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    flags = [a for a in argv if a.startswith("--")]
    if len(args) != 1 or set(flags) - {"--git-init"}:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    root = subprocess.run(
        ["git", "rev-parse", "--show-toplevel"], check=True, stdout=subprocess.PIPE,
    ).stdout.decode("utf-8").strip()
    stage(root, os.path.abspath(args[0]), "--git-init" in flags)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
