"""Code actions: Optimize, the ranked Apply candidate actions, the shape quick fix;
and `codeAction/resolve`, which builds an Apply action's edit for the document
version the action was listed for (a newer version is refused)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from kernelwright.harness.messages import FASTER_BY
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcContentModified, JsonRpcInvalidParams

from . import detect, edits, names, problem, pysource, shapes
from . import lsp_convert as conv
from .results import (
    RETIRED_REASON,
    applicable,
    candidate_title,
    offered_candidates,
    peak_phrase,
)
from .session import Session

log = logging.getLogger(__name__)


def _kind_wanted(only: Sequence[str] | None, kind: str) -> bool:
    return not only or any(kind == k or kind.startswith(k + ".") for k in only)


def _disabled(title: str, reason: str) -> lsp.CodeAction:
    return lsp.CodeAction(
        title=title, kind=names.CODE_ACTION_KIND, disabled=lsp.CodeActionDisabled(reason=reason)
    )


def _not_faster(fitting: list, offered: list, rec, name: str) -> lsp.CodeAction:
    """The candidates held back because they were measured no faster, and, where
    the reference was profiled, how close the current code already is to the device."""
    held = [c for c in fitting if c not in offered]
    best = max((c.speedup or {}).get("vs_eager") or 0.0 for c in held)
    reason = (
        f"measured at best {best:.2f}× the current code's speed, within {FASTER_BY - 1:.0%} "
        "or slower, so applying one would not help."
    )
    profile = (rec.reference or {}).get("profile") if rec else None
    peak = peak_phrase(profile)
    if peak and not offered:
        bound = (profile or {}).get("bottleneck")
        reason += f" The current code already runs at {peak}" + (f" ({bound})." if bound else ".")
    return _disabled(
        f"kernelwright: {len(held)} candidate(s) of `{name}` were not faster than the current code",
        reason,
    )


def code_actions(session: Session, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
    uri = params.text_document.uri
    doc = session.docs.get(uri)
    if doc is None:
        return []
    start, end = conv.range_to_bytes(doc, params.range)
    prob = session.locate(doc, start, end)
    if prob is None:
        return []
    target = prob.target
    only = params.context.only if params.context else None
    out: list[lsp.CodeAction] = []
    rng = conv.byte_range(doc, target.start_byte, target.end_byte)
    if _kind_wanted(only, names.CODE_ACTION_KIND):
        what = {"triton_kernel": "kernel", "forward": "forward", "expression": "expression"}.get(
            target.kind, "op"
        )
        title = f"{names.OPTIMIZE_TITLE_PREFIX} this kernel ({what} `{target.name}`)"
        if prob.enclosing_forward is not None:
            # Refused before the click, not after it: the forward is what can run alone.
            out.append(_disabled(title, problem.READS_SELF))
            start_byte, end_byte = prob.enclosing_forward
            out.append(
                conv.optimize_action(
                    f"{names.OPTIMIZE_TITLE_PREFIX} the enclosing forward",
                    uri,
                    conv.byte_range(doc, start_byte, end_byte),
                )
            )
        else:
            out.append(conv.optimize_action(title, uri, rng))
        rec = session.index.get(prob.signature)
        fitting, offered = offered_candidates(rec, prob)
        retired = len(rec.candidates) - len(fitting) if rec else 0
        if retired:
            out.append(
                _disabled(
                    f"kernelwright: {retired} candidate(s) of `{target.name}` were built "
                    "for other shapes",
                    RETIRED_REASON,
                )
            )
        if len(offered) < len(fitting):
            out.append(_not_faster(fitting, offered, rec, target.name))
        for cand in offered:
            data = {  # names.py documents it as applyData
                "tag": names.APPLY_DATA_TAG,
                "candidateId": cand.id,
                "uri": uri,
                "version": doc.version,
                "signature": prob.signature,
                "rank": cand.rank,
                "start": target.start_byte,
                "end": target.end_byte,
            }
            out.append(
                conv.apply_action(
                    candidate_title(names.APPLY_TITLE_PREFIX, cand), data, cand.rank == 1
                )
            )
    if prob.missing and _kind_wanted(only, lsp.CodeActionKind.QuickFix):
        out.append(_annotation_fix(session, doc, prob, params))
    if prob.init_guess is not None and _kind_wanted(only, lsp.CodeActionKind.QuickFix):
        fix = _init_fix(doc, prob)
        if fix is not None:
            out.append(fix)
    return out


def _init_fix(doc, prob: problem.Problem) -> lsp.CodeAction | None:
    """`# kernelwright: init: GPTConfig()` (or `?` to fill in) above the module's class."""
    cls = prob.target.class_name
    node = pysource.class_named(doc.tree.root_node, cls)
    if node is None:
        return None
    if node.parent is not None and node.parent.type == "decorated_definition":
        node = node.parent
    line = doc.position_of_byte(node.start_byte).line
    indent = edits.indent_of(doc.lines[line])
    return conv.quickfix_insert(
        f"{names.QUICKFIX_INIT_TITLE_PREFIX} for `{cls}`",
        doc.uri,
        doc.version,
        doc,
        doc.byte_of(line, 0),
        f"{indent}{shapes.PREFIX} init: {prob.init_guess}\n",
        [],
    )


def _annotation_fix(session, doc, prob: problem.Problem, params) -> lsp.CodeAction:
    target = prob.target
    anchor = target.start_byte
    if target.kind in ("forward", "triton_kernel"):
        if target.kind == "forward":
            fn_start = target.start_byte
        else:
            # Missing shapes are a launcher's: without one the problem is an error instead.
            assert target.launcher is not None
            fn_start = target.launcher[0]
        node = doc.tree.root_node.named_descendant_for_byte_range(fn_start, fn_start)
        while node is not None and node.type not in ("function_definition", "decorated_definition"):
            node = node.parent
        if (
            node is not None
            and node.parent is not None
            and node.parent.type == "decorated_definition"
        ):
            node = node.parent
        anchor = node.start_byte if node is not None else fn_start
        annotations = pysource.param_annotations(node) if node is not None else {}
    else:
        annotations = {}
    line = doc.position_of_byte(anchor).line
    indent = edits.indent_of(doc.lines[line])
    at = doc.byte_of(line, 0)
    related = [
        d
        for d in (params.context.diagnostics or [])
        if d.source == conv.SOURCE and d.code == names.DIAG_SHAPES_UNKNOWN
    ]
    return conv.quickfix_insert(
        f"{names.QUICKFIX_SHAPES_TITLE_PREFIX} for {', '.join(prob.missing)}",
        doc.uri,
        doc.version,
        doc,
        at,
        shapes.template(prob.missing, indent, annotations),
        related,
    )


def resolve(
    session: Session, action: lsp.CodeAction, caps: lsp.ClientCapabilities
) -> lsp.CodeAction:
    data = action.data
    if not isinstance(data, dict) or data.get("tag") != names.APPLY_DATA_TAG:
        return action  # not ours: clients resolve every action that has no edit
    try:
        cid = str(data["candidateId"])
        uri, version, sig = str(data["uri"]), data["version"], str(data["signature"])
        rank, start, end = int(data["rank"]), int(data["start"]), int(data["end"])
    except (KeyError, TypeError, ValueError):
        raise JsonRpcInvalidParams(f"malformed kernelwright action data: {data!r}") from None
    doc = session.docs.get(uri)
    if doc is None:
        raise JsonRpcInvalidParams(f"document {uri} is not open in the server")
    if version != doc.version:
        raise JsonRpcContentModified(
            f"kernelwright: the document changed since this candidate was listed (version "
            f"{version}, now {doc.version}); ask for code actions again"
        )
    target = detect.target_at(doc, start, end)
    prob = session.problem_for(doc, target) if target is not None else None
    if target is None or prob is None or prob.signature != sig:
        raise JsonRpcContentModified(
            "kernelwright: the selected code is no longer there; ask for code actions again"
        )
    rec = session.index.get(sig)
    cand = next((c for c in rec.candidates if c.id == cid), None) if rec else None
    if cand is None:
        raise JsonRpcInvalidParams(
            f"kernelwright: candidate #{rank} of `{target.name}` is gone; "
            "ask for code actions again"
        )
    if not applicable(cand, prob):
        raise JsonRpcContentModified(f"kernelwright: candidate #{rank}: {RETIRED_REASON}")
    try:
        changes = edits.build_edits(doc, prob, cand.source, rank, action.title)
    except edits.ApplyError as err:
        raise JsonRpcInvalidParams(f"kernelwright: cannot apply candidate #{rank}: {err}") from None
    action.edit = conv.workspace_edit(
        doc,
        uri,
        doc.version,
        changes,
        label=f"Apply kernelwright candidate #{rank}",
        description=f"Insert the generated kernel for `{target.name}` and rewire the call",
        caps=caps,
    )
    return action


def show_candidates(session: Session, args: tuple[Any, ...]) -> dict[str, Any]:
    """`kernelwright.showCandidates` / `kernelwright/candidates`: the ranked list."""
    if len(args) != 1 or not isinstance(args[0], dict) or not isinstance(args[0].get("uri"), str):
        raise JsonRpcInvalidParams(f"expected one argument {{uri[, range]}}, got {list(args)!r}")
    uri = args[0]["uri"]
    doc = session.docs.get(uri)
    if doc is None:
        raise JsonRpcInvalidParams(f"document {uri} is not open in the server")
    pairs = session.records_by_target(doc)
    if args[0].get("range") is not None:
        try:
            s, _ = conv.range_to_bytes(doc, conv.range_from_json(args[0]["range"]))
        except ValueError as err:
            raise JsonRpcInvalidParams(str(err)) from None
        pairs = [(t, r) for t, r in pairs if t.start_byte <= s <= t.end_byte]
    out = []
    for target, rec in pairs:
        for c in rec.candidates:
            speed = c.speedup or {}
            prof = c.profile or {}
            out.append(
                {
                    "id": c.id,
                    "rank": c.rank,
                    "title": candidate_title(names.APPLY_TITLE_PREFIX, c),
                    "target": target.name,
                    "speedupVsEager": speed.get("vs_eager"),
                    "speedupVsCompile": speed.get("vs_compile"),
                    "bottleneck": prof.get("bottleneck"),
                    "peakPercent": prof.get("pct_peak_bw") or prof.get("pct_peak_flops"),
                    "outcome": c.outcome,
                    "jobId": c.job_id,
                }
            )
    return {"candidates": out}
