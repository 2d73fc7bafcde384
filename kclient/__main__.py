"""``python -m kclient`` / ``kclient``: the command line.

Subcommands: ``convert`` (codecs, no cluster needed) and ``serve`` (the embedded API
server with simulated nodes).
"""

from __future__ import annotations

import argparse
import sys

from .cli import convert


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["serve"]:
        from .testing.cli import serve_main

        return serve_main(argv[1:])
    parser = argparse.ArgumentParser(prog="kclient", description="Kubernetes client tools.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    convert.add_parser(sub)
    sub.add_parser("serve", help="run the embedded API server (see 'kclient serve --help')")
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
