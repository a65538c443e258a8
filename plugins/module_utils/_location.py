# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aep.flow_service contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils file is private to the collection: its interface may change without notice.

"""What a destination is and where it exports: its connection spec's name and its non-secret target params.

Shared by aep_flow_info and the aep_flows inventory plugin, so that both name a destination the same way and
both leave out every value a connection spec marks secret.
"""

from __future__ import annotations

from ansible_collections.aep.flow_service.plugins.module_utils._schema import MASK, secret_fields, target_schema

# The target params that say where files land, as Adobe's cloud-storage connection specs name them
# (bucketName for Amazon S3 and Google Cloud Storage, container for Azure Blob, remotePath for SFTP, and
# path for all but SFTP). Other destinations (advertising, social) have no location of this kind.
LOCATION_KEYS = ("bucketName", "container", "remotePath", "path")


def flow_targets(flow):
    """One entry per target connection of a dataflow, in the order of targetConnectionIds.

    Each has the target connection id, its connection spec id and the id of the base connection behind it,
    all read from the dataflow itself (inheritedAttributes), so no extra request is made.
    """
    inherited = {}
    for target in (flow.get("inheritedAttributes") or {}).get("targetConnections") or []:
        if isinstance(target, dict) and target.get("id"):
            inherited[target["id"]] = target
    ids = list(flow.get("targetConnectionIds") or inherited)
    entries = []
    for target_id in ids:
        target = inherited.get(target_id) or {}
        entries.append({
            "target_connection_id": target_id,
            "spec_id": (target.get("connectionSpec") or {}).get("id"),
            "base_connection_id": (target.get("baseConnection") or {}).get("id"),
        })
    return entries


def spec_name(spec):
    """The destination's kind as people know it (the connection spec's name, such as "Amazon S3"), or None."""
    name = (spec or {}).get("name")
    return name if isinstance(name, str) and name else None


def public_params(params, spec):
    """The target params without any the spec marks secret (format: password) and without masked values."""
    secrets = set(secret_fields(target_schema(spec)))
    return {k: v for k, v in (params or {}).items() if k not in secrets and v != MASK}


def location_params(params):
    """The params that say where a file destination writes (bucket, container, remote path, path)."""
    return {k: params[k] for k in LOCATION_KEYS if k in (params or {})}
