# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aep.flow_service contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils file is private to the collection: its interface may change without notice.

"""What every request of one run shares: one token holder, one throttle, one reading of each connection spec.

A module run (AepModule.api) and an inventory parse each make one Api; ``client_for(sandbox)`` hands each thread
its own client (its own keep-alive session) for a sandbox, all of them sharing the rest.
"""

from __future__ import annotations

import threading
import time

from ansible.module_utils.common.warnings import warn as ansible_warn

from ansible_collections.aep.flow_service.plugins.module_utils._client import FlowServiceClient
from ansible_collections.aep.flow_service.plugins.module_utils._redact import Redactor
from ansible_collections.aep.flow_service.plugins.module_utils._specs import SpecReader
from ansible_collections.aep.flow_service.plugins.module_utils._throttle import Throttle
from ansible_collections.aep.flow_service.plugins.module_utils._token import TokenCache


class Api:
    """The Flow Service as one run sees it. ``workers`` bounds the requests in flight (the throttle's ceiling)."""

    def __init__(self, options, secrets=(), sink=None, warn=ansible_warn, sleep=time.sleep, workers=1):
        """``secrets``: values to redact in what servers send back (a module's no_log_values); ``sink`` is told of
        every token minted (no_log_values.add); ``warn`` reports a token cache folder that cannot be trusted."""
        self.options = options
        self.sleep = sleep
        self.warn = warn
        self.redactor = Redactor(secrets, sink)
        self.tokens = TokenCache(options, self.redactor, warn, sleep)
        self.throttle = Throttle(workers, sleep)
        self.specs = SpecReader(options)
        self.local = threading.local()
        self.made = []
        self.lock = threading.Lock()

    def client_for(self, sandbox=None):
        """This thread's client for ``sandbox`` (the options' sandbox by default), made on first use."""
        sandbox = sandbox or self.options["sandbox"]
        mine = self.local.__dict__.setdefault("clients", {})
        if sandbox not in mine:
            mine[sandbox] = FlowServiceClient(dict(self.options, sandbox=sandbox), sleep=self.sleep,
                                              tokens=self.tokens, warn=self.warn, throttle=self.throttle)
            with self.lock:
                self.made.append(mine[sandbox])
        return mine[sandbox]

    @property
    def request_count(self):
        """Requests of this run, to the Flow Service and to IMS."""
        ims = self.tokens.http.request_count if self.tokens.http is not None else 0
        return ims + sum(client.request_count for client in self.made)

    @property
    def unconfirmed_writes(self):
        """Writes of this run whose answer never came: they may have landed."""
        return sum(client.unconfirmed_writes for client in self.made)

    def close(self):
        for client in self.made:
            client.close()
        self.tokens.close()
