"""The `kernelwright` command: one entry point, thin subcommands.

Exit codes (DESIGN.md): 0 when the work was done whatever the verdict, 2 on
bad input with a one-line reason on stderr, 1 on internal error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import sys
from collections.abc import Callable

from kernelwright.harness.messages import MIN_TRIALS

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT = 0, 1, 2


class UsageError(Exception):
    """Bad input found by the CLI itself."""


# torch.compile's modes; max-autotune-no-cudagraphs compares kernels without the
# input copies CUDA graphs make when inputs move between calls.
COMPILE_MODES = ("default", "reduce-overhead", "max-autotune", "max-autotune-no-cudagraphs")


def _store(args: argparse.Namespace):
    from kernelwright.harness.store import Store

    store = Store(args.store) if getattr(args, "store", None) else Store()
    if store.notice:
        print(f"kernelwright: {store.notice}", file=sys.stderr)
    return store


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} must be at least 1")
    return value


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text} must be a positive, finite number of seconds")
    return value


def _harness(args: argparse.Namespace):
    """The harness for eval/profile, with the sandbox the user asked for (or a warning)."""
    from kernelwright.harness.evaluate import Harness
    from kernelwright.harness.pool import Limits

    harness = Harness(
        store=_store(args),
        limits=Limits(import_timeout_s=args.import_timeout),
        require_sandbox=args.require_sandbox,
    )
    warning = harness.pool.sandbox.warning()
    if warning:
        print(f"kernelwright: warning: {warning}", file=sys.stderr)
    return harness


def cmd_eval(args: argparse.Namespace) -> int:
    from kernelwright.harness.evaluate import read_source
    from kernelwright.server import cli_render

    candidate = read_source(args.candidate, "candidate")
    harness = _harness(args)
    result = asyncio.run(
        harness.evaluate(
            args.problem,
            candidate,
            args.device,
            use_cache=not args.no_cache,
            compile_baseline=not args.no_compile_baseline,
            trials=args.trials,
            use_ncu=_use_ncu(args.ncu, args.device),
        )
    )
    if args.json:
        print(json.dumps(result.to_dict()))
    else:
        cli_render.render_eval(result.to_dict(), args.problem, args.candidate)
    return EXIT_OK


def cmd_profile(args: argparse.Namespace) -> int:
    from kernelwright.server import cli_render

    harness = _harness(args)
    result = asyncio.run(
        harness.profile(
            args.problem,
            args.device,
            compile_baseline=not args.no_compile_baseline,
            use_cache=not args.no_cache,
            use_ncu=_use_ncu(args.ncu, args.device),
        )
    )
    if args.json:
        print(json.dumps(result))
    else:
        cli_render.render_profile(result)
    return EXIT_OK


def _use_ncu(mode: str, device: str) -> bool:
    """--ncu auto: on where it can work (a CUDA device and ncu on the PATH).

    `on` is passed through even where ncu cannot run, so the profile says why.
    """
    if mode != "auto":
        return mode == "on"
    from kernelwright.harness.ncu import ncu_path

    if ncu_path() is None:
        return False
    from kernelwright.harness.evaluate import resolve_device

    return resolve_device(device) == "cuda"


def cmd_optimize(args: argparse.Namespace) -> int:
    from kernelwright.server.cli_optimize import run_optimize

    return run_optimize(args)


def cmd_bench(args: argparse.Namespace) -> int:
    from kernelwright.agent.bench import run_bench

    return run_bench(args)


def cmd_serve(args: argparse.Namespace) -> int:
    from kernelwright.server.serve import serve

    return serve(args.tcp)


def cmd_doctor(args: argparse.Namespace) -> int:
    from kernelwright.server.doctor import run_doctor

    return run_doctor(args)


def cmd_kb(args: argparse.Namespace) -> int:
    from kernelwright.knowledge import cli as kb_cli

    return kb_cli.run(args)


def _add_ncu(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--ncu",
        default="auto",
        choices=("auto", "on", "off"),
        help="Nsight Compute metrics of one forward (auto: on a CUDA device with ncu on the PATH)",
    )


def _add_safety(parser: argparse.ArgumentParser, claude: bool = False) -> None:
    parser.add_argument(
        "--require-sandbox",
        action="store_true",
        default=None,
        help="refuse to run problem or candidate code where no sandbox works"
        + (" (the default when the Claude proposer joins)" if claude else ""),
    )
    if claude:
        parser.add_argument(
            "--allow-unsandboxed",
            dest="require_sandbox",
            action="store_false",
            help="run Claude's candidates even where no sandbox works",
        )
    parser.add_argument(
        "--import-timeout",
        type=_positive_seconds,
        default=60.0,
        metavar="S",
        help="seconds the problem may take to import and make its inputs (default 60)",
    )


def _add_executor(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--executor",
        default="local",
        choices=("local", "ray"),
        help="where candidates run: local worker processes, or one Ray actor per GPU "
        "of a cluster (needs kernelwright[ray])",
    )
    parser.add_argument(
        "--ray-address",
        default=None,
        metavar="ADDR",
        help="the Ray cluster to join, HOST:PORT (default: start a local Ray instance)",
    )


def _add_common(parser: argparse.ArgumentParser, device: bool = True) -> None:
    if device:
        parser.add_argument(
            "--device",
            default="auto",
            choices=("auto", "cpu", "cuda"),
            help="where to run (auto: cuda when a GPU is visible)",
        )
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    parser.add_argument("--store", help="results store (SQLite); default under XDG cache")


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="kernelwright", description="Search, verify, time and apply faster GPU kernels."
    )
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )

    p = sub.add_parser("eval", help="verify, time and profile one candidate against a problem")
    p.add_argument("problem", help="KernelBench-format problem file (class Model, get_inputs)")
    p.add_argument("candidate", help="candidate module defining class ModelNew")
    p.add_argument(
        "--trials",
        type=_positive_int,
        default=MIN_TRIALS,
        help=f"correctness trials (at least {MIN_TRIALS} are run: one per input distribution)",
    )
    p.add_argument("--no-cache", action="store_true", help="evaluate again even if stored")
    p.add_argument(
        "--no-compile-baseline", action="store_true", help="skip timing torch.compile (faster)"
    )
    _add_ncu(p)
    _add_safety(p)
    _add_common(p)
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("profile", help="time and profile the reference: bottleneck and %% of peak")
    p.add_argument("problem")
    p.add_argument("--no-cache", action="store_true")
    p.add_argument("--no-compile-baseline", action="store_true")
    _add_ncu(p)
    _add_safety(p)
    _add_common(p)
    p.set_defaults(func=cmd_profile)

    p = sub.add_parser("optimize", help="search for faster verified kernels")
    p.add_argument("problem")
    p.add_argument("--budget", type=_positive_int, default=16, help="candidates to evaluate")
    p.add_argument(
        "--time-limit",
        type=_positive_seconds,
        default=600.0,
        help="wall-clock seconds (with no verdict yet at the limit, the first "
        "candidate still runs to one, up to 60 s more)",
    )
    p.add_argument("--strategy", default="mcts", choices=("mcts", "evolve"))
    p.add_argument(
        "--proposers",
        default=None,
        help="comma-separated: embedded,claude (default: embedded, plus claude "
        "when a key is configured)",
    )
    p.add_argument("--out", default=None, help="output folder (default: ./kw-out/<problem>)")
    p.add_argument("--resume", action="store_true", help="continue the last search of this problem")
    p.add_argument("--parallel", type=_positive_int, default=2, help="candidates in flight at once")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-skills", action="store_true", help="do not warm-start from skills")
    p.add_argument(
        "--no-cache",
        action="store_true",
        help="evaluate every candidate again, even if the store has its verdict",
    )
    p.add_argument(
        "--compile-mode",
        default="max-autotune",
        choices=COMPILE_MODES,
        help="torch.compile mode of the labelled baseline",
    )
    _add_executor(p)
    _add_safety(p, claude=True)
    _add_common(p)
    p.set_defaults(func=cmd_optimize)

    p = sub.add_parser("bench", help="optimize every problem in a folder and tabulate")
    p.add_argument("dir")
    p.add_argument(
        "--time-limit", type=_positive_seconds, default=180.0, help="seconds per problem"
    )
    p.add_argument("--budget", type=_positive_int, default=24, help="candidates per problem")
    p.add_argument("--out", default="kw-bench")
    p.add_argument("--strategy", default="mcts", choices=("mcts", "evolve"))
    p.add_argument(
        "--filter",
        default=None,
        help="only problems whose file name matches this regular expression",
    )
    p.add_argument("--no-skills", action="store_true")
    p.add_argument(
        "--concurrency",
        type=_positive_int,
        default=None,
        help="problems searched at once (default 1; with --executor ray, one per GPU of "
        "the cluster); timings still take turns on each GPU",
    )
    p.add_argument(
        "--parallel", type=_positive_int, default=3, help="candidates in flight per problem"
    )
    p.add_argument(
        "--compile-mode",
        default="max-autotune",
        choices=COMPILE_MODES,
        help="torch.compile mode of the labelled baseline",
    )
    _add_executor(p)
    _add_safety(p, claude=True)
    _add_common(p)
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser("serve", help="run the language server (stdio by default)")
    p.add_argument("--tcp", default=None, metavar="HOST:PORT")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("doctor", help="what protects you here: the sandbox, device and versions")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.set_defaults(func=cmd_doctor)

    p = sub.add_parser("kb", help="the knowledge base: list, search, show, add")
    try:
        from kernelwright.knowledge import cli as kb_cli

        kb_cli.add_arguments(p)
    except ImportError:
        pass
    p.set_defaults(func=cmd_kb)
    return parser


def _run(func: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    from kernelwright.harness.evaluate import BadInputError

    try:
        return func(args)
    except (BadInputError, UsageError) as err:
        print(f"kernelwright: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("kernelwright: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `kernelwright ... --json | head`: the reader left; nothing more to say to it.
        _silence_stdout()
        return EXIT_OK
    except Exception as err:
        print(f"kernelwright: internal error: {type(err).__name__}: {err}", file=sys.stderr)
        if "--debug" in sys.argv or _env_debug():
            raise
        return EXIT_INTERNAL


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's final flush into a closed pipe
    does not print a second BrokenPipeError."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _env_debug() -> bool:
    import os

    return bool(os.environ.get("KERNELWRIGHT_DEBUG"))


def main(argv: list[str] | None = None) -> int:
    import logging
    import os

    level = os.environ.get("KERNELWRIGHT_LOG", "WARNING").upper()
    logging.basicConfig(
        level=getattr(logging, level, logging.WARNING),
        format="%(asctime)s %(name)s %(message)s",
        stream=sys.stderr,
    )
    parser = build_parser()
    args = parser.parse_args(argv)
    return _run(args.func, args)


if __name__ == "__main__":
    sys.exit(main())
