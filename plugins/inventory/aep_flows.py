# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aep.flow_service contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: aep_flows
short_description: Adobe Experience Platform destination dataflows as inventory hosts
version_added: 1.0.0
description:
  - Makes every destination dataflow of one or more sandboxes a host, so that a play targets destinations as hosts,
    runs them in parallel with forks, and AWX can slice the job across execution nodes.
  - "Each host gets these variables: C(aep_flow_id), C(aep_flow_name), C(aep_flow_state) (V(enabled) or V(disabled)),
    C(aep_flow_spec_id), C(aep_destination_spec_id) (the connection spec of the flow's first target connection),
    C(aep_destination_name) (that spec's name, such as V(Amazon S3), which is the destination type; the spec id when
    the spec cannot be found), C(aep_target_connection_ids) and C(aep_base_connection_ids) (lists),
    C(aep_target_connection_id) and C(aep_base_connection_id) (the id when there is exactly one, else null),
    C(aep_destination_params) (the params of the first target connection, without any its connection spec marks
    secret), C(aep_destination_location) (where a file destination writes: those of C(bucketName), C(container),
    C(remotePath) and C(path) it has, else empty),
    and C(aep_sandbox) (the sandbox it was read from: pass it on as the modules' C(sandbox))."
  - Each host is put in groups by destination type, state and sandbox (see O(group_prefix)).
    O(compose), O(groups) and O(keyed_groups) add variables and groups of your own.
  - Tasks run on the controller against the API (see O(local_connection)); the connection options of the modules
    (for example from the same E(AEP_*) environment variables) are not hostvars, so no secret is in the inventory.
  - Reads, per sandbox, one page of 100 dataflows per request and their target connections, 50 ids per request
    (a C(property=id==...) filter), then each distinct destination connection spec once (for its name and to
    know which params are secret), plus one token request unless O(access_token) is given or O(token_cache) has
    a valid token.
  - The source file name must end in C(.aep_flows.yml) or C(.aep_flows.yaml).
  - When a request fails (a wrong secret, a sandbox that does not exist or that the credential cannot read), the
    whole source fails with a parse error naming the cause, also when the other sandboxes could be read, because
    a partial inventory would quietly leave destinations out of a job. Ansible only warns about a source that
    fails and then runs plays on no hosts with exit code 0; set E(ANSIBLE_INVENTORY_UNPARSED_FAILED=true)
    (C([inventory] unparsed_is_failed)), or E(ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED=true) when other sources
    are given too, to make it fatal. AWX sets the first for inventory updates, so the update fails and the
    inventory keeps its last hosts.
author:
  - aep.flow_service contributors (@aep-flow-service)
requirements:
  - requests (Python library on the controller)
extends_documentation_fragment:
  - aep.flow_service.connection
  - aep.flow_service.connection.plugins
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
options:
  plugin:
    description: Marks the file as a source for this plugin.
    required: true
    type: str
    choices: [aep.flow_service.aep_flows]
  sandboxes:
    description:
      - The sandboxes to read dataflows from, in order. Every host records its sandbox in C(aep_sandbox).
      - When not set, the single sandbox of O(sandbox) (E(AEP_SANDBOX_NAME), default V(prod)).
    type: list
    elements: str
  hostnames:
    description:
      - What to name each host.
      - V(id) uses the dataflow id, which never changes and is unique across sandboxes.
      - V(name) uses the dataflow name made fit for host patterns (every run of characters other than letters,
        digits, C(.), C(_) and C(-) becomes C(_), so V(2021 winter campaign) is C(2021_winter_campaign)) when no
        other dataflow in this source gets the same host name (compared across all O(sandboxes)), and the id for
        the dataflows that would share one, so a host name always means one dataflow. C(aep_flow_name) keeps the
        name as it is.
    type: str
    choices: [id, name]
    default: id
  property:
    description:
      - Flow Service property filters (the C(property) query parameter, for example V(state==enabled)),
        ANDed with each other and with the filter that keeps destination dataflows only.
    type: list
    elements: str
    default: []
  group_prefix:
    description:
      - Prefix of the groups this plugin makes on its own, C(<prefix>flows) (every host),
        C(<prefix>destination_<destination>) (for example C(aep_destination_amazon_s3)),
        C(<prefix>state_<state>) and C(<prefix>sandbox_<sandbox>).
      - Destination names and values are lower-cased, and characters other than letters, digits and C(_)
        become C(_).
    type: str
    default: aep_
  local_connection:
    description:
      - Set C(ansible_connection=local) and C(ansible_python_interpreter={{ ansible_playbook_python }}) on every host,
        so tasks run on the controller, in the Python that runs Ansible (which has C(requests)), with forks.
      - Without them Ansible would try to SSH to a host named after a dataflow.
      - A C(compose) entry for either variable overrides this default for the hosts it applies to.
    type: bool
    default: true
"""

EXAMPLES = r"""
# flows.aep_flows.yml: every destination dataflow of prod, named by id; credentials from the AEP_* environment
plugin: aep.flow_service.aep_flows

---
# Two sandboxes in one source, hosts named by dataflow name, cached for an hour
plugin: aep.flow_service.aep_flows
sandboxes: [prod, dev]
hostnames: name
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/aep.flow_service/inventory
cache_timeout: 3600

---
# Enabled Amazon S3 exports only, with groups of your own
plugin: aep.flow_service.aep_flows
property:
  - state==enabled
groups:
  s3_exports: aep_destination_name == 'Amazon S3'
keyed_groups:
  - key: aep_destination_name
    prefix: dest
  # One group per S3 bucket or Azure container, e.g. bucket_acme_winter_campaign
  - key: aep_destination_location.bucketName | default(aep_destination_location.container | default(''))
    prefix: bucket
compose:
  # The bucket team that owns the flow, from a naming convention "<team> - <campaign>"
  owner: aep_flow_name.split(' - ')[0] | lower

---
# An AWX / Automation Controller inventory source ("Sourced from a Project"): commit this file as
# inventories/aep.aep_flows.yml in the project; attach a credential of the collection's custom credential type
# (extensions/awx/credential_type.yml, it injects the AEP_* variables) to the inventory source AND to the job
# template; use an execution environment built from the collection's meta/execution-environment.yml.
# Turn on "Update on launch" so a job sees the current dataflows; job slicing then splits the hosts.
plugin: aep.flow_service.aep_flows
sandboxes: [prod]
hostnames: name
keyed_groups:
  - key: aep_destination_name
    prefix: destination

# The play that runs against these hosts, forks in parallel, one token for the whole job with
# AEP_TOKEN_CACHE=1 (the plugin mints it, every task reuses it). The inventory already knows each flow's
# target connections, so id saves the read of the flow that flow_id would cost. Loop over
# aep_target_connection_ids: aep_target_connection_id is null on a dataflow with several target connections
# (the modules refuse the "None" it renders as, before any request).
# - name: Move every S3 export of the inventory to a new path
#   hosts: aep_destination_amazon_s3
#   gather_facts: false
#   module_defaults:
#     group/aep.flow_service.aep:
#       sandbox: "{{ aep_sandbox }}"
#   tasks:
#     - name: Set the export path of each target connection of the dataflow
#       aep.flow_service.aep_target_connection:
#         id: "{{ item }}"
#         params:
#           path: exports/2027
#       loop: "{{ aep_target_connection_ids }}"
"""

import re

try:
    import requests  # noqa: F401, pylint: disable=unused-import
except ImportError:
    HAS_REQUESTS = False
else:
    HAS_REQUESTS = True

from ansible.errors import AnsibleError, AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.template import trust_as_template

from ansible_collections.aep.flow_service.plugins.module_utils._api import Api
from ansible_collections.aep.flow_service.plugins.module_utils._client import ApiError
from ansible_collections.aep.flow_service.plugins.module_utils._errors import AepError, NotFound, failure
from ansible_collections.aep.flow_service.plugins.module_utils._connections import base_connection_ids
from ansible_collections.aep.flow_service.plugins.module_utils._location import (
    location_params,
    public_params,
    spec_name,
)
from ansible_collections.aep.flow_service.plugins.module_utils._options import (
    CONNECTION_OPTION_NAMES,
    check_connection_options,
)
from ansible_collections.aep.flow_service.plugins.module_utils._specs import spec_ref

DESTINATION_FILTER = "inheritedAttributes.properties.isDestinationFlow==true"
FILE_SUFFIXES = (".aep_flows.yml", ".aep_flows.yaml")
# Target connections are read by id with one filter per this many ids: ~2 KB of query, well within URL limits.
TARGET_IDS_PER_REQUEST = 50


def flow_vars(flow, sandbox):
    """The host variables of one dataflow, without the destination name (looked up once per spec)."""
    targets = [t for t in (flow.get("inheritedAttributes") or {}).get("targetConnections") or [] if isinstance(t, dict)]
    target_ids = list(flow.get("targetConnectionIds") or [t["id"] for t in targets if t.get("id")])
    base_ids = base_connection_ids(flow)
    spec_id = None
    for target in targets:
        spec_id = (target.get("connectionSpec") or {}).get("id")
        if spec_id:
            break
    return {
        "aep_flow_id": flow.get("id"),
        "aep_flow_name": flow.get("name"),
        "aep_flow_state": flow.get("state"),
        "aep_flow_spec_id": (flow.get("flowSpec") or {}).get("id"),
        "aep_destination_spec_id": spec_id,
        "aep_target_connection_ids": target_ids,
        "aep_target_connection_id": target_ids[0] if len(target_ids) == 1 else None,
        "aep_base_connection_ids": base_ids,
        "aep_base_connection_id": base_ids[0] if len(base_ids) == 1 else None,
        "aep_sandbox": sandbox,
    }


def read_targets(client, ids):
    """The target connections with these ids: a property=id==a,b,... filter per TARGET_IDS_PER_REQUEST ids.

    Adobe documents the filter syntax for every list, not which properties each list filters on; should the
    service refuse an id filter (400), each connection is read by id instead, as documented.
    """
    found = []
    try:
        for start in range(0, len(ids), TARGET_IDS_PER_REQUEST):
            chunk = ids[start:start + TARGET_IDS_PER_REQUEST]
            found.extend(client.list_items("targetConnections", {"property": ["id==" + ",".join(chunk)]}))
    except ApiError as exc:
        if exc.status != 400:
            raise
        found = [t for t in (client.get_item("targetConnections", i) for i in ids) if t]
    return found


def pattern_safe(name):
    """A dataflow name as a host name that host patterns can address (no spaces, commas, colons...)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name or "").strip("_")


def host_names(records, mode):
    """One host name per record: the id, or (``mode == 'name'``) the safe name when no other record shares it."""
    if mode != "name":
        return [r["aep_flow_id"] for r in records]
    names = [pattern_safe(r["aep_flow_name"]) for r in records]
    counts = {}
    for name in names:
        counts[name] = counts.get(name, 0) + 1
    return [name if name and counts[name] == 1 else r["aep_flow_id"] for name, r in zip(names, records)]


def slug(value):
    """A group-name-safe, lower-case form of a destination name, state or sandbox."""
    return re.sub(r"[^a-z0-9_]+", "_", str(value).lower()).strip("_") or "unknown"


# Ansible only warns about a source that fails, then runs the play on no hosts and exits 0: say how to make it fatal.
UNPARSED_NOTE = ("The inventory source gives no host at all (one sandbox that fails fails them all). Ansible only "
                 "warns about it and then runs plays on no hosts; set ANSIBLE_INVENTORY_UNPARSED_FAILED=true (or "
                 "ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED=true when there are other sources) to make it an error. "
                 "AWX inventory updates fail on it.")


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):

    NAME = "aep.flow_service.aep_flows"

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(FILE_SUFFIXES)

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)

        cache_key = self.get_cache_key(path)
        use_cache = self.get_option("cache") and cache
        update_cache = self.get_option("cache") and not cache
        records = None
        if use_cache:
            try:
                records = self._cache[cache_key]
            except KeyError:
                update_cache = True
        if records is None:
            records = self.fetch_records()
        if update_cache:
            self._cache[cache_key] = records
        self.populate(records)

    # --- reading ------------------------------------------------------------------------------------------------

    def connection_options(self):
        """The shared connection options as the client wants them; fails before any request when they are wrong."""
        options = {name: self.get_option(name) for name in CONNECTION_OPTION_NAMES}
        errors, warnings = check_connection_options(options)
        if errors:
            raise AnsibleParserError("Invalid connection options for %s: %s." % (self.NAME, "; ".join(errors)))
        for warning in warnings:
            self.display.warning(warning)
        return options

    def fetch_records(self):
        """Read the destination dataflows of every sandbox; return one dict of host variables per dataflow."""
        if not HAS_REQUESTS:
            raise AnsibleError("The %s inventory plugin needs the Python library requests on the controller "
                               "(in the execution environment): pip install requests" % self.NAME)
        options = self.connection_options()
        sandboxes = []
        for sandbox in self.get_option("sandboxes") or [options["sandbox"]]:
            if not sandbox or not sandbox.strip():
                raise AnsibleParserError("sandboxes must not hold an empty name")
            if sandbox not in sandboxes:
                sandboxes.append(sandbox)
        query = {"property": list(self.get_option("property")) + [DESTINATION_FILTER]}
        records, targets, specs = [], {}, {}
        # One token holder, one throttle and one reading of each spec for every sandbox and page.
        api = Api(options, warn=self.display.warning)
        try:
            for sandbox in sandboxes:
                self.read_sandbox(api, sandbox, query, records, targets, specs)
        finally:
            api.close()
        for record in records:
            spec_id = record["aep_destination_spec_id"]
            spec = specs.get(spec_id)
            record["aep_destination_name"] = spec_name(spec) or spec_id
            first = record["aep_target_connection_ids"][:1]
            target = targets.get((record["aep_sandbox"], first[0])) if first else None
            params = public_params((target or {}).get("params"), spec)
            record["aep_destination_params"] = params
            record["aep_destination_location"] = location_params(params)
        self.display.vvv("%s: %d destination dataflows from %d sandbox(es) in %d requests" % (
            self.NAME, len(records), len(sandboxes), api.request_count))
        return records

    @staticmethod
    def read_sandbox(api, sandbox, query, records, targets, specs):
        """Add the sandbox's dataflows to ``records``, the first target connection of each to ``targets`` and
        the specs they name to ``specs`` (None for a spec the API does not have)."""
        client = api.client_for(sandbox)
        action = "Reading the destination dataflows of sandbox %s" % sandbox
        try:
            seen = {record["aep_flow_id"] for record in records}
            versions = {}
            for flow in client.list_items("flows", query):
                if flow.get("id") in seen:
                    continue
                seen.add(flow.get("id"))
                records.append(flow_vars(flow, sandbox))
                for target in (flow.get("inheritedAttributes") or {}).get("targetConnections") or []:
                    spec_id, version = spec_ref(target)
                    versions.setdefault(spec_id, version)
            action = "Reading the target connections of sandbox %s" % sandbox
            wanted = [r["aep_target_connection_ids"][0] for r in records
                      if r["aep_sandbox"] == sandbox and r["aep_target_connection_ids"]]
            for target in read_targets(client, wanted):
                targets[(sandbox, target.get("id"))] = target
            # Connection specs are global; read each distinct one once, whatever sandbox first shows it.
            for record in records:
                spec_id = record["aep_destination_spec_id"]
                if spec_id and spec_id not in specs:
                    action = "Reading connection spec %s" % spec_id
                    try:
                        specs[spec_id] = api.specs.get(spec_id, client, versions.get(spec_id))
                    except NotFound:
                        specs[spec_id] = None
        except AepError as exc:
            # One sandbox that fails fails the whole source: a partial inventory would quietly shrink the set
            # of destinations a job acts on (and an AWX update with "Overwrite" would delete the others' hosts).
            raise AnsibleParserError("%s %s" % (failure(exc, action)[0], UNPARSED_NOTE)) from None

    # --- building the inventory ---------------------------------------------------------------------------------

    def populate(self, records):
        prefix = self.get_option("group_prefix")
        strict = self.get_option("strict")
        local = self.get_option("local_connection")
        all_group = self.inventory.add_group(self._sanitize_group_name(prefix + "flows"))
        for name, record in zip(host_names(records, self.get_option("hostnames")), records):
            host = self.inventory.add_host(name, group=all_group)
            for key, value in record.items():
                self.inventory.set_variable(host, key, value)
            if local:
                self.inventory.set_variable(host, "ansible_connection", "local")
                self.inventory.set_variable(host, "ansible_python_interpreter",
                                            trust_as_template("{{ ansible_playbook_python }}"))
            for kind, value in (("destination", record.get("aep_destination_name")),
                                ("state", record.get("aep_flow_state")),
                                ("sandbox", record.get("aep_sandbox"))):
                if value:
                    group = self.inventory.add_group(self._sanitize_group_name("%s%s_%s" % (prefix, kind, slug(value))))
                    self.inventory.add_child(group, host)
            hostvars = self.inventory.get_host(host).get_vars()
            self._set_composite_vars(self.get_option("compose"), hostvars, host, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), hostvars, host, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), hostvars, host, strict=strict)
