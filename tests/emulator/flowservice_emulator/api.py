"""The Flow Service routes under ``/data/foundation/flowservice`` (after the gateway checks passed).

* ``GET /{collection}`` and ``GET /{collection}/{id}`` for flows, targetConnections, connections, connectionSpecs,
  and the read-only sourceConnections, flowSpecs and runs; a single resource comes in the ``{"items": [...]}``
  wrapper, like the real API;
* ``PATCH /{collection}/{id}`` for flows, targetConnections, connections (JSON Patch, ``If-Match`` required);
* ``POST /flows/{id}/action?op=enable|disable``.

Dataflow writes are asynchronous at Adobe (``lastOperation``; states ``updating``, ``enabling``,
``disabling``; errors 1416, 1420, 1421 for a write while one is in progress). With the ``settle_ms``
setting above 0 a PATCH or action is acknowledged at once (200 with the new etag, the change visible),
the flow stays in its in-progress state for that long, then returns to ``enabled``/``disabled`` with
``lastOperation.status.value`` ``completed``; finishing does not renew the etag.
"""
from __future__ import annotations

import copy
import threading
import time
from urllib.parse import parse_qsl

from . import errors, patch, query, schema, selectors
from .data import flow_inherited_attributes
from .ims import Client
from .settings import Settings
from .store import FLOW_SPECS, SPECS, Store, now_ms

ROUTED = ("flows", "targetConnections", "connections", SPECS, "sourceConnections", FLOW_SPECS, "runs")
NEWEST_FIRST = ("runs",)  # S2 GET /runs: "The most recently created or updated entities are returned first."
PATCHABLE = {
    "flows": frozenset({"name", "description", "transformations", "scheduleParams", "sourceConnectionIds", "targetConnectionIds", "labels"}),
    "targetConnections": frozenset({"name", "description", "params", "data"}),
    "connections": frozenset({"name", "description", "auth", "encryption"}),
}
PROVIDER_ACTIONS = ("finalize", "finalize_update", "publish")
IN_PROGRESS = ("updating", "enabling", "disabling")
COMMON_FIELDS = frozenset({"id", "name", "description", "state", "createdAt", "updatedAt", "createdBy", "updatedBy", "createdClient",
                           "updatedClient", "sandboxId", "sandboxName", "imsOrgId", "etag", "version"})


def first_token(pointer: str) -> str:
    """The first reference token of a JSON Pointer ('' for the root)."""
    tokens = patch.split_pointer(pointer)
    return tokens[0] if tokens else ""


class FlowService:
    """Flow Service behaviour on top of the store."""

    def __init__(self, store: Store, secrets_mode: str = "masked", settings: Settings | None = None) -> None:
        self.store = store
        self.secrets_mode = secrets_mode
        self.settings = settings or Settings()
        self._pending: dict[tuple[str, str], tuple[float, str]] = {}  # (sandbox, flow id) -> (monotonic deadline, final state)
        self._pending_lock = threading.Lock()

    # ----- asynchronous dataflow writes ------------------------------------------------------
    def settle(self) -> None:
        """Finish the dataflow writes whose settle time has passed (called before serving anything)."""
        now = time.monotonic()
        with self._pending_lock:
            due = [(key, final) for key, (deadline, final) in self._pending.items() if deadline <= now]
            for key, _final in due:
                del self._pending[key]
        for (sandbox, rid), final in due:
            def finish(doc: dict, final: str = final) -> None:
                doc["state"] = final
                doc["lastOperation"] = {**(doc.get("lastOperation") or {}), "updated": now_ms(), "percentCompleted": 100,
                                        "status": {"value": "completed", "properties": None, "errors": []}}
            if self.store.get("flows", sandbox, rid) is not None:
                self.store.update("flows", sandbox, rid, finish, check_version=False, renew=False)

    def forget_pending(self) -> None:
        """Drop every write in progress (the store was reset)."""
        with self._pending_lock:
            self._pending.clear()

    def _begin(self, doc: dict, busy_state: str, operation: str, ops: list[dict] | None = None) -> str | None:
        """Mark a flow write as in progress when a settle time is set; return the state it will end in."""
        stamp = now_ms()
        last = {"started": stamp, "updated": stamp, "percentCompleted": 100,
                "status": {"value": "completed", "properties": None, "errors": []}, "operation": operation}
        if ops is not None:
            last["ops"] = copy.deepcopy(ops)
        final = None
        if self.settings.settle_ms > 0:
            final, doc["state"] = doc.get("state"), busy_state
            last.update(percentCompleted=0, status={"value": "inProgress", "properties": None, "errors": []})
        doc["lastOperation"] = last
        return final

    def _register(self, sandbox: str, rid: str, final: str | None) -> None:
        if final is not None:
            with self._pending_lock:
                self._pending[(sandbox, rid)] = (time.monotonic() + self.settings.settle_ms / 1000, final)

    # ----- rendering -------------------------------------------------------------------------
    def render(self, collection: str, item: dict) -> dict:
        """A stored object as GET returns it, secrets hidden.

        Stored objects are never modified in place, so only what masking changes is copied.
        """
        if collection != "connections" or not isinstance(item.get("auth"), dict) or not isinstance(item["auth"].get("params"), dict):
            return item
        shown = {**item, "auth": {**item["auth"], "params": dict(item["auth"]["params"])}}
        return schema.hide_secrets(shown, self.store.spec((item.get("connectionSpec") or {}).get("id")), self.secrets_mode)

    # ----- routing ---------------------------------------------------------------------------
    def handle(self, method: str, rest: str, raw_query: str, body: object, headers, sandbox: str, client: Client) -> tuple[int, object]:
        """Serve one request; ``rest`` is the path after the API base, without a trailing slash."""
        self.settle()
        parts = [part for part in rest.split("/") if part]
        collection = parts[0] if parts else ""
        if collection not in ROUTED or len(parts) > 3 or (len(parts) == 3 and (collection != "flows" or parts[2] != "action")):
            raise errors.route_not_found(rest or "/")
        actor = (f"{client.client_id}@techacct.adobe.com", client.client_id)
        if len(parts) == 1:
            if method != "GET":
                raise errors.method_not_allowed(method, rest, ["GET"])
            return 200, self.list(collection, sandbox, raw_query)
        if len(parts) == 3:
            if method != "POST":
                raise errors.method_not_allowed(method, rest, ["POST"])
            return 200, self.action(sandbox, parts[1], raw_query, headers.get("If-Match"), actor)
        if method == "GET":
            return 200, self.get(collection, sandbox, parts[1])
        if method == "PATCH" and collection in PATCHABLE:
            return 200, self.patch(collection, sandbox, parts[1], body, headers.get("If-Match"), actor)
        raise errors.method_not_allowed(method, rest, ["GET", "PATCH"] if collection in PATCHABLE else ["GET"])

    # ----- reads -----------------------------------------------------------------------------
    def get(self, collection: str, sandbox: str, rid: str) -> dict:
        """GET by id: the list wrapper around one item."""
        item = self.store.get(collection, sandbox, rid)
        if item is None:
            raise errors.not_found(collection, rid)
        return {"items": [self.render(collection, item)]}

    def list(self, collection: str, sandbox: str, raw_query: str) -> dict:
        """GET a collection with filters, ordering and paging."""
        items = self.store.items(collection, sandbox)
        known = set(COMMON_FIELDS)
        for item in items:
            known.update(item)
        parsed = query.parse(raw_query, known)
        response, page = query.run(items, parsed, collection, newest_first=collection in NEWEST_FIRST)
        if not parsed.count:
            response = {"items": [self.render(collection, item) for item in page], **response}
        return response

    # ----- writes ----------------------------------------------------------------------------
    def patch(self, collection: str, sandbox: str, rid: str, body: object, if_match: str | None, actor: tuple[str, str]) -> dict:
        """PATCH a resource with JSON Patch, guarded by If-Match."""
        if not (if_match or "").strip():
            raise errors.if_match_missing()
        ops = patch.parse_ops(body)
        for op in ops:
            root = first_token(op["path"])
            if root == "connectionSpec":
                raise errors.connection_spec_immutable()
            if root == "":
                raise errors.patch_invalid("the whole document cannot be patched; name a field")
            if root not in PATCHABLE[collection]:
                raise errors.patch_invalid(f'the field "{root}" cannot be updated (path "{op["path"]}")')
        if self.store.get(collection, sandbox, rid) is None:
            raise errors.not_found(collection, rid)
        ending: list[str | None] = [None]

        def change(doc: dict) -> None:
            if collection == "flows":
                state = str(doc.get("state"))
                if state == "updating":
                    raise errors.update_not_allowed()
                if state in IN_PROGRESS:
                    raise errors.state_cannot_be_updated(state)
            self.apply(collection, sandbox, doc, ops)
            if collection == "flows":
                ending[0] = self._begin(doc, "updating", "update", ops)

        updated = self.store.update(collection, sandbox, rid, change, if_match=if_match.strip(), actor=actor)
        self._register(sandbox, rid, ending[0])
        return {"id": rid, "etag": updated["etag"]}

    def apply(self, collection: str, sandbox: str, doc: dict, ops: list[dict]) -> None:
        """Apply ops to ``doc`` (a copy) and check the result against the connection spec."""
        before = copy.deepcopy(doc)
        patch.apply_ops(doc, ops)
        if doc.get("id") != before.get("id"):
            raise errors.patch_invalid('the field "id" cannot be updated')
        for name in ("name", "description"):
            if name in doc and doc.get(name) != before.get(name) and not isinstance(doc[name], str):
                raise errors.patch_invalid(f'Invalid field "{name}": expected string, got {schema.json_type(doc[name])}')
        if collection == "targetConnections" and doc.get("params") != before.get("params"):
            self._check_params(doc)
        if collection == "connections" and doc.get("auth") != before.get("auth"):
            self._check_auth(doc)
        if collection == "flows":
            if (doc.get("sourceConnectionIds"), doc.get("targetConnectionIds")) != (before.get("sourceConnectionIds"), before.get("targetConnectionIds")):
                doc["inheritedAttributes"] = flow_inherited_attributes(
                    doc, lambda coll, cid: self.store.get(coll, sandbox, cid), {spec["id"]: spec for spec in self.store.items(SPECS, sandbox)})
            if doc.get("transformations") != before.get("transformations"):
                selectors.check_and_stamp(doc, before, self.store.spec)

    def _check_params(self, doc: dict) -> None:
        spec = self.store.spec((doc.get("connectionSpec") or {}).get("id"))
        target_schema = ((spec or {}).get("targetSpec") or {}).get("spec")
        if "params" not in doc or not isinstance(target_schema, dict):
            return
        try:
            schema.validate(doc["params"], {**target_schema, "type": "object"}, "params")
        except schema.SchemaViolation as exc:
            raise errors.patch_invalid(str(exc)) from exc

    def _check_auth(self, doc: dict) -> None:
        auth = doc.get("auth")
        if auth is None:
            return
        if not isinstance(auth, dict):
            raise errors.patch_invalid(f'Invalid field "auth": expected object, got {schema.json_type(auth)}')
        spec = self.store.spec((doc.get("connectionSpec") or {}).get("id"))
        if spec is None:
            return
        entry = schema.find_auth_spec(spec, auth.get("specName"))
        if entry is None:
            raise errors.auth_spec_not_found(str(auth.get("specName")), spec["id"])
        if "params" not in auth:
            return
        try:
            schema.validate(auth["params"], {**(entry.get("spec") or {}), "type": "object"}, "auth.params",
                            allowed_extra=schema.SERVER_MANAGED_AUTH_KEYS)
        except schema.SchemaViolation as exc:
            raise errors.patch_invalid(str(exc)) from exc

    def action(self, sandbox: str, rid: str, raw_query: str, if_match: str | None, actor: tuple[str, str]) -> dict:
        """POST /flows/{id}/action?op=enable|disable."""
        params = dict(parse_qsl(raw_query, keep_blank_values=True))
        op = params.get("op", "")
        action = op.lower()
        if not action:
            raise errors.invalid_query_value("op", op)
        if action in PROVIDER_ACTIONS:
            raise errors.action_provider_only(action)
        if action not in ("enable", "disable"):
            raise errors.unsupported_op(op)
        if params.get("subOp"):
            raise errors.unsupported_sub_op(params["subOp"], action)
        if self.store.get("flows", sandbox, rid) is None:
            raise errors.not_found("flows", rid)
        wanted = "enabled" if action == "enable" else "disabled"
        ending: list[str | None] = [None]

        def change(doc: dict) -> None:
            state = str(doc.get("state"))
            if state in IN_PROGRESS:
                raise errors.state_cannot_be_transitioned(state)
            if state == wanted or state not in ("enabled", "disabled"):
                raise errors.action_not_allowed(action, state)
            doc["state"] = wanted
            ending[0] = self._begin(doc, action[:-1] + "ing", action)  # enabling, disabling

        given = (if_match or "").strip()
        updated = self.store.update("flows", sandbox, rid, change, if_match=given, check_version=bool(given), actor=actor)
        self._register(sandbox, rid, ending[0])
        return {"id": rid, "etag": updated["etag"]}
