"""Start the local Flow Service emulator, run one command against it, always stop it.

Usage: python tools/with_emulator.py [--log FILE] [--emulator-arg ARG]... -- COMMAND [ARG]...

The emulator is started as `python tests/emulator/run.py --port 0` with this interpreter; it
picks a free port and prints `listening on http://HOST:PORT`. That URL is exported to COMMAND
as AEP_EMULATOR_URL, AEP_PLATFORM_URL and AEP_IMS_URL (the emulator serves both the API and the
token endpoint). The emulator's output goes to the log file (default .build/emulator.log), which
is printed if it fails to start. Exit status: COMMAND's, or 1 if the emulator could not start.
"""

import os
import re
import signal
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUN_PY = os.path.join(ROOT, "tests", "emulator", "run.py")
LISTENING = re.compile(r"listening on (https?://\S+)")
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


class Terminated(Exception):
    """SIGTERM or SIGHUP arrived; raised so the finally block stops the emulator."""


def _raise_terminated(signum, frame):
    raise Terminated(signum)


def parse_args(argv):
    log = os.path.join(ROOT, ".build", "emulator.log")
    emulator_args = []
    i = 0
    while i < len(argv) and argv[i] != "--":
        if argv[i] == "--log" and i + 1 < len(argv):
            log = argv[i + 1]
            i += 2
        elif argv[i] == "--emulator-arg" and i + 1 < len(argv):
            emulator_args.append(argv[i + 1])
            i += 2
        else:
            return None
    command = argv[i + 1:]
    return (log, emulator_args, command) if command else None


def start_emulator(log_path, emulator_args):
    """Start the emulator; return (process, url, reader thread, log) once it listens.

    Raises RuntimeError, with the emulator's output, when it does not start listening in time.
    """
    if not os.path.isfile(RUN_PY):
        raise RuntimeError("%s does not exist (the emulator is not in this tree yet)" % RUN_PY)
    os.makedirs(os.path.dirname(os.path.abspath(log_path)), exist_ok=True)
    log = open(log_path, "w", encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-u", RUN_PY, "--port", "0"] + emulator_args,
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, so stopping it stops its children too
    )
    found = threading.Event()
    url = []

    def pump():
        # Keep reading after the URL shows up so the emulator never blocks on a full pipe.
        for raw in proc.stdout:
            line = raw.decode("utf-8", "replace")
            log.write(line)
            log.flush()
            if not found.is_set():
                match = LISTENING.search(line)
                if match:
                    url.append(match.group(1).rstrip("/"))
                    found.set()
        found.set()

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    deadline = time.monotonic() + START_TIMEOUT
    while not found.wait(0.1):
        if time.monotonic() > deadline:
            break
    if not url:
        stop_emulator(proc)
        reader.join(2)
        log.close()
        with open(log_path, encoding="utf-8") as handle:
            output = handle.read()
        if proc.returncode is not None and proc.returncode >= 0:
            why = "exited with status %d before it listened" % proc.returncode
        else:
            why = "did not print 'listening on http://HOST:PORT' within %ds" % START_TIMEOUT
        raise RuntimeError("the emulator %s; its output:\n%s" % (why, output))
    return proc, url[0], reader, log


def stop_emulator(proc):
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, STOP_TIMEOUT), (signal.SIGKILL, STOP_TIMEOUT)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


def main(argv):
    parsed = parse_args(argv)
    if parsed is None:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    log_path, emulator_args, command = parsed

    signal.signal(signal.SIGTERM, _raise_terminated)
    signal.signal(signal.SIGHUP, _raise_terminated)
    proc = reader = log = None
    try:
        try:
            proc, url, reader, log = start_emulator(log_path, emulator_args)
        except RuntimeError as exc:
            print("with_emulator: %s" % exc, file=sys.stderr)
            return 1
        print("with_emulator: emulator at %s (pid %d, log %s)" % (url, proc.pid, log_path), flush=True)
        env = dict(os.environ, AEP_EMULATOR_URL=url, AEP_PLATFORM_URL=url, AEP_IMS_URL=url)
        try:
            return subprocess.call(command, env=env)
        except FileNotFoundError:
            print("with_emulator: command not found: %s" % command[0], file=sys.stderr)
            return 127
    except (KeyboardInterrupt, Terminated):
        return 130
    finally:
        if proc is not None:
            stop_emulator(proc)
            reader.join(5)
            log.close()
            print("with_emulator: emulator stopped", flush=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
