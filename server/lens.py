"""Code lens above kernels and forwards, inlay hints with measured times."""

from __future__ import annotations

from lsprotocol import types as lsp

from . import detect, names, problem
from . import lsp_convert as conv
from .measure import best_candidate_ms, fmt_ms, interpreted, reference_numbers
from .session import Session


def code_lens(session: Session, params: lsp.CodeLensParams) -> list[lsp.CodeLens]:
    doc = session.docs.get(params.text_document.uri)
    if doc is None:
        return []
    records = session.index.for_uri(doc.uri)
    out = []
    targets = [detect._kernel_target(k) for k in detect.find_kernels(doc)] + detect.find_forwards(
        doc
    )
    for target in targets:
        rng = conv.byte_range(doc, target.start_byte, target.end_byte)
        args = conv.target_args(doc.uri, rng)
        out.append(conv.lens(doc, target.start_byte, "⚡ Optimize", names.CMD_OPTIMIZE, args))
        out.append(conv.lens(doc, target.start_byte, "⏱ Profile", names.CMD_PROFILE, args))
        rec = records.get(problem.signature(doc, target))
        n = len(rec.candidates) if rec else 0
        out.append(
            conv.lens(
                doc,
                target.start_byte,
                f"{n} candidate{'s' if n != 1 else ''}",
                names.CMD_SHOW_CANDIDATES,
                args,
            )
        )
    return out


def inlay_hints(session: Session, params: lsp.InlayHintParams) -> list[lsp.InlayHint]:
    doc = session.docs.get(params.text_document.uri)
    if doc is None:
        return []
    lo, hi = conv.range_to_bytes(doc, params.range)
    out = []

    def measured(rec) -> bool:
        return reference_numbers(rec.reference)[0] is not None or best_candidate_ms(rec) is not None

    for target, rec in session.records_by_target(doc, measured):
        if not (lo <= target.start_byte <= hi):
            continue
        ms, profile = reference_numbers(rec.reference)
        if interpreted(rec.reference, session.problem_for(doc, target).text):
            ms, profile = None, {}  # the interpreter's time says nothing about speed
        best = best_candidate_ms(rec)
        if ms is None and best is None:
            continue
        label = "⏱ " + (fmt_ms(ms) if ms is not None else "?")
        if best is not None:
            label += f" → {fmt_ms(best)} (#1)"
        line = doc.position_of_byte(target.end_byte).line
        end_of_line = doc.byte_of(line, len(doc.lines[line]) * 2)
        tip = f"kernelwright measured `{target.name}`" + (
            f" · {profile['bottleneck']}" if profile.get("bottleneck") else ""
        )
        out.append(conv.inlay(doc, end_of_line, label, tip))
    return out
