# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aep.flow_service contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils file is private to the collection: its interface may change without notice.

"""The base class of every module: shared options, one client, errors turned into messages people can act on."""

from __future__ import annotations

import traceback
from contextlib import contextmanager

from ansible.module_utils import basic
from ansible.module_utils.basic import AnsibleModule, heuristic_log_sanitize, missing_required_lib
from ansible.module_utils.common.warnings import get_deprecations, get_warnings

try:
    import requests  # noqa: F401, pylint: disable=unused-import
except ImportError:
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    REQUESTS_IMPORT_ERROR = None

from ansible_collections.aep.flow_service.plugins.module_utils._errors import AepError, failure
from ansible_collections.aep.flow_service.plugins.module_utils._ids import id_problems
from ansible_collections.aep.flow_service.plugins.module_utils._options import (
    check_connection_options,
    connection_argument_spec,
    mask_unknown_options,
    url_password,
)
from ansible_collections.aep.flow_service.plugins.module_utils._scrub import FAST, FEW, NoLogValues


class AepModule(AnsibleModule):
    """An AnsibleModule with the shared connection options merged in and checked before any request.

    Its result, log line and invocation log are scrubbed exactly as Ansible scrubs them, in time linear in their
    size: Ansible tries every no_log value on every string, quadratic in a batch's secrets (see _scrub).
    """

    _all_no_log_values = None  # the module's no_log values while a narrowed list stands in (_no_log_narrowed)
    _no_log_cache = None  # (the no_log values in the set's order, their NoLogValues)

    def __init__(self, argument_spec=None, **kwargs):
        spec = connection_argument_spec()
        spec.update(argument_spec or {})
        super().__init__(argument_spec=spec, **kwargs)
        for name in ("platform_url", "ims_url"):
            password = url_password(self.params.get(name))
            if password:  # refused below; masked wherever Ansible would echo the URL (invocation included)
                self.no_log_values.add(password)
        if REQUESTS_IMPORT_ERROR:
            self.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
        errors, warnings = check_connection_options(self.params)
        if errors:
            self.fail_json(msg="Invalid connection options: " + "; ".join(errors) + ".")
        for warning in warnings:
            self.warn(warning)
        self._api = None

    def fail_json(self, msg, **kwargs):
        """Fail; the echo of the arguments (invocation, shown at -vvv) never shows the value of an unknown option.

        Ansible refuses a misspelt option (``auth_parms``) with the arguments echoed, and no_log is tied to the
        right name: the secret under the wrong one would be printed.
        """
        if "invocation" not in kwargs:
            kwargs["invocation"] = {"module_args": mask_unknown_options(self.params, self.argument_spec)}
        super().fail_json(msg=msg, **kwargs)

    def _return_formatted(self, kwargs):
        """Ansible's, given the result already scrubbed: exactly what its remove_values makes of it with every
        no_log value, done in linear time (_scrub); its own pass then tries no value, as none is left to mask.

        A module with few values (FEW: Ansible's way is then the cheaper), unusual results (``path``, ``warnings``
        or ``deprecations`` given), warnings holding a value and results nested too deep take Ansible's own path.
        """
        if self._all_no_log_values is not None:  # failing while a narrowed list stands in: every value again
            self.no_log_values = self._all_no_log_values
        unusual = any(key in kwargs for key in ("path", "warnings", "deprecations"))
        if not FAST or len(self.no_log_values) <= FEW or unusual:
            return super()._return_formatted(kwargs)
        values = self._no_log_index()
        # Ansible adds its warnings and deprecations to the result after this scrub: objects its pass leaves as they
        # are, but were they text holding a value (another ansible-core), only that pass would mask it.
        if values.holds_any([get_warnings(), get_deprecations()]):
            return super()._return_formatted(kwargs)
        kwargs.setdefault("invocation", {"module_args": self.params})  # as Ansible adds it (2.21 drops it unless asked)
        try:
            scrubbed = values.scrubbed(kwargs)
        except RecursionError:
            return super()._return_formatted(kwargs)
        with self._no_log_narrowed([]):
            return super()._return_formatted(scrubbed)

    def _log_invocation(self):
        """Ansible's, each option's text scrubbed in linear time (NoLogValues.scrub_text, same output).

        Ansible's heuristic_log_sanitize tries every no_log value on the whole text of each option, and the text
        of a batch's ``destinations`` holds all of them. It is swapped, for this call only, for its URL-password
        heuristic followed by scrub_text; nothing else runs meanwhile (the module is being built).
        """
        if not FAST or len(self.no_log_values) <= FEW:
            return super()._log_invocation()
        values = self._no_log_index()

        def sanitize(data, no_log_values=None):  # Ansible passes self.no_log_values: the values indexed above
            text = heuristic_log_sanitize(data)  # without values: its URL-password heuristic only
            return values.scrub_text(text) if no_log_values else text

        basic.heuristic_log_sanitize = sanitize
        try:
            return super()._log_invocation()
        finally:
            basic.heuristic_log_sanitize = heuristic_log_sanitize

    def log(self, msg, log_args=None):
        """Ansible's, its line scrubbed with only the no_log values found in it (in linear time): the same line."""
        if not FAST or len(self.no_log_values) <= FEW or self.no_log or not isinstance(msg, (str, bytes)):
            return super().log(msg, log_args)
        line = msg.decode("utf-8", "replace") if isinstance(msg, bytes) else msg
        if self._target_log_info:
            line = " ".join([self._target_log_info, line])  # the line Ansible scrubs
        with self._no_log_narrowed(self._no_log_index().within(line)):
            return super().log(msg, log_args)

    def _no_log_index(self):
        """NoLogValues of the module's no_log values, built again only when they have changed (or their order)."""
        snapshot = tuple(self.no_log_values)
        if self._no_log_cache is None:
            self._no_log_cache = (snapshot, NoLogValues(snapshot))
        elif self._no_log_cache[0] != snapshot:  # tokens minted since: their finder files only the new values
            self._no_log_cache = (snapshot, NoLogValues(snapshot, self._no_log_cache[1].finder))
        return self._no_log_cache[1]

    @contextmanager
    def _no_log_narrowed(self, values):
        """``self.no_log_values`` is ``values`` (a list in remove_values' order) inside; the set is put back after,
        and _return_formatted takes it back if the module fails meanwhile (a syslog error fails it)."""
        everything = self.no_log_values
        self.no_log_values, self._all_no_log_values = values, everything
        try:
            yield
        finally:
            self.no_log_values, self._all_no_log_values = everything, None

    @property
    def api(self):
        """What every request of this run shares (_api.Api): one token holder, one throttle, the specs read. Built
        on first use, so that option errors never cost a request."""
        if self._api is None:
            from ansible_collections.aep.flow_service.plugins.module_utils._api import Api
            # Everything Ansible masks is redacted in the server's answers too, and every token minted joins it.
            self._api = Api(self.params, secrets=self.no_log_values, sink=self.no_log_values.add,
                            workers=self.params.get("workers") or 1)
        return self._api

    @property
    def client(self):
        """This thread's Flow Service client for the sandbox of the options."""
        return self.api.client_for(self.params["sandbox"])

    def fail_for(self, error, action, finding=False, **extra):
        """Fail for ``error`` (an AepError) raised while ``action`` was being done, as failure() words it:
        what was being done, what happened, the API's answer and request id; never headers or secrets.

        ``finding`` as for failure(); ``extra`` adds result keys (``changed``).
        """
        api = self._api  # never built here: building it may be what failed
        msg, keys = failure(error, action, bool(api is not None and api.unconfirmed_writes), finding)
        keys.update(extra)
        self.fail_json(msg=msg, **keys)

    @contextmanager
    def failing(self, action, finding=False, **extra):
        """``with module.failing("Updating target connection X"):`` fails the module for any AepError inside."""
        try:
            yield
        except AepError as exc:
            self.fail_for(exc, action, finding, **extra)

    def resolve(self, flow_id, resolver, *args):
        """Call ``resolver(client, flow_id, *args)`` (resolve_target_id or resolve_base_id); fail cleanly."""
        with self.failing("Reading dataflow %s" % flow_id, finding=True):
            return resolver(self.client, flow_id, *args)


# The options both single-connection modules share: which connection (by id, or behind a dataflow), its name and
# description. Each module adds its own (params or auth_params, ...).
CONNECTION_MODULE_OPTIONS = dict(
    id=dict(type="str"),
    flow_id=dict(type="str"),
    name=dict(type="str"),
    description=dict(type="str"),
)


def connection_id(module, problems, resolver, *args):
    """The id of the connection a single-connection module converges: ``id``, or the one ``resolver(client,
    flow_id, *args)`` finds behind ``flow_id``. Fails before any request, with every problem at once, for an id
    that cannot be one, an empty name, or any of the module's own ``problems`` (None for none)."""
    p = module.params
    problems = id_problems({"id": p["id"], "flow_id": p["flow_id"]}) + [problem for problem in problems if problem]
    if p["name"] is not None and not p["name"].strip():
        problems.append("name must not be empty")
    if problems:
        module.fail_json(msg="; ".join(problems))
    return module.resolve(p["flow_id"], resolver, *args) if p["flow_id"] else p["id"]


def converge_and_exit(module, kind, item_id):
    """Bring one resource of a kind (_kinds.py) to the module's options and exit with the standard result:
    changed, msg, the resource (masked), etag, patch (masked), the kind's extra keys, and the diff."""
    what = "%s %s" % (kind.label, item_id)
    with module.failing("Updating " + what):
        outcome = kind.converge(item_id, module.check_mode)
    for warning in kind.warnings(what):
        module.warn(warning)
    done = ", ".join("%s %s" % (op.get("op"), op.get("path")) for op in outcome.operations)  # no values: secrets
    if not outcome.changed:
        msg = "%s: no change" % what
    elif module.check_mode:
        msg = "%s: would change (check mode, nothing was sent): %s" % (what, done)
    else:
        msg = "%s: changed%s" % (what, ": " + done if done else "")
    result = {
        "changed": outcome.changed,
        "msg": msg,
        kind.result_key: kind.shown(outcome.after),
        "etag": outcome.etag,
        "patch": kind.shown_operations(outcome.operations),
    }
    result.update(kind.extra_result(outcome.operations))
    if module._diff:
        result["diff"] = {"before_header": what, "after_header": what, "before": kind.view(outcome.before),
                          "after": kind.view(outcome.after, outcome.operations)}
    module.exit_json(**result)
