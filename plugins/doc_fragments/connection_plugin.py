# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aep.flow_service contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    # pylint: disable=too-few-public-methods

    # The shared connection options of doc_fragments/connection.py, for plugins (inventory, lookup...): plugins
    # read environment variables through their configuration system, so each option names its variable in env.
    DOCUMENTATION = r"""
options:
  access_token:
    description:
      - A ready IMS access token, sent in the C(Authorization) header as a bearer token.
      - Use either this or O(client_secret), not both. A token cannot be renewed by the collection.
    type: str
    env:
      - name: AEP_ACCESS_TOKEN
  client_id:
    description:
      - The client id (API key) of the Adobe Developer Console project with an OAuth Server-to-Server credential.
      - Always required; it is also sent as the C(x-api-key) header.
    type: str
    env:
      - name: AEP_CLIENT_ID
  client_secret:
    description:
      - The client secret of that credential, exchanged at O(ims_url) for an access token.
      - Prefer the environment variable (an AWX credential injects it) to writing the secret in the source file.
    type: str
    env:
      - name: AEP_CLIENT_SECRET
  scopes:
    description:
      - Comma-separated scopes requested with the token.
    type: str
    default: openid,AdobeID,read_organizations,additional_info.projectedProductContext,session
    env:
      - name: AEP_SCOPES
  org_id:
    description:
      - The IMS organization id, ending in C(@AdobeOrg), sent as C(x-gw-ims-org-id).
    type: str
    env:
      - name: AEP_ORG_ID
  sandbox:
    description:
      - The sandbox the resources live in, sent as C(x-sandbox-name) on every request.
    type: str
    default: prod
    env:
      - name: AEP_SANDBOX_NAME
  platform_url:
    description:
      - Base URL of Experience Platform; the Flow Service lives at C(/data/foundation/flowservice) below it.
      - A plain C(http) URL draws a warning unless it points at the local machine (the emulator).
      - A URL holding a user name or password (C(https://user:password@host)) is refused; credentials go in
        O(client_id) and O(client_secret).
    type: str
    default: https://platform.adobe.io
    env:
      - name: AEP_PLATFORM_URL
  ims_url:
    description:
      - Base URL of Adobe IMS, where tokens are minted at C(/ims/token/v3).
      - Like O(platform_url), it must not hold a user name or password.
    type: str
    default: https://ims-na1.adobelogin.com
    env:
      - name: AEP_IMS_URL
  validate_certs:
    description:
      - Whether to verify the servers' TLS certificates. Turning it off draws a warning; prefer O(ca_path).
    type: bool
    default: true
    env:
      - name: AEP_VALIDATE_CERTS
  ca_path:
    description:
      - A CA bundle file to verify the servers' certificates with, for example a corporate proxy's CA.
    type: path
    env:
      - name: AEP_CA_PATH
  timeout:
    description:
      - Seconds to wait for each HTTP response; more than 0 and at most 86400 (a day).
    type: float
    default: 30
    env:
      - name: AEP_TIMEOUT
  retries:
    description:
      - How many times a request is retried after HTTP 429, 502, 503, 504, a dropped connection or a timeout,
        with exponential backoff and jitter, honouring C(Retry-After). Other errors, including 412, are never retried.
    type: int
    default: 4
    env:
      - name: AEP_RETRIES
  token_cache:
    description:
      - Keep the token minted from O(client_secret) in a file and reuse it until five minutes before it expires.
        The file is shared with the modules, so with E(AEP_TOKEN_CACHE=1) set for the whole job the plugin and
        every task, fork and play after it share one token request.
      - The file is C($XDG_CACHE_HOME/aep.flow_service/token-<hash>.json) (default C(~/.cache/aep.flow_service)),
        mode 0600 in a 0700 folder, named by a hash of the credentials.
      - The cost in security is that a bearer token, valid for up to 24 hours, rests on the controller's disk,
        readable by the controller user. In AWX the job's container, and so the file, ends with the job.
    type: bool
    default: false
    env:
      - name: AEP_TOKEN_CACHE
notes:
  - Every request carries C(x-sandbox-name).
seealso:
  - name: Flow Service API reference
    description: Adobe's reference of the Flow Service API.
    link: https://developer.adobe.com/experience-platform-apis/references/flow-service/
"""
