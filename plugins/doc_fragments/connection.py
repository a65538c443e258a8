# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aep.flow_service contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    # pylint: disable=too-few-public-methods

    DOCUMENTATION = r"""
options:
  access_token:
    description:
      - A ready IMS access token, sent in the C(Authorization) header as a bearer token.
      - Use either this or O(client_secret), not both. A token cannot be renewed by the collection, so a long
        play should rather use O(client_secret) with O(token_cache=true).
      - If not set, the value of the E(AEP_ACCESS_TOKEN) environment variable is used.
    type: str
  client_id:
    description:
      - The client id (API key) of the Adobe Developer Console project with an OAuth Server-to-Server credential.
      - Always required; it is also sent as the C(x-api-key) header.
      - If not set, the value of the E(AEP_CLIENT_ID) environment variable is used.
    type: str
  client_secret:
    description:
      - The client secret of that credential, exchanged at O(ims_url) for an access token.
      - If not set, the value of the E(AEP_CLIENT_SECRET) environment variable is used.
    type: str
  scopes:
    description:
      - Comma-separated scopes requested with the token.
      - If not set, the value of the E(AEP_SCOPES) environment variable is used.
    type: str
    default: openid,AdobeID,read_organizations,additional_info.projectedProductContext,session
  org_id:
    description:
      - The IMS organization id, ending in C(@AdobeOrg), sent as C(x-gw-ims-org-id).
      - If not set, the value of the E(AEP_ORG_ID) environment variable is used.
    type: str
  sandbox:
    description:
      - The sandbox the resources live in, sent as C(x-sandbox-name) on every request.
      - If not set, the value of the E(AEP_SANDBOX_NAME) environment variable is used.
    type: str
    default: prod
  platform_url:
    description:
      - Base URL of Experience Platform; the Flow Service lives at C(/data/foundation/flowservice) below it.
      - A plain C(http) URL draws a warning unless it points at the local machine (the emulator).
      - A URL holding a user name or password (C(https://user:password@host)) is refused; credentials go in
        O(client_id) and O(client_secret).
      - If not set, the value of the E(AEP_PLATFORM_URL) environment variable is used.
    type: str
    default: https://platform.adobe.io
  ims_url:
    description:
      - Base URL of Adobe IMS, where tokens are minted at C(/ims/token/v3).
      - Like O(platform_url), it must not hold a user name or password.
      - If not set, the value of the E(AEP_IMS_URL) environment variable is used.
    type: str
    default: https://ims-na1.adobelogin.com
  validate_certs:
    description:
      - Whether to verify the servers' TLS certificates. Turning it off draws a warning; prefer O(ca_path).
      - If not set, the value of the E(AEP_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - A CA bundle file to verify the servers' certificates with, for example a corporate proxy's CA.
      - If not set, the value of the E(AEP_CA_PATH) environment variable is used.
    type: path
  timeout:
    description:
      - Seconds to wait for each HTTP response; more than 0 and at most 86400 (a day).
      - If not set, the value of the E(AEP_TIMEOUT) environment variable is used.
    type: float
    default: 30
  retries:
    description:
      - How many times a request is retried after HTTP 429, 502, 503, 504, a dropped connection or a timeout,
        with exponential backoff and jitter, honouring C(Retry-After). Other errors, including 412, are never retried.
      - A 429 (throttled) pauses every request of the run, not only the one that got it, for its C(Retry-After)
        (else a growing, jittered pause), and halves the number of requests in flight, which then grows again by
        one after each run of answers without a 429. While other requests of the run get through, a 429 does not
        count as a retry; when none has got through for two minutes, the throttled requests fail, saying so.
        V(0) turns retries off, 429 included.
      - If not set, the value of the E(AEP_RETRIES) environment variable is used.
    type: int
    default: 4
  token_cache:
    description:
      - Keep the token minted from O(client_secret) in a file and reuse it in every task, fork and play until
        five minutes before it expires, so a play that runs a module 1,000 times makes one token request.
      - The inventory plugin shares the file with the modules, so with E(AEP_TOKEN_CACHE=1) set for the whole job
        the inventory and every task after it share one token request.
      - The file is C($XDG_CACHE_HOME/aep.flow_service/token-<hash>.json) (default C(~/.cache/aep.flow_service)),
        mode 0600 in a 0700 folder, named by a hash of the credentials.
      - The folder is used only if it belongs to the controller user and group and others have no access to it;
        otherwise the module warns and does not cache. A cache file that is a symlink, or that another user could
        have written, is never read.
      - The cost in security is that a bearer token, valid for up to 24 hours, rests on the controller's disk,
        readable by the controller user. In AWX the job's container, and so the file, ends with the job.
      - Connection specs (which params a destination takes, which are secret) are kept in the same folder, by
        platform, org, spec id and version, for a day, so a task that changes nothing reads none. A kept spec never
        decides a change - before anything is written, or predicted in check mode, the spec is read again.
      - If not set, the value of the E(AEP_TOKEN_CACHE) environment variable is used.
    type: bool
    default: false
notes:
  - Every request carries C(x-sandbox-name); writes carry C(If-Match) with the etag just read.
  - For modules, set the connection options once for a play with
    C(module_defaults) and the action group C(group/aep.flow_service.aep).
seealso:
  - name: Flow Service API reference
    description: Adobe's reference of the Flow Service API.
    link: https://developer.adobe.com/experience-platform-apis/references/flow-service/
  - name: Edit destination connections using the Flow Service API
    description: The Adobe tutorial this collection automates.
    link: https://experienceleague.adobe.com/en/docs/experience-platform/destinations/api/edit-destination
"""

    # For plugins (inventory, lookup...), which read environment variables through their configuration
    # system: stacked on DOCUMENTATION as aep.flow_service.connection.plugins, it names each option's variable.
    PLUGINS = r"""
options:
  access_token:
    env:
      - name: AEP_ACCESS_TOKEN
  client_id:
    env:
      - name: AEP_CLIENT_ID
  client_secret:
    env:
      - name: AEP_CLIENT_SECRET
  scopes:
    env:
      - name: AEP_SCOPES
  org_id:
    env:
      - name: AEP_ORG_ID
  sandbox:
    env:
      - name: AEP_SANDBOX_NAME
  platform_url:
    env:
      - name: AEP_PLATFORM_URL
  ims_url:
    env:
      - name: AEP_IMS_URL
  validate_certs:
    env:
      - name: AEP_VALIDATE_CERTS
  ca_path:
    env:
      - name: AEP_CA_PATH
  timeout:
    env:
      - name: AEP_TIMEOUT
  retries:
    env:
      - name: AEP_RETRIES
  token_cache:
    env:
      - name: AEP_TOKEN_CACHE
"""

    ATTRIBUTES = r"""
attributes:
  action_group:
    description: Use C(group/aep.flow_service.aep) in C(module_defaults) to set the connection options.
    support: full
    membership:
      - aep.flow_service.aep
"""
