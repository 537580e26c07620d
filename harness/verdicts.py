"""How an evaluation ends early: a Verdict raised from deep inside a phase, and how a
candidate's exception is told apart (compile error or runtime error) and worded."""

from __future__ import annotations

import traceback

from kernelwright.harness.messages import Outcome


def classify_exception(err: BaseException) -> Outcome:
    """Errors raised while Triton lowers a kernel are compile errors, wherever they surface."""
    names = {cls.__name__ for cls in type(err).__mro__}
    if names & {"CompilationError", "OutOfResources", "SyntaxError"}:
        return Outcome.COMPILE_ERROR
    frames = traceback.extract_tb(err.__traceback__)
    if frames and any(
        part in frames[-1].filename
        for part in ("triton/compiler", "triton/language", "triton/runtime/interpreter")
    ):
        # The interpreter raises frontend checks (power-of-two aranges,
        # shape mismatches) from the same semantic layer the compiler uses.
        return Outcome.COMPILE_ERROR
    return Outcome.RUNTIME_ERROR


def error_message(err: BaseException, during: str) -> str:
    text = f"{type(err).__name__} {during}: {err}"
    return text if len(text) < 2000 else text[:2000] + "…"


class Verdict(Exception):
    """Ends the pipeline with an outcome (raised from deep inside a phase)."""

    def __init__(self, outcome: Outcome, message: str, flags: list[str] | None = None):
        super().__init__(message)
        self.outcome, self.message, self.flags = outcome, message, flags or []


def reject_findings(findings: list) -> None:
    if findings:
        raise Verdict(
            Outcome.REJECTED,
            "; ".join(str(f) for f in findings),
            [f"static:{f.rule}" for f in findings],
        )


class CandidateRaised(Exception):
    """The candidate's own exception, carried out of code that also runs the harness's."""

    def __init__(self, error: Exception):
        super().__init__(str(error))
        self.error = error
