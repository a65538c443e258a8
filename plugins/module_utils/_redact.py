# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aep.flow_service contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils file is private to the collection: its interface may change without notice.

"""Redaction of known secrets in text a server sent back, before anything shows it to a person.

Ansible's ``no_log`` masks exact strings only, at the very end; a server's error body may quote a secret
URL-encoded, JSON-escaped, as one part of a connection string, or cut in two by truncation. So every message
built from a server's answer goes through ``Redactor.redact`` first, with every secret the run knows (the client
secret, static and minted tokens, every auth_params leaf) in every form it may take on the wire.
"""

from __future__ import annotations

import json
import re
import threading
from urllib.parse import quote, quote_plus

from ansible_collections.aep.flow_service.plugins.module_utils._scrub import Finder

MASK = "********"
# Connection-string keys whose values are secrets (Azure storage and Service Bus, SAS, ADO-style strings).
SECRET_KEYS = ("AccountKey", "SharedAccessKey", "SharedAccessSignature", "sig", "Password", "Pwd")
SECRET_PART = re.compile(r"(?i)\b(%s)=([^;&\s\"'<>,]+)" % "|".join(SECRET_KEYS))
BEARER = re.compile(r"(?i)\bbearer\s+[^\s\"',;]+")


def forms(value):
    """The ways a secret may be written in a body: as is, URL-encoded (form and path style), JSON-escaped."""
    found = {value, quote(value, safe=""), quote(value), quote_plus(value), quote_plus(value, safe="/"),
             json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]}
    return {form for form in found if form}


def secret_parts(value):
    """The secret values inside a connection string (``AccountKey=...;``), each a secret of its own."""
    return [match.group(2) for match in SECRET_PART.finditer(value)]


class Redactor:
    """The secrets of one run, and the function that masks them in text. Threads of one run share it.

    ``sink`` (a callable) is told every new secret, e.g. ``module.no_log_values.add`` so that Ansible masks
    tokens minted during the run in the result and the invocation too.

    A batch adds thousands of secrets one by one, so neither adding one nor redacting may cost per secret known:
    a secret's forms are filed (once) by the next ``redact``, which finds the forms a text holds in one pass over
    it (_scrub.Finder) and masks only those.
    """

    def __init__(self, values=(), sink=None):
        self.lock = threading.Lock()
        self.sink = sink
        self.values = set()
        self.unfiled = []  # secrets whose forms are not in self.forms yet: filed on the first redact() after
        self.forms = Finder()
        self.starred = set()  # forms holding "*": a mask written next to text may complete one, so always tried
        self.add(*values)

    def add(self, *values):
        with self.lock:
            for value in values:
                if value is None or isinstance(value, bool) or not str(value):
                    continue
                value = str(value)
                for secret in [value] + secret_parts(value):
                    if secret in self.values:
                        continue
                    self.values.add(secret)
                    self.unfiled.append(secret)
                    if self.sink is not None:
                        self.sink(secret)

    def add_leaves(self, data):
        """Every scalar inside ``data`` (dicts and lists walked), e.g. a whole auth_params."""
        if isinstance(data, dict):
            for item in data.values():
                self.add_leaves(item)
        elif isinstance(data, (list, tuple)):
            for item in data:
                self.add_leaves(item)
        elif data is not None and not isinstance(data, bool):
            self.add(str(data))

    def redact(self, text):
        """``text`` with every known secret, connection-string secret and bearer token masked."""
        if text is None:
            return None
        text = str(text)
        with self.lock:  # a thread may be adding a secret meanwhile
            for secret in self.unfiled:  # only now: most runs redact nothing, and a batch adds thousands of secrets
                written = forms(secret)
                self.forms.update(written)
                self.starred.update(form for form in written if "*" in form)
            self.unfiled = []
            found = self.forms.found_in(text) | self.starred
        # Longest first, so that no form is left half-masked by a shorter one inside it. A form absent from the
        # text (and without "*") cannot appear while others are masked: trying only those found is the same.
        for form in sorted(found, key=lambda form: (-len(form), form)):
            text = text.replace(form, MASK)
        text = SECRET_PART.sub(lambda match: "%s=%s" % (match.group(1), MASK), text)
        return BEARER.sub(MASK, text)
