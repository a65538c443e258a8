"""Adobe's six published cloud-storage connection specs and the demo destination of each (standard library only).

The emulator serves these specs as ``demo_data.yaml`` holds them: ``authSpec``, ``encryptionSpecs`` and
``targetSpec.spec`` exactly as ``../shared/reference/connection-specs/*.json`` publish them. ``reference(name)``
reads such a file (with Adobe's request examples) when the shared reference folder is beside the checkout,
else returns None, so tests that compare with it can skip.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "connection-specs"


@dataclass(frozen=True)
class Destination:
    """One published destination: its spec and the demo dataflow, target and base connection that use it."""

    name: str           # file name in the reference folder, without .json
    spec_id: str
    sandbox: str
    flow: str
    target: str
    base: str
    auth_spec: str | None       # auth.specName of the demo base connection (None: the spec has no authSpec)
    location: tuple             # the target params that say where files go

    def reference(self):
        return reference(self.name)


DESTINATIONS = (
    Destination("amazon-s3", "4fce964d-3f37-408f-9778-e597338a21ee", "prod", "226fb2e1-db69-4760-b67e-9e671e05abfc",
                "8ce3dc63-3766-4220-9f61-51d2f8f14618", "7fbf542b-83ed-498f-8838-8fde0c4d4d69", "Access Key",
                ("bucketName", "path")),
    Destination("azure-blob", "6d6b59bf-fb58-4107-9064-4d246c0e5bb2", "prod", "00000002-0000-4000-8000-000000000001",
                "00000002-0000-4000-8000-000000000002", "00000002-0000-4000-8000-000000000003", "ConnectionString",
                ("container", "path")),
    Destination("adls-gen2", "be2c3209-53bc-47e7-ab25-145db8b873e1", "cloud", "00000011-0000-4000-8000-000000000001",
                "00000011-0000-4000-8000-000000000002", "00000011-0000-4000-8000-000000000003",
                "Azure Service Principal Auth", ("path",)),
    Destination("data-landing-zone", "10440537-2a7b-4583-ac39-ed38d4b848e8", "cloud", "00000012-0000-4000-8000-000000000001",
                "00000012-0000-4000-8000-000000000002", "00000012-0000-4000-8000-000000000003", None, ("path",)),
    Destination("google-cloud-storage", "c5d93acb-ea8b-4b14-8f53-02138444ae99", "cloud", "00000013-0000-4000-8000-000000000001",
                "00000013-0000-4000-8000-000000000002", "00000013-0000-4000-8000-000000000003",
                "Google Cloud Storage authentication credentials", ("bucketName", "path")),
    Destination("sftp", "36965a81-b1c6-401b-99f8-22508f1e6a26", "cloud", "00000014-0000-4000-8000-000000000001",
                "00000014-0000-4000-8000-000000000002", "00000014-0000-4000-8000-000000000003", "SFTP with Password",
                ("remotePath",)),
)

BY_NAME = {destination.name: destination for destination in DESTINATIONS}


def reference(name: str) -> dict | None:
    """The published file ``name``.json, or None when the shared reference folder is absent."""
    path = REFERENCE / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
