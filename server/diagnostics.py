"""Diagnostics: measured slow spots (information), unknown input shapes, bad annotations."""

from __future__ import annotations

from lsprotocol import types as lsp

from . import detect, names, plain_text
from . import lsp_convert as conv
from .measure import fmt_ms, reference_numbers
from .results import candidate_title
from .session import Session


def compute(session: Session, uri: str) -> list[lsp.Diagnostic]:
    doc = session.docs.get(uri)
    if doc is None:
        return []
    out: list[lsp.Diagnostic] = []
    threshold = session.settings.slow_spot_speedup

    def slow(rec) -> bool:
        speed = (rec.candidates[0].speedup or {}).get("vs_eager") if rec.candidates else None
        return isinstance(speed, (int, float)) and speed >= threshold

    for target, rec in session.records_by_target(doc, slow):
        best = rec.candidates[0]
        ms, _ = reference_numbers(rec.reference)
        msg = (
            f"kernelwright: `{target.name}`"
            + (f" takes {fmt_ms(ms)};" if ms else "")
            + f" candidate {candidate_title('#', best).replace('# #', '#')}"
        )
        out.append(
            conv.diagnostic(doc, target.start_byte, target.end_byte, msg, names.DIAG_SLOW_SPOT)
        )
    requests = session.shape_requests.get(uri, {})
    for sig, req in list(requests.items()):
        asked = detect.target_at(doc, req.start, req.end)
        prob = session.problem_for(doc, asked) if asked is not None else None
        if asked is None or prob is None or prob.signature != sig:
            requests.pop(sig)  # the code moved or changed: forget the request
            continue
        if prob.errors:
            out.append(
                conv.diagnostic(
                    doc,
                    asked.start_byte,
                    asked.end_byte,
                    "kernelwright: " + plain_text.sentence("; ".join(prob.errors), limit=400),
                    names.DIAG_ANNOTATION_ERROR,
                    lsp.DiagnosticSeverity.Warning,
                )
            )
        if prob.missing:
            out.append(
                conv.diagnostic(
                    doc,
                    asked.start_byte,
                    asked.end_byte,
                    f"kernelwright: input shapes unknown for {', '.join(prob.missing)}; add a "
                    "`# kernelwright: name: dtype[sizes]` annotation (quick fix), a get_inputs(), "
                    "or set kernelwright.shapeCommand to record them",
                    names.DIAG_SHAPES_UNKNOWN,
                    data={"missing": prob.missing},
                )
            )
        if not prob.missing and not prob.errors:
            requests.pop(sig)
    return out


def publish(ls, session: Session, uri: str) -> None:
    doc = session.docs.get(uri)
    ls.text_document_publish_diagnostics(
        lsp.PublishDiagnosticsParams(
            uri=uri, version=doc.version if doc else None, diagnostics=compute(session, uri)
        )
    )
