# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aep.flow_service contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils file is private to the collection: its interface may change without notice.

"""The connection options every module and plugin shares: argument spec, environment fallbacks, checks."""

from __future__ import annotations

import math
import os
import re
from urllib.parse import urlsplit

from ansible.module_utils.basic import env_fallback

DEFAULT_SCOPES = "openid,AdobeID,read_organizations,additional_info.projectedProductContext,session"
DEFAULT_PLATFORM_URL = "https://platform.adobe.io"
DEFAULT_IMS_URL = "https://ims-na1.adobelogin.com"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
MAX_TIMEOUT = 86400.0  # seconds; larger values overflow the socket layer (and mean "forever" anyway)
# Options sent as HTTP header values: a space, line break or non-ASCII character would make requests refuse the
# header (or send another one) with an exception that quotes the value, a token included.
HEADER_OPTIONS = (("client_id", "x-api-key"), ("org_id", "x-gw-ims-org-id"), ("sandbox", "x-sandbox-name"),
                  ("access_token", "Authorization"))
HEADER_SAFE = re.compile(r"[\x21-\x7e]+\Z")
TOKEN_NOT_A_HEADER = ("%s cannot be sent as an HTTP header (it holds a line break, a space or a character outside "
                      "printable ASCII), so it was not used; if it came from the token cache, delete the cache "
                      "folder (aep.flow_service under XDG_CACHE_HOME or ~/.cache) and run again")


def connection_argument_spec():
    """A fresh copy of the shared options' argument spec (documented in doc_fragments/connection.py)."""
    return dict(
        access_token=dict(type="str", no_log=True, fallback=(env_fallback, ["AEP_ACCESS_TOKEN"])),
        client_id=dict(type="str", fallback=(env_fallback, ["AEP_CLIENT_ID"])),
        client_secret=dict(type="str", no_log=True, fallback=(env_fallback, ["AEP_CLIENT_SECRET"])),
        scopes=dict(type="str", default=DEFAULT_SCOPES, fallback=(env_fallback, ["AEP_SCOPES"])),
        org_id=dict(type="str", fallback=(env_fallback, ["AEP_ORG_ID"])),
        sandbox=dict(type="str", default="prod", fallback=(env_fallback, ["AEP_SANDBOX_NAME"])),
        platform_url=dict(type="str", default=DEFAULT_PLATFORM_URL, fallback=(env_fallback, ["AEP_PLATFORM_URL"])),
        ims_url=dict(type="str", default=DEFAULT_IMS_URL, fallback=(env_fallback, ["AEP_IMS_URL"])),
        validate_certs=dict(type="bool", default=True, fallback=(env_fallback, ["AEP_VALIDATE_CERTS"])),
        ca_path=dict(type="path", fallback=(env_fallback, ["AEP_CA_PATH"])),
        timeout=dict(type="float", default=30.0, fallback=(env_fallback, ["AEP_TIMEOUT"])),
        retries=dict(type="int", default=4, fallback=(env_fallback, ["AEP_RETRIES"])),
        token_cache=dict(type="bool", default=False, no_log=False, fallback=(env_fallback, ["AEP_TOKEN_CACHE"])),
    )


CONNECTION_OPTION_NAMES = tuple(connection_argument_spec())


NOT_SHOWN = "VALUE_OF_AN_UNKNOWN_OPTION_NOT_SHOWN"


def mask_unknown_options(params, spec):
    """A copy of ``params`` with the value of every option ``spec`` does not know (suboptions too) replaced.

    ``no_log`` belongs to an option's right name: a misspelt ``auth_parms`` would be echoed in clear.
    """
    names = set()
    for name, option in spec.items():
        names.add(name)
        names.update(option.get("aliases") or ())
    shown = {}
    for key, value in (params or {}).items():
        option = spec.get(key) or next((o for o in spec.values() if key in (o.get("aliases") or ())), None)
        if key not in names and not key.startswith("_ansible_"):
            shown[key] = NOT_SHOWN
        elif option and option.get("options") and isinstance(value, dict):
            shown[key] = mask_unknown_options(value, option["options"])
        elif option and option.get("options") and isinstance(value, list):
            shown[key] = [mask_unknown_options(v, option["options"]) if isinstance(v, dict) else v for v in value]
        else:
            shown[key] = value
    return shown


def header_value_errors(params):
    """Problems with the options sent as header values (never quoting the token)."""
    errors = []
    for name, header in HEADER_OPTIONS:
        value = params.get(name)
        if value and not HEADER_SAFE.match(value):
            shown = "" if name == "access_token" else ", got %r" % (value if len(value) <= 80 else value[:80] + "...")
            errors.append("%s must be printable ASCII without spaces or line breaks, because it is sent as the HTTP "
                          "header %s%s" % (name, header, shown))
    return errors


def is_loopback(url):
    """True for a URL whose host is this machine (where plain http is acceptable and no proxy belongs)."""
    try:
        return urlsplit(url or "").hostname in LOOPBACK_HOSTS
    except ValueError:
        return False


def url_authority(url):
    """The authority (``user:password@host:port``) of a URL, found without parsing it (it may not parse)."""
    rest = (url or "").split("://", 1)[-1]
    return re.split(r"[/?#]", rest, maxsplit=1)[0]


def org_id_errors(org_id):
    """An IMS organization id ends in @AdobeOrg: an id pasted without it is caught here, before any request,
    rather than as an API error that does not point at the org id."""
    if org_id and not org_id.endswith("@AdobeOrg"):
        shown = org_id if len(org_id) <= 80 else org_id[:80] + "..."
        return ["org_id must be the IMS organization id, which ends in @AdobeOrg (such as "
                "0123456789ABCDEF01234567@AdobeOrg, from the Developer Console or the Admin Console), got %r"
                % shown]
    return []


def url_password(url):
    """The password inside a URL (https://user:password@host), or None; also when the rest does not parse."""
    authority = url_authority(url)
    if "@" not in authority:
        return None
    userinfo = authority.rsplit("@", 1)[0]
    return userinfo.split(":", 1)[1] if ":" in userinfo else userinfo  # a token alone is as secret


def check_connection_options(params):
    """Return (errors, warnings) for a parsed set of connection options; errors name what to fix."""
    errors = []
    warnings = []
    if not params.get("client_id"):
        errors.append("client_id is required (it is also sent as x-api-key); set it or AEP_CLIENT_ID")
    if not params.get("org_id"):
        errors.append("org_id is required (the IMS organization, ending in @AdobeOrg); set it or AEP_ORG_ID")
    if params.get("access_token") and params.get("client_secret"):
        errors.append("access_token and client_secret contradict each other: give a ready token or the client "
                      "secret to mint one, not both (check AEP_ACCESS_TOKEN and AEP_CLIENT_SECRET too)")
    elif not params.get("access_token") and not params.get("client_secret"):
        errors.append("no credentials: set client_secret (AEP_CLIENT_SECRET) to mint tokens at IMS, "
                      "or access_token (AEP_ACCESS_TOKEN)")
    if not params.get("sandbox"):
        errors.append("sandbox must not be empty (the Flow Service defaults to prod only when the header is absent)")
    errors.extend(header_value_errors(params))
    errors.extend(org_id_errors(params.get("org_id")))
    for name in ("platform_url", "ims_url"):
        url = params.get(name) or ""
        try:
            parts = urlsplit(url)
            hostname = parts.hostname if parts.port is None or parts.port > 0 else None
        except ValueError:  # an unclosed IPv6 bracket, a port out of range or not a number
            parts = hostname = None
        if "@" in url_authority(url) or (parts is not None and (parts.username or parts.password)):
            # never echo it: the URL holds a password
            errors.append("%s must not hold a user name or password; credentials go in client_id and "
                          "client_secret (or access_token)" % name)
        elif parts is None or parts.scheme not in ("http", "https") or not hostname:
            errors.append("%s must be an http(s) URL such as https://host, got %r" % (name, url))
        elif parts.scheme == "http" and hostname not in LOOPBACK_HOSTS:
            warnings.append("%s uses plain http (%s): tokens and credentials would cross the network unencrypted; "
                            "use https" % (name, url))
    timeout = params.get("timeout")
    if timeout is not None and not (math.isfinite(timeout) and 0 < timeout <= MAX_TIMEOUT):
        errors.append("timeout must be a positive number of seconds, at most %d, got %s" % (MAX_TIMEOUT, timeout))
    if params.get("retries") is not None and not 0 <= params["retries"] <= 20:
        errors.append("retries must be between 0 and 20, got %s" % params["retries"])
    if params.get("ca_path") and not os.path.exists(params["ca_path"]):
        errors.append("ca_path %s does not exist" % params["ca_path"])
    if params.get("validate_certs") is False:
        warnings.append("validate_certs is false: the server's TLS certificate is not checked, so anyone on the "
                        "path could read the token and credentials; use ca_path for a private CA instead")
    return errors, warnings
