"""`kernelwright serve [--tcp HOST:PORT]`: run the language server (stdio by default).

The CLI calls `serve(tcp)`; `python -m kernelwright.server.serve` does the same
for editors and tests that start the server before the CLI is installed.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys


def _parse_tcp(tcp: str) -> tuple[str, int]:
    host, sep, port = tcp.rpartition(":")
    if not sep or not port.isdigit():
        raise ValueError(f"--tcp wants HOST:PORT, got {tcp!r}")
    if not 0 < int(port) < 65536:
        raise ValueError(f"--tcp port {port} is outside 1..65535")
    return host or "127.0.0.1", int(port)


def serve(tcp: str | None = None) -> int:
    """Run the server until the client says exit: 0 after `shutdown` then `exit`, 1 on an
    `exit` without `shutdown` (the LSP spec's codes), 2 on bad input."""
    logging.basicConfig(
        stream=sys.stderr,  # stdout carries the protocol
        level=os.environ.get("KERNELWRIGHT_LOG_LEVEL", "WARNING").upper(),
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    from .server import build

    server = build()
    if tcp:
        try:
            host, port = _parse_tcp(tcp)
        except ValueError as err:
            print(f"kernelwright serve: {err}", file=sys.stderr)
            return 2
        try:
            server.start_tcp(host, port)
        except OSError as err:  # an address in use, a host that is not this machine's
            print(
                f"kernelwright serve: cannot listen on {host}:{port}: {err.strerror or err}",
                file=sys.stderr,
            )
            return 2
    else:
        server.start_io()
    # pygls ends its loop on `exit` and swallows the SystemExit carrying the code.
    return 0 if server.shut_down else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kernelwright serve")
    parser.add_argument("--tcp", metavar="HOST:PORT", default=None)
    return serve(parser.parse_args(argv).tcp)


if __name__ == "__main__":
    sys.exit(main())
