# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aep.flow_service contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils file is private to the collection: its interface may change without notice.

"""A resource kind, once: what the write loop, the single modules and the batch need to know of it.

A kind holds its collection and label, how to compute the operations that bring a resource to the options given,
its view for diffs and results, and its masking. ``converge_and_exit`` (_module.py) and the batch
(_destinations.py) both drive it; the dataflow's kind is in _flow.py.
"""

from __future__ import annotations

from ansible_collections.aep.flow_service.plugins.module_utils._connections import (
    TargetSecrets,
    base_operations,
    base_view,
    connection_secrets,
    mask_connection,
    mask_operations,
    removed_params,
    target_operations,
    target_view,
    uncompared_warning,
)
from ansible_collections.aep.flow_service.plugins.module_utils._converge import converge
from ansible_collections.aep.flow_service.plugins.module_utils._specs import spec_ref


class Kind:
    """One resource of a kind, to be brought to the options given. Subclasses set the class attributes and
    ``operations``; the views default to the resource as it is (nothing secret in it)."""

    collection = None  # the API's collection: targetConnections
    label = None  # the kind in messages: target connection
    result_key = None  # the single module's result key: target_connection

    def __init__(self, specs=None, client=None):
        """``specs`` (a _specs.SpecReader) and ``client`` (this thread's) read the connection specs."""
        self.specs = specs
        self.client = client
        self.kept_spec_used = False

    def converge(self, item_id, check_mode):
        """converge() for this resource through the kind's client: GET, compare, PATCH with If-Match (_converge.py)."""
        return converge(self.client, self.collection, item_id, self.compute, check_mode, self.label)

    def compute(self, current):
        """The operations for ``current``. A spec kept from an earlier task may show that nothing changes; when
        something does, the operations are computed again with the spec read now (see _specs.py)."""
        self.kept_spec_used = False
        operations = self.operations(current, fresh=False)
        if operations and self.kept_spec_used:
            operations = self.operations(current, fresh=True)
        return operations

    def spec(self, connection, fresh=False):
        """The connection spec ``connection`` (or a flow's target connection entry) follows."""
        spec = self.specs.for_connection(connection, self.client, fresh)
        if not self.specs.is_fresh(spec_ref(connection)[0]):
            self.kept_spec_used = True
        return spec

    def operations(self, current, fresh):
        raise NotImplementedError

    def view(self, resource, operations=None):
        """The managed part of ``resource`` as a diff shows it; ``operations``: those sent to reach it."""
        return resource

    def shown(self, resource):
        """The whole resource as a result returns it."""
        return resource

    def shown_operations(self, operations):
        """The operations as a result and a report show them."""
        return operations

    def extra_result(self, operations):
        """More keys of the single module's result."""
        return {}

    def warnings(self, what):
        """Warnings for the person running it, each starting with ``what`` (the resource or the item's label)."""
        return []


class TargetConnection(Kind):
    """Name, description and params (merged key by key at every level); params the spec marks secret masked."""

    collection, label, result_key = "targetConnections", "target connection", "target_connection"

    def __init__(self, specs, client, params=None, purge_params=False, name=None, description=None,
                 allow_undeclared=()):
        super().__init__(specs, client)
        self.params, self.purge_params = params, purge_params
        self.name, self.description = name, description
        self.allow_undeclared = allow_undeclared or ()
        self.secrets = TargetSecrets(client.redactor)

    def operations(self, current, fresh):
        spec = self.spec(current, fresh)  # also without params: it says which stored params are secret
        self.secrets.learn(current, spec, self.params)
        return target_operations(current, spec if self.params is not None else None, self.params, self.purge_params,
                                 self.name, self.description, self.allow_undeclared)

    def view(self, resource, operations=None):
        return target_view(self.secrets.resource(resource))

    def shown(self, resource):
        return self.secrets.resource(resource)

    def shown_operations(self, operations):
        return self.secrets.operations(operations)

    def extra_result(self, operations):
        return {"removed_params": removed_params(operations)}


class BaseConnection(Kind):
    """Name, description and the auth params, sent whole with every secret; secrets masked everywhere."""

    collection, label, result_key = "connections", "base connection", "base_connection"

    def __init__(self, specs, client, auth_params=None, update_secrets="always", name=None, description=None,
                 allow_undeclared=()):
        super().__init__(specs, client)
        self.auth_params, self.update_secrets = auth_params, update_secrets
        self.name, self.description = name, description
        self.allow_undeclared = allow_undeclared or ()
        self.secrets = set()

    def operations(self, current, fresh):
        spec = self.spec(current, fresh)
        self.secrets.update(connection_secrets(current, spec))
        return base_operations(current, spec, self.auth_params, self.update_secrets, self.name, self.description,
                               self.allow_undeclared)

    def view(self, resource, operations=None):
        return base_view(resource, self.secrets, operations)

    def shown(self, resource):
        return mask_connection(resource, self.secrets)

    def shown_operations(self, operations):
        return mask_operations(operations, self.secrets)

    def warnings(self, what):
        warning = uncompared_warning(what, self.auth_params, self.secrets, self.update_secrets)
        return [warning] if warning else []
