"""Local emulator of Adobe IMS (token exchange) and the AEP Flow Service API, for tests and demos.

Modules, one job each:

* ``errors``   error bodies (gateway, Flow Service envelope, IMS) and the catalog codes used
* ``data``     loading, normalising and generating the data set
* ``store``    the in-memory, sandboxed resource store with etags and atomic updates
* ``patch``    JSON Patch (RFC 6902 subset: add, replace, remove) on plain JSON values
* ``schema``   validation of params against a connection spec, secret masking
* ``query``    list queries: property filters, orderby, limit, count, continuation tokens
* ``ims``      the IMS token endpoint and the token registry
* ``gateway``  the header checks of the API gateway, in the gateway's order
* ``api``      the Flow Service routes
* ``control``  the test-only control API under ``/_emulator/``
* ``settings`` the switches a test changes at run time (error shape, sandbox error code, settle time, throttling)
* ``throttle`` the gateway's token bucket on the Flow Service routes (429 with ``Retry-After``)
* ``faults``   injected faults (status, dropped connection, delay)
* ``reqlog``   the request log
* ``server``   the threaded HTTP/1.1 server that ties them together
"""
from __future__ import annotations

API_BASE = "/data/foundation/flowservice"
IMS_TOKEN_PATH = "/ims/token/v3"
CONTROL_PREFIX = "/_emulator/"
