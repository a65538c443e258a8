# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aep.flow_service contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils file is private to the collection: its interface may change without notice.

"""Target and base connections: finding them from a dataflow, masking secrets, and the patches that converge them."""

from __future__ import annotations

import copy

from ansible_collections.aep.flow_service.plugins.module_utils._errors import ConvergeError, InvalidInput, NotFound
from ansible_collections.aep.flow_service.plugins.module_utils._patch import PatchError, apply_patch, build_patch, given, same
from ansible_collections.aep.flow_service.plugins.module_utils._schema import (
    MASK,
    Context,
    auth_schema,
    check_object,
    mask_secrets,
    missing_required,
    secret_fields,
    target_schema,
)

UPDATE_SECRETS_CHOICES = ("always", "on_change")

# The options that let a key the connection spec does not declare through, on purpose (dotted paths for nested keys).
UNDECLARED_TARGET_OPTION = "allow_undeclared_params"
UNDECLARED_AUTH_OPTION = "allow_undeclared_auth_params"

# Target params the API stores although no published targetSpec declares them: every Adobe example of a
# cloud-storage target connection sends mode "Server-to-server" (shared/reference/connection-specs/README.md).
KNOWN_UNDECLARED_TARGET_PARAMS = ("mode",)

PURGE_NEEDS_PARAMS = ("purge_params needs params, and not an empty one: it removes every target param that params "
                      "does not list, so with none listed it would remove them all")


def base_connection_ids(flow):
    """Base connection ids behind a flow's target connections, in order, without duplicates."""
    ids = []
    for target in (flow.get("inheritedAttributes") or {}).get("targetConnections") or []:
        base = (target or {}).get("baseConnection") or {}
        if base.get("id") and base["id"] not in ids:
            ids.append(base["id"])
    return ids


def connection_secrets(connection, spec):
    """Secret auth field names for a base connection: those its spec marks as passwords."""
    return secret_fields(auth_schema(spec, ((connection or {}).get("auth") or {}).get("specName")))


def mask_connection(connection, secrets):
    """A copy of a base connection with the value of every secret auth field named in ``secrets`` masked."""
    if not connection:
        return connection
    masked = copy.deepcopy(connection)
    auth = masked.get("auth")
    if isinstance(auth, dict) and isinstance(auth.get("params"), dict):
        auth["params"] = mask_secrets(auth["params"], secrets)
    return masked


# The options that take a target or a base connection id, in the words of the single modules; the batch module
# and the role pass their own (target_connection_id, base_connection_id).
MODULE_ID_OPTIONS = {"target": "id", "base": "id"}
TARGET_MODULE_IDS = {"target": "id", "base": "the id of aep.flow_service.aep_base_connection"}
BASE_MODULE_IDS = {"target": "the id of aep.flow_service.aep_target_connection", "base": "id"}
OTHER_KINDS = (("targetConnections", "target", "a target connection"), ("connections", "base", "a base connection"))


def read_flow(client, flow_id, id_options=None):
    """The dataflow ``flow_id``; NotFound when the sandbox has none by that id.

    On that failure only, the id is looked up as a target and a base connection, the usual mix-up, so that
    the message says what the id is and which option takes it (``id_options``: as MODULE_ID_OPTIONS).
    """
    flow = client.get_item("flows", flow_id)
    if flow is None:
        sandbox = client.options["sandbox"]
        for collection, kind, what in OTHER_KINDS:
            if client.get_item(collection, flow_id) is not None:
                option = (id_options or MODULE_ID_OPTIONS).get(kind, "id")
                raise InvalidInput("%s is %s, not a dataflow: use %s (in sandbox %s)"
                                   % (flow_id, what, option, sandbox))
        raise NotFound("dataflow %s was not found in sandbox %s" % (flow_id, sandbox))
    return flow


def _named(client, collection, ids):
    """``id (name)`` for each id, for a message that asks the caller to pick one (a read per id)."""
    shown = []
    for item_id in ids:
        item = client.get_item(collection, item_id) or {}
        shown.append("%s (%s)" % (item_id, item["name"]) if item.get("name") else item_id)
    return ", ".join(shown) or "none"


def resolve_target_id(client, flow_id, target_id=None, flow=None, id_options=None):
    """The target connection of a flow; ``target_id`` picks one when the flow has several.

    ``flow`` is the dataflow when it has been read already; otherwise it is read. ``id_options`` names the
    caller's options, as for read_flow.
    """
    option = (id_options or MODULE_ID_OPTIONS)["target"]
    flow = flow or read_flow(client, flow_id, id_options)
    ids = list(flow.get("targetConnectionIds") or [])
    if target_id:
        if target_id not in ids:
            raise InvalidInput("target connection %s does not belong to dataflow %s (its target connections: %s)"
                               % (target_id, flow_id, _named(client, "targetConnections", ids)))
        return target_id
    if len(ids) != 1:
        raise InvalidInput("dataflow %s has %d target connections: %s; set %s to pick one"
                           % (flow_id, len(ids), _named(client, "targetConnections", ids), option))
    return ids[0]


def resolve_base_id(client, flow_id, flow=None, id_options=None):
    """The base connection behind a flow's target connection (``flow`` and ``id_options`` as above)."""
    option = (id_options or MODULE_ID_OPTIONS)["base"]
    flow = flow or read_flow(client, flow_id, id_options)
    ids = base_connection_ids(flow)
    if len(ids) != 1:
        raise InvalidInput("dataflow %s has %d base connections behind its target connections: %s; give the "
                           "base connection with %s" % (flow_id, len(ids), _named(client, "connections", ids),
                                                        option))
    return ids[0]


def checked(values, schema, what, context=None):
    """Coerce and validate user params against a spec schema, or raise InvalidInput listing every problem."""
    errors = []
    result = check_object(values, schema, "", errors, context)
    if errors:
        raise InvalidInput("invalid %s: %s" % (what, "; ".join(errors)))
    return result


def purge_problem(params, purge_params):
    """The message refusing ``purge_params`` with an empty (or missing) ``params``, or None when the pair is fine."""
    return PURGE_NEEDS_PARAMS if purge_params and not params else None


def target_operations(current, spec, params, purge_params, name=None, description=None, allow_undeclared=()):
    """Operations for a target connection: name, description, and params merged key by key at every level.

    A nested object (``csvOptions``) is merged like the top level: only the keys given are set, and with
    ``purge_params`` the keys not given are removed, at every level. A removal of a key the spec requires fails.
    """
    ops = build_patch(current, given(name=name, description=description), "")
    if params is None:
        return ops
    if purge_problem(params, purge_params):
        raise InvalidInput(PURGE_NEEDS_PARAMS)
    schema = target_schema(spec)
    current_params = current.get("params") or {}
    context = Context(current_params, allow_undeclared, KNOWN_UNDECLARED_TARGET_PARAMS, UNDECLARED_TARGET_OPTION)
    desired = checked(params, schema, "params", context)
    params_ops = build_patch(current_params, desired, "/params", purge=purge_params)
    if purge_params and params_ops:
        try:
            after = apply_patch({"params": current_params}, params_ops)["params"]
        except PatchError as exc:
            raise ConvergeError("internal error: the computed patch does not apply: %s" % exc)
        required = missing_required(current_params, after, schema)
        # mode: declared by no published spec, yet carried by every real target connection (Adobe's examples).
        required += [key for key in KNOWN_UNDECLARED_TARGET_PARAMS if key in current_params and key not in after]
        if required:
            them = "it" if len(required) == 1 else "them"
            raise InvalidInput("purge_params would remove %s, which the connection spec requires (or, for mode, "
                               "every Adobe target connection carries); list %s in params; nothing was written"
                               % (", ".join(required), them))
    ops.extend(params_ops)
    return ops


def removed_params(operations):
    """The params an operation list removes, as dotted paths (``csvOptions.quote``), for messages and results."""
    return [op["path"][len("/params/"):].replace("/", ".") for op in operations
            if op.get("op") == "remove" and str(op.get("path", "")).startswith("/params/")]


def base_operations(current, spec, auth_params, update_secrets, name=None, description=None, allow_undeclared=()):
    """Operations for a base connection: the whole /auth/params object when anything must change.

    The API replaces /auth/params whole and never returns secret values, so the object sent is the
    current non-secret values merged with the desired ones, plus every secret, which the user must supply.
    Every current non-secret value is kept, declared by the spec or not (``authorizedDate``, which the
    service sets and no authSpec declares).
    """
    ops = build_patch(current, given(name=name, description=description), "")
    if auth_params is None:
        return ops
    auth = current.get("auth") or {}
    schema = auth_schema(spec, auth.get("specName"))
    secrets = secret_fields(schema)
    current_params = auth.get("params") or {}
    desired = checked(auth_params, schema, "auth_params",
                      Context(current_params, allow_undeclared, (), UNDECLARED_AUTH_OPTION))
    differs = any(k not in secrets and not same(current_params.get(k), v) for k, v in desired.items())
    given_secrets = [k for k in secrets if k in desired]
    if not differs and not (update_secrets == "always" and given_secrets):
        return ops
    missing = [k for k in secrets if k not in desired]
    if missing:
        raise InvalidInput("auth_params must include the secret %s: the API replaces the whole auth object and "
                           "never returns secrets, so leaving it out would delete the stored value; nothing was "
                           "written" % " and ".join(missing))
    hidden = sorted(k for k, v in current_params.items() if k not in secrets and k not in desired and v == MASK)
    if hidden:
        # The API hides this value as it hides secrets; sending the mask back would overwrite the real value.
        raise InvalidInput("auth_params must include %s: the API returns it masked, and the whole auth object is "
                           "replaced, so leaving it out would overwrite the stored value; nothing was written"
                           % " and ".join(hidden))
    value = {k: v for k, v in current_params.items() if k not in secrets}
    value.update(desired)
    required = missing_required(None, value, schema, whole=True)
    if required:
        raise InvalidInput("auth_params must include %s, which the connection spec requires (the API replaces the "
                           "whole auth object); nothing was written" % " and ".join(required))
    ops.append({"op": "replace", "path": "/auth/params", "value": value})
    return ops


def uncompared_warning(what, auth_params, secrets, update_secrets):
    """A warning when on_change has nothing to compare: ``auth_params`` holds only secrets (an Azure
    connectionString), which the API never returns, so they are never sent and a rotation silently never happens.
    """
    if update_secrets != "on_change" or not auth_params or any(key not in secrets for key in auth_params):
        return None
    return ("%s: update_secrets is on_change, but auth_params holds only secrets (%s), which the API never "
            "returns: nothing could be compared, so nothing was sent and a new value would not be rotated. Set "
            "update_secrets: always to rotate it." % (what, ", ".join(sorted(auth_params))))


def mask_operations(operations, secrets):
    """A copy of the operations to show a person: secret values inside /auth/params masked."""
    shown = copy.deepcopy(operations)
    for op in shown:
        if op.get("path") == "/auth/params" and isinstance(op.get("value"), dict):
            op["value"] = mask_secrets(op["value"], secrets)
        elif str(op.get("path", "")).startswith("/auth/params/") and op["path"].rsplit("/", 1)[-1] in secrets:
            op["value"] = MASK
    return shown


class TargetSecrets:
    """Target params the targetSpec marks ``format: password``: masked in results, diffs and patches like auth
    secrets, and their values (stored and desired) given to the run's redactor, whose sink is no_log_values."""

    def __init__(self, redactor):
        self.redactor = redactor
        self.names = set()

    def learn(self, current, spec, params):
        names = set(secret_fields(target_schema(spec)))
        self.names.update(names)
        for source in (((current or {}).get("params") or {}), params or {}):
            self.redactor.add_leaves([value for key, value in source.items() if key in names])

    def resource(self, resource):
        """A copy of a target connection with its secret params masked."""
        if not resource or not self.names or not isinstance(resource.get("params"), dict):
            return resource
        return dict(resource, params=mask_secrets(resource["params"], self.names))

    def operations(self, operations):
        """A copy of the operations with the values of secret params masked."""
        shown = copy.deepcopy(operations)
        for op in shown:
            path = str(op.get("path", ""))
            key = path.split("/")[2].replace("~1", "/").replace("~0", "~") if path.startswith("/params/") else None
            if path == "/params" and isinstance(op.get("value"), dict):
                op["value"] = mask_secrets(op["value"], self.names)
            elif key in self.names and "value" in op:
                op["value"] = MASK
        return shown


def target_view(resource):
    """The managed part of a target connection, as the diff shows it."""
    return {k: resource.get(k) for k in ("name", "description", "params")}


def base_view(resource, secrets, operations=None):
    """The managed part of a base connection, as the diff shows it: secrets masked, and marked when sent."""
    masked = mask_connection(resource, secrets)
    auth = dict(masked.get("auth") or {})
    if any(op.get("path") == "/auth/params" for op in operations or []):
        auth["params"] = {k: (MASK + " (new value)" if k in secrets else v) for k, v in auth["params"].items()}
    return {"name": masked.get("name"), "description": masked.get("description"), "auth": auth}
