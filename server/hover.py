"""Hover on an op, expression, forward or kernel: what was measured, what was found."""

from __future__ import annotations

import json
from urllib.parse import quote

from lsprotocol import types as lsp

from . import detect, names
from . import lsp_convert as conv
from .measure import fmt_ms, interpreted, rates_line, reference_numbers
from .results import candidate_title, offered_candidates
from .session import Session


def hover(session: Session, params: lsp.HoverParams) -> lsp.Hover | None:
    doc = session.docs.get(params.text_document.uri)
    if doc is None:
        return None
    at = doc.byte_of(params.position.line, params.position.character)
    target = detect.target_at(doc, at, at)
    # A forward or kernel speaks on its `def` line, not on every comment, blank line or
    # plain name of its body (a searched selection around the cursor still does).
    on_target = target is not None and detect.names_target(doc, target, at)
    prob = session.problem_for(doc, target) if target is not None and on_target else None
    # A searched or profiled selection around the cursor speaks for it when it
    # is more precise than what the cursor designates (the whole forward), or
    # when that has nothing measured: hovering `relu` inside an optimized
    # `torch.relu(x) + y * 2.0` shows that search.
    unmeasured = prob is None or session.index.get(prob.signature) is None
    around = [
        t
        for t, _ in session.records_around(doc, at)
        if t.start_byte <= at <= t.end_byte
        and (on_target or t.kind not in detect.WHOLE_DEFINITIONS)
        and (
            unmeasured
            or (  # prob is always there when measured: spelled out for the type checker
                prob is not None
                and t.end_byte - t.start_byte < prob.target.end_byte - prob.target.start_byte
            )
        )
    ]
    if around:
        prob = session.problem_for(doc, min(around, key=lambda t: t.end_byte - t.start_byte))
    if prob is None:
        return None
    target = prob.target
    rec = session.index.get(prob.signature)
    lines = [f"**{target.name}** · kernelwright"]
    ms, profile = reference_numbers(rec.reference if rec else None)
    if interpreted(rec.reference if rec else None, prob.text):
        lines.append(
            "Last measured on CPU, where Triton runs under its interpreter: no timing "
            "(the interpreter says nothing about speed)"
        )
    elif ms is not None or profile.get("bottleneck"):
        head = "Last measured: " + (fmt_ms(ms) if ms is not None else "no timing")
        if profile.get("bottleneck"):
            head += f" · {profile['bottleneck']}"
        lines.append(head)
        rates = rates_line(profile)
        if rates:
            lines.append("Achieved " + rates)
    if prob.signature in session.running:
        lines.append(session.running[prob.signature].capitalize())
    # The candidates the code actions offer: built for these shapes, measured faster.
    fitting, offered = offered_candidates(rec, prob)
    if offered:
        best = offered[0]
        lines.append("Best candidate so far: " + candidate_title("#", best).replace("# #", "#"))
        if len(offered) > 1:
            lines.append(f"{len(offered)} candidates: see the code actions")
    elif rec and rec.candidates:
        lines.append(
            f"{len(rec.candidates)} earlier candidate(s) not offered: "
            + (
                "built for other shapes; run Optimize again"
                if not fitting
                else "none was faster than the current code"
            )
        )
    elif rec and rec.message:
        lines.append(f"Last search: {rec.message}")
    if not (rec and rec.reference) and not (rec and rec.candidates):
        args = quote(
            json.dumps(
                conv.target_args(doc.uri, conv.byte_range(doc, target.start_byte, target.end_byte))
            )
        )
        lines.append(f"Nothing measured yet. [Profile](command:{names.CMD_PROFILE}?{args})")
    if prob.missing:
        lines.append(
            f"Input shapes unknown for {', '.join(prob.missing)}: add "
            "`# kernelwright: name: float32[d0, d1]` above it"
        )
    return lsp.Hover(
        contents=conv.markdown("\n\n".join(lines)),
        range=conv.byte_range(doc, target.start_byte, target.end_byte),
    )
