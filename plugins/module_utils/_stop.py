# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aep.flow_service contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils file is private to the collection: its interface may change without notice.

"""A stop flag for long module runs: set by SIGTERM or SIGHUP, or when a process that started the run is gone.

A CI timeout or an AWX cancel kills ansible-playbook (SIGTERM, then SIGKILL); the module process it started lives
on, and without this flag would go on writing every remaining destination for nobody to see. Work already under
way is left to finish (a request cut in the middle is a write nobody can confirm); nothing new is started.
"""

from __future__ import annotations

import os
import signal
import threading

POLL_SECONDS = 0.5
SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


def ancestors(pid=None):
    """The process ids above ``pid`` (default: this process) up to, not including, init; [parent] off Linux."""
    found = []
    pid = os.getpid() if pid is None else pid
    while True:
        try:
            with open("/proc/%d/stat" % pid, "r", encoding="ascii", errors="replace") as handle:
                # pid (comm) state ppid ...; comm may hold spaces and parentheses: split after the last ')'
                parent = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            return found or [os.getppid()]
        if parent <= 1 or parent in found:
            return found
        found.append(parent)
        pid = parent


def alive(pid):
    """False once ``pid`` has ended, also while it is a zombie its parent has not reaped yet."""
    try:
        with open("/proc/%d/stat" % pid, "r", encoding="ascii", errors="replace") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except FileNotFoundError:
        return False
    except (OSError, IndexError):  # no /proc: ask the kernel
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


class StopFlag:
    """``install()`` it around the work; workers ask ``stopped`` before starting anything new."""

    def __init__(self):
        self.event = threading.Event()
        self.done = threading.Event()  # the work is over: the watcher ends
        self.reason = None
        self.previous = {}
        self.watched = []
        self.watcher = None

    @property
    def stopped(self):
        return self.event.is_set()

    def stop(self, reason):
        if not self.event.is_set():
            self.reason = reason
            self.event.set()

    def install(self):
        for number in SIGNALS:
            try:
                self.previous[number] = signal.signal(number, self._on_signal)
            except ValueError:  # not the main thread: signals stay as they are
                break
        self.watched = ancestors()
        self.watcher = threading.Thread(target=self._watch, name="aep-stop-watch", daemon=True)
        self.watcher.start()
        return self

    def restore(self):
        for number, handler in self.previous.items():
            signal.signal(number, handler)
        self.previous = {}
        self.done.set()

    def _on_signal(self, number, frame):
        del frame
        self.stop("the module received %s" % signal.Signals(number).name)

    def _watch(self):
        while not self.done.wait(POLL_SECONDS):
            for pid in self.watched:
                if not alive(pid):
                    self.stop("process %d that started this run (ansible-playbook or its worker) is gone" % pid)
                    return
