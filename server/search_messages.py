"""The messages between the language server and its search process, one JSON object a line.

The only module both sides of that boundary import (`server/jobs.py` in the language
server, `server/search_child.py` in the child). Standard library only: the language
server process never imports torch or the agent, so nothing here may either.

    server → child, one line on stdin, then nothing or `cancel`:
      SearchRequest   {"mode": "search", problem_path, budget, time_limit_s, strategy,
                       proposers, device, store_path, out_dir, require_sandbox, model,
                       executor, ray_address}
      ProfileRequest  {"mode": "profile", problem_path, device, store_path}
      cancel          a plain line: stop proposing, report what was evaluated so far
    child → server, on stdout (the child's own prints go to stderr):
      SearchProgress  {"type": "event", kind, evaluated, failed, budget, best_speedup,
                       elapsed_s, time_left_s, node, message}    any number, while it runs
      then exactly one of
      SearchResult    {"type": "report", cancelled, problem, device, search_id, evaluated,
                       best, nodes, baseline, reference, notes}
      ProfileResult   {"type": "profile", profile}
      SearchFailed    {"type": "error", message}

A node (`ReportedNode`) is a whole candidate: its source, outcome, speedup, timing,
baseline, profile and device, as the search measured them. Its id in the results store
is `candidate_id(search_id, node.id)`.

`from_json` checks every field's type and names the first wrong one
(`MessageError: report message: nodes[2].outcome must be str or null, got 3`). Keys a
side does not know are ignored, so either side may add one before the other reads it.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self, Union

CANCEL_LINE = "cancel"


class MessageError(ValueError):
    """A line that is not a message of this protocol, and why."""


class _Request:
    """A server -> child line: `{"mode": MODE, ...fields}`."""

    MODE: ClassVar[str]

    def to_json(self) -> str:
        return _dump({"mode": self.MODE, **_plain(self)})

    @classmethod
    def from_json(cls, line: str | bytes) -> Self:
        what = f"{cls.MODE} request"
        return _decode_dataclass(cls, _load(line, what), what)


class _Reply:
    """A child -> server line: `{"type": TYPE, ...fields}`."""

    TYPE: ClassVar[str]

    def to_json(self) -> str:
        return _dump({"type": self.TYPE, **_plain(self)})

    @classmethod
    def from_json(cls, line: str | bytes) -> Self:
        what = f"{cls.TYPE} message"
        return _decode_dataclass(cls, _load(line, what), what)


# -- the request ---------------------------------------------------------------------


@dataclass(frozen=True)
class SearchRequest(_Request):
    MODE: ClassVar[str] = "search"
    problem_path: str
    budget: int
    time_limit_s: float
    strategy: str
    proposers: tuple[str, ...] | None
    device: str
    store_path: str | None
    out_dir: str | None
    require_sandbox: bool | None = None
    model: str | None = None  # no search reads it yet: the child says so in the notes
    executor: str = "local"  # where candidates run: "local" or "ray" (harness/executors.py)
    ray_address: str | None = None  # the Ray cluster to join; None: a local Ray instance


@dataclass(frozen=True)
class ProfileRequest(_Request):
    MODE: ClassVar[str] = "profile"
    problem_path: str
    device: str = "auto"
    store_path: str | None = None


Request = SearchRequest | ProfileRequest


def read_request(line: str | bytes) -> Request:
    data = _load(line, "request")
    kinds: dict[Any, type[SearchRequest] | type[ProfileRequest]] = {
        SearchRequest.MODE: SearchRequest,
        ProfileRequest.MODE: ProfileRequest,
    }
    cls = kinds.get(data.get("mode"))
    if cls is None:
        raise MessageError(
            f"request: mode must be one of {sorted(kinds)}, got {data.get('mode')!r}"
        )
    return _decode_dataclass(cls, data, f"{cls.MODE} request")


# -- what comes back -------------------------------------------------------------------


@dataclass(frozen=True)
class ReportedNode:
    id: str
    outcome: str | None = None
    proposer: str | None = None
    move: str | None = None
    message: str | None = None
    source: str | None = None  # left out of progress events
    speedup: dict[str, Any] | None = None  # vs_eager, vs_compile
    timing: dict[str, Any] | None = None
    baseline: dict[str, Any] | None = None  # eager_ms, compile_ms
    profile: dict[str, Any] | None = None
    device: str | None = None
    # derived shapes: [{shape, status: verified | original | outside}]
    shapes: list[dict[str, Any]] | None = None
    flags: list[str] | None = None  # the harness's (`no-triton-kernel`, `shape-specific`, ...)


@dataclass(frozen=True)
class SearchProgress(_Reply):
    TYPE: ClassVar[str] = "event"
    kind: str  # proposed | evaluated | new_best | finished | notice
    evaluated: int
    failed: int
    budget: int
    best_speedup: float | None = None
    elapsed_s: float = 0.0
    time_left_s: float | None = None
    node: ReportedNode | None = None
    message: str = ""


@dataclass(frozen=True)
class SearchResult(_Reply):
    TYPE: ClassVar[str] = "report"
    cancelled: bool
    problem: str
    device: str
    evaluated: int
    search_id: str | None = None
    best: ReportedNode | None = None
    nodes: tuple[ReportedNode, ...] = ()
    baseline: dict[str, Any] | None = None  # the labelled torch.compile baseline
    reference: dict[str, Any] | None = None  # the reference's profile
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProfileResult(_Reply):
    TYPE: ClassVar[str] = "profile"
    profile: dict[str, Any] = field(default_factory=dict)  # `kernelwright profile --json`


@dataclass(frozen=True)
class SearchFailed(_Reply):
    TYPE: ClassVar[str] = "error"
    message: str


ChildMessage = SearchProgress | SearchResult | ProfileResult | SearchFailed
_CHILD_TYPES: dict[str, Any] = {
    c.TYPE: c for c in (SearchProgress, SearchResult, ProfileResult, SearchFailed)
}


def read_child_message(line: str | bytes) -> ChildMessage:
    data = _load(line, "message")
    cls = _CHILD_TYPES.get(data.get("type"))  # type: ignore[arg-type]
    if cls is None:
        raise MessageError(
            f"message: type must be one of {sorted(_CHILD_TYPES)}, got {data.get('type')!r}"
        )
    message: ChildMessage = _decode_dataclass(cls, data, f"{cls.TYPE} message")
    return message


def from_dict(cls: type[_T], data: Any, what: str | None = None) -> _T:
    """A message (or node) from a plain dict, checked as `from_json` checks a line; the
    child uses it to turn the search's own dataclasses (as dicts) into messages."""
    return _decode_dataclass(cls, data, what or cls.__name__)


def candidate_id(search_id: str, node_id: str) -> str:
    """A candidate's id in the results store: the run that made it and its node."""
    return f"{search_id}/{node_id}"


def split_candidate_id(value: str) -> tuple[str, str]:
    search_id, sep, node_id = value.rpartition("/")
    if not sep or not search_id or not node_id:
        raise MessageError(f"candidate id must be <search_id>/<node_id>, got {value!r}")
    return search_id, node_id


# -- checking ---------------------------------------------------------------------------

_T = typing.TypeVar("_T")


def _load(line: str | bytes, what: str) -> dict[str, Any]:
    try:
        data = json.loads(line)
    except ValueError as err:
        text = line.decode(errors="replace") if isinstance(line, bytes) else line
        raise MessageError(f"{what}: not JSON ({err}): {text[:200]!r}") from None
    if not isinstance(data, dict):
        raise MessageError(f"{what}: expected a JSON object, got {type(data).__name__}")
    return data


def _dump(data: dict[str, Any]) -> str:
    # default=str: a stray enum or path in a profile is written as its text, never fatal
    return json.dumps(data, default=str)


def _plain(obj: Any) -> dict[str, Any]:
    return dataclasses.asdict(obj)


def _type_name(tp: Any) -> str:
    if tp is type(None):
        return "null"
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        return " or ".join(_type_name(a) for a in typing.get_args(tp))
    if origin in (list, tuple):
        return "list"
    if origin is dict or tp is dict:
        return "object"
    if dataclasses.is_dataclass(tp):
        return "object"
    return getattr(tp, "__name__", str(tp))


def _decode(tp: Any, value: Any, path: str) -> Any:
    origin = typing.get_origin(tp)
    if tp is Any:
        return value
    if origin in (Union, types.UnionType):
        for option in typing.get_args(tp):
            try:
                return _decode(option, value, path)
            except MessageError:
                continue
        raise MessageError(f"{path} must be {_type_name(tp)}, got {value!r:.80}")
    if tp is type(None):
        if value is not None:
            raise MessageError(f"{path} must be null, got {value!r:.80}")
        return None
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return _decode_dataclass(tp, value, path)
    if origin in (list, tuple):
        if not isinstance(value, list | tuple):
            raise MessageError(f"{path} must be a list, got {value!r:.80}")
        item = typing.get_args(tp)[0]
        items = [_decode(item, v, f"{path}[{i}]") for i, v in enumerate(value)]
        return tuple(items) if origin is tuple else items
    if origin is dict or tp is dict:
        if not isinstance(value, dict):
            raise MessageError(f"{path} must be an object, got {value!r:.80}")
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise MessageError(f"{path} must be a number, got {value!r:.80}")
        return float(value)
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise MessageError(f"{path} must be an integer, got {value!r:.80}")
        return value
    if tp in (str, bool):
        if not isinstance(value, tp):
            raise MessageError(f"{path} must be {tp.__name__}, got {value!r:.80}")
        return value
    raise TypeError(f"search_messages cannot check a field of type {tp!r} ({path})")


def _decode_dataclass(cls: type[_T], data: Any, path: str) -> _T:
    if not isinstance(data, dict):
        raise MessageError(f"{path} must be an object, got {data!r:.80}")
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        where = f"{path}.{f.name}" if ":" in path else f"{path}: {f.name}"
        if f.name not in data:
            required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
            if required:
                raise MessageError(f"{where} is missing")
            continue
        values[f.name] = _decode(hints[f.name], data[f.name], where)
    return cls(**values)
