"""Hover, inlay hints and slow-spot diagnostics from stored results (no LSP connection)."""

from pathlib import Path

from kernelwright.server import detect, diagnostics, hover, lens, names, problem
from kernelwright.server.config import Settings
from kernelwright.server.results import Candidate, Record
from kernelwright.server.session import Session
from lsprotocol import types as lsp

from tests.helpers_candidates import put_record

DATA = Path(__file__).parents[1] / "lsp" / "data"
PROFILE = {
    "bottleneck": "memory-bound",
    "achieved_gbps": 2580.0,
    "pct_peak_bw": 86.0,
    "achieved_tflops": 0.4,
    "pct_peak_flops": 1.0,
}


def stored_record(tmp_path, sample: str, uri: str, needle: bytes, offset: int = 0, **fields):
    """A session with `sample` open and a Record stored for the target at `needle`."""
    session = Session(Settings(store_path=str(tmp_path / "results.sqlite")))
    text = (DATA / sample).read_text()
    doc = session.docs.open(uri, text, 1)
    at = text.encode().index(needle) + offset
    target = detect.target_at(doc, at, at)
    span = doc.source[target.start_byte : target.end_byte].decode()
    put_record(
        session,
        Record(problem.signature(doc, target), doc.uri, target.name, span_text=span, **fields),
    )
    return session, doc, target, at


def hover_text(session, doc, byte: int) -> str:
    pos = doc.position_of_byte(byte)
    h = hover.hover(
        session,
        lsp.HoverParams(lsp.TextDocumentIdentifier(doc.uri), lsp.Position(pos.line, pos.character)),
    )
    return h.contents.value


def inlay_labels(session, doc) -> list:
    hints = lens.inlay_hints(
        session,
        lsp.InlayHintParams(
            lsp.TextDocumentIdentifier(doc.uri), lsp.Range(lsp.Position(0, 0), lsp.Position(99, 0))
        ),
    )
    return [x.label for x in hints]


def session_with_gpu_record(tmp_path, speedup: float):
    session, doc, target, _ = stored_record(
        tmp_path,
        "sample_model.py",
        "file:///m.py",
        b"relu",
        reference={"timing": {"median_ms": 0.42}, "profile": {**PROFILE, "pct_peak_bw": 30.0}},
        candidates=[
            Candidate(
                1,
                "run/n1",
                "src",
                "ok",
                "cuda",
                {"vs_eager": speedup, "vs_compile": 1.3},
                PROFILE,
                {"median_ms": 0.42 / speedup},
            )
        ],
    )
    return session, doc, target


def test_slow_spot_diagnostic_hover_and_inlay(tmp_path):
    session, doc, target = session_with_gpu_record(tmp_path, 2.4)
    diags = diagnostics.compute(session, doc.uri)
    assert len(diags) == 1 and diags[0].severity == lsp.DiagnosticSeverity.Information
    assert diags[0].code == names.DIAG_SLOW_SPOT
    assert (
        "takes 0.42 ms; candidate #1 — 2.4× vs eager · memory-bound · 86% of peak DRAM BW"
        in diags[0].message
    )
    text = hover_text(session, doc, target.start_byte + 7)
    assert "Last measured: 0.42 ms · memory-bound" in text
    assert "Achieved 2,580 GB/s (30% of peak DRAM BW) · 0.40 TFLOP/s (1% of peak)" in text
    assert "Best candidate so far: #1 — 2.4× vs eager" in text
    assert inlay_labels(session, doc) == ["⏱ 0.42 ms → 0.17 ms (#1)"]


def test_no_slow_spot_below_the_threshold(tmp_path):
    session, doc, _ = session_with_gpu_record(tmp_path, 1.1)
    assert diagnostics.compute(session, doc.uri) == []


def test_a_triton_reference_timed_by_the_cpu_interpreter_shows_no_speed_figures(tmp_path):
    """Issue 18: the hover called an interpreter-timed reference "0% of peak"."""
    session, doc, _, at = stored_record(
        tmp_path,
        "sample_triton.py",
        "file:///k.py",
        b"def add_kernel",
        4,
        device="cpu",
        reference={
            "device": "cpu",
            "timing": {"median_ms": 57.2},
            "profile": {**PROFILE, "achieved_gbps": 0.02, "pct_peak_bw": 0.08},
        },
    )
    text = hover_text(session, doc, at)
    assert "**add_kernel**" in text and "Triton runs under its interpreter: no timing" in text
    assert "57" not in text and "GB/s" not in text and "% of peak" not in text, text
    assert "Nothing measured yet" not in text
    assert inlay_labels(session, doc) == []
