#!/usr/bin/env python
"""Start the local Adobe IMS + Flow Service emulator.

    python tests/emulator/run.py [--host 127.0.0.1] [--port 8180] [--data FILE] [--generate N]
                                 [--latency-ms N] [--strict-sandbox] [--secrets masked|omitted]
                                 [--token-lifetime SECONDS] [--tls | --tls-cert FILE --tls-key FILE]
                                 [--error-shape full|short] [--sandbox-error 2100|2101|2103] [--settle-ms N]
                                 [--throttle-rps N] [--throttle-burst N] [--throttle-retry-after auto|none|SECONDS]

Prints ``listening on http://HOST:PORT`` (``https://`` with TLS, after a ``tls certificate: FILE`` line)
once it accepts connections and exits with status 0 on SIGTERM or SIGINT. See README.md beside this file.
"""
from __future__ import annotations

import argparse
import ipaddress
import math
import shutil
import signal
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

# pylint: disable=wrong-import-position
from flowservice_emulator.data import DataError, load  # noqa: E402
from flowservice_emulator.server import DEFAULT_TOKEN_LIFETIME, Emulator, EmulatorHTTPServer, Options, serve_in_thread  # noqa: E402
from flowservice_emulator.settings import ERROR_SHAPES, SANDBOX_ERRORS, retry_after_value  # noqa: E402
from flowservice_emulator.tls import TlsError, generate_self_signed, server_context  # noqa: E402


def _non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be >= 0")
    return value


def _number_at_least(minimum: float):
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or value < minimum:
            raise argparse.ArgumentTypeError(f"must be a number >= {minimum:g}")
        return value
    return parse


def _retry_after(text: str) -> str | int:
    try:
        return retry_after_value(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError("must be auto, none or a whole number of seconds") from exc


def _loopback(text: str) -> str:
    if text != "localhost":
        try:
            if not ipaddress.ip_address(text).is_loopback:
                raise argparse.ArgumentTypeError("the emulator only binds to a loopback address")
        except ValueError as exc:
            raise argparse.ArgumentTypeError(f"not an IP address: {text}") from exc
    return text


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description="Local emulator of Adobe IMS and the AEP Flow Service API.")
    parser.add_argument("--host", type=_loopback, default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=_non_negative, default=8180, help="port; 0 picks a free one (default 8180)")
    parser.add_argument("--data", metavar="FILE", help="JSON or YAML data file replacing the built-in demo data")
    parser.add_argument("--generate", metavar="N", type=_non_negative, default=0, help="add N synthetic S3 destination dataflows in prod")
    parser.add_argument("--latency-ms", metavar="N", type=_non_negative, default=0, help="sleep N ms before serving each API/IMS request")
    parser.add_argument("--strict-sandbox", action="store_true", help="reject requests without x-sandbox-name (FLOW-2105-400)")
    parser.add_argument("--secrets", choices=("masked", "omitted"), default="masked", help="how GET shows secret auth params")
    parser.add_argument("--token-lifetime", metavar="SECONDS", type=_non_negative, default=DEFAULT_TOKEN_LIFETIME,
                        help=f"lifetime of minted IMS tokens (default {DEFAULT_TOKEN_LIFETIME})")
    parser.add_argument("--error-shape", choices=ERROR_SHAPES, default="full",
                        help="short: 404 (missing resource) and 412 bodies carry only errorMessage/errorDetails")
    parser.add_argument("--sandbox-error", choices=SANDBOX_ERRORS, default="2100", help="catalog code of an unknown sandbox (default 2100)")
    parser.add_argument("--settle-ms", metavar="N", type=_non_negative, default=0,
                        help="how long a dataflow PATCH or enable/disable stays in progress (default 0: applied at once)")
    parser.add_argument("--throttle-rps", metavar="N", type=_number_at_least(0), default=0.0,
                        help="Flow Service requests per second the gateway lets through, then 429 (default 0: no throttling)")
    parser.add_argument("--throttle-burst", metavar="N", type=_number_at_least(1), default=None,
                        help="token bucket size: requests let through at once (default max(1, --throttle-rps))")
    parser.add_argument("--throttle-retry-after", metavar="auto|none|SECONDS", type=_retry_after, default="auto",
                        help="Retry-After of a 429: auto (seconds until the next token, rounded up), none (no header), or fixed seconds")
    parser.add_argument("--tls", action="store_true", help="serve HTTPS with a self-signed certificate generated for this run")
    parser.add_argument("--tls-cert", metavar="FILE", help="serve HTTPS with this PEM certificate (chain); needs --tls-key")
    parser.add_argument("--tls-key", metavar="FILE", help="the PEM private key of --tls-cert")
    args = parser.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    if args.tls and args.tls_cert:
        parser.error("--tls generates a certificate; leave it out when giving --tls-cert and --tls-key")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run until SIGTERM or SIGINT."""
    args = parse_args(argv)
    try:
        dataset = load(args.data, args.generate)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    options = Options(latency_ms=args.latency_ms, strict_sandbox=args.strict_sandbox, secrets=args.secrets, token_lifetime=args.token_lifetime,
                      error_shape=args.error_shape, sandbox_error=args.sandbox_error, settle_ms=args.settle_ms,
                      throttle_rps=args.throttle_rps, throttle_burst=args.throttle_burst, throttle_retry_after=args.throttle_retry_after)
    cert_dir = tempfile.mkdtemp(prefix="aep-emulator-tls-") if args.tls else None
    try:
        return _serve(args, dataset, options, cert_dir)
    finally:
        if cert_dir:
            shutil.rmtree(cert_dir, ignore_errors=True)


def _serve(args: argparse.Namespace, dataset, options: Options, cert_dir: str | None) -> int:
    cert_file, key_file = args.tls_cert, args.tls_key
    context = None
    try:
        if cert_dir:
            cert_file, key_file = generate_self_signed(cert_dir)
        if cert_file:
            context = server_context(cert_file, key_file)
    except TlsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        server = EmulatorHTTPServer((args.host, args.port), Emulator(dataset, options), context)
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        del signum, frame
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    thread = serve_in_thread(server)
    if cert_file:
        print(f"tls certificate: {cert_file}", flush=True)
    print(f"listening on {server.url}", flush=True)
    while not stop.wait(0.5):
        pass
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
