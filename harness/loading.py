"""Worker side: turn problem and candidate source into live modules and models."""

from __future__ import annotations

import hashlib
import linecache
import sys
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import torch
from kernelwright.harness import interpreter_dot, interpreter_handles
from kernelwright.harness.memory import is_out_of_memory
from kernelwright.harness.messages import PROBLEM_IMPORT, PROBLEM_LOADED


class BadInput(Exception):
    """The problem (or the candidate's shape) cannot be used at all: exit 2, nothing stored."""


@dataclass
class Problem:
    module: types.ModuleType
    model_cls: type
    get_inputs: Callable[[], list]
    init_inputs: list
    # KernelBench builds the reference with no .eval(): BatchNorm then uses batch
    # statistics. A problem declares `INFERENCE = True` for a model that runs in eval
    # mode (the language server writes it for code under no_grad()/inference_mode()
    # or on an .eval() model).
    inference: bool = False


def load_module(source: str, path: str, name: str) -> types.ModuleType:
    """Executes source as a real module with a real file name.

    Triton's JIT reads a kernel's source through `inspect`, which needs the
    text in linecache under the module's file name, and the module must be in
    sys.modules for dataclasses and pickling to resolve it.
    """
    interpreter_handles.install()  # tutorial-style `warmup` handles on CPU
    interpreter_dot.install()  # bfloat16 tl.dot on CPU
    module = types.ModuleType(name)
    module.__file__ = path
    linecache.cache[path] = (len(source), None, source.splitlines(True), path)
    sys.modules[name] = module
    code = compile(source, path, "exec")
    exec(code, module.__dict__)
    return module


def _module_name(prefix: str, source: str) -> str:
    return f"_kw_{prefix}_{hashlib.sha256(source.encode()).hexdigest()[:12]}"


def load_problem(source: str, path: str, channel: Any = None) -> Problem:
    """The problem module, imported and checked. With a channel, the parent hears when the
    import is done: until then a hang or an exit is the problem's fault (harness/pool.py)."""
    if channel is not None:
        channel.send("progress", {"phase": PROBLEM_IMPORT})
    try:
        module = load_module(source, path, _module_name("problem", source))
    except SystemExit as err:
        raise BadInput(
            f"the problem called sys.exit({err.code!r}) at import; a problem "
            "file must only define Model, get_inputs and get_init_inputs"
        ) from None
    except Exception as err:  # the user's file: any failure is bad input
        raise _bad_input("the problem failed to import", err) from err
    model_cls = getattr(module, "Model", None)
    if not isinstance(model_cls, type) or not issubclass(model_cls, torch.nn.Module):
        raise BadInput("the problem's `Model` is not an nn.Module subclass")
    get_inputs = getattr(module, "get_inputs", None)
    if not callable(get_inputs):
        raise BadInput("the problem defines no callable get_inputs()")
    get_init = getattr(module, "get_init_inputs", None)
    try:
        init_inputs = list(get_init()) if callable(get_init) else []
    except Exception as err:
        raise _bad_input("get_init_inputs() failed", err) from err
    sample = _sample_inputs(get_inputs)
    if not isinstance(sample, (list, tuple)):
        raise BadInput(f"get_inputs() must return a list, got {type(sample).__name__}")
    if channel is not None:
        channel.send("progress", {"phase": PROBLEM_LOADED})
    declared = getattr(module, "INFERENCE", False)
    if not isinstance(declared, bool):
        raise BadInput(f"INFERENCE must be True or False, not {declared!r}")
    return Problem(module, model_cls, get_inputs, init_inputs, inference=declared)


def _sample_inputs(get_inputs: Callable[[], list]) -> Any:
    """One call of get_inputs(), to check what it returns: on the meta device first, so
    a problem of several GB is not drawn on the CPU in every job only to be thrown away
    (4-7 GB of random numbers, seconds each time). A problem that reads values back
    (`.item()`) is called once more on real tensors, and its error is the one reported."""
    try:
        with torch.device("meta"):
            return get_inputs()
    except Exception:  # noqa: BLE001 - the real call below says what is wrong, if anything
        pass
    try:
        return get_inputs()
    except Exception as err:
        raise _bad_input("get_inputs() failed", err) from err


def build_reference(problem: Problem, seed: int, device: torch.device) -> torch.nn.Module:
    torch.manual_seed(seed)
    try:
        model = problem.model_cls(*problem.init_inputs)
    except Exception as err:
        raise _bad_input("Model(*get_init_inputs()) failed", err) from err
    return model.to(device).train(not problem.inference)


def _bad_input(what: str, err: Exception) -> BadInput:
    """A problem that fails is bad input, unless the GPU ran out of memory: then the
    device was too full, and the job runs again alone (harness/evaluate.py)."""
    if is_out_of_memory(err):
        raise err
    return BadInput(f"{what}: {type(err).__name__}: {err}")


def build_candidate(
    module: types.ModuleType,
    problem: Problem,
    reference: torch.nn.Module,
    seed: int,
    device: torch.device,
) -> tuple[torch.nn.Module, list[str]]:
    """Builds ModelNew with the reference's seed and copies weights (and buffers kept out of
    the state_dict) where names match.

    Returns the model and the state_dict keys that were copied, so a report
    can say which weights were shared.
    """
    torch.manual_seed(seed)
    candidate = module.ModelNew(*problem.init_inputs)
    candidate = candidate.to(device).train(reference.training)  # the reference's mode
    ref_state = reference.state_dict()
    cand_state = candidate.state_dict()
    shared = {
        k: v for k, v in ref_state.items() if k in cand_state and cand_state[k].shape == v.shape
    }
    if shared:
        candidate.load_state_dict(shared, strict=False)
    return candidate, sorted([*shared, *_copy_unsaved_buffers(reference, candidate, ref_state)])


def _copy_unsaved_buffers(
    reference: torch.nn.Module, candidate: torch.nn.Module, saved: Mapping[str, Any]
) -> list[str]:
    """Buffers registered with `persistent=False` are in no state_dict, yet model code keeps
    its tables there (Hugging Face's rotary `cos_cached`/`sin_cached`, causal masks): a
    candidate that registered one under the same name got its own zeros instead. Copied
    where a buffer of that name and shape exists on the candidate; returns their names."""
    copied = []
    with torch.no_grad():
        for name, value in reference.named_buffers():
            if name in saved or value is None:
                continue
            try:
                mine = candidate.get_buffer(name)
            except AttributeError:
                continue
            if isinstance(mine, torch.Tensor) and mine.shape == value.shape:
                mine.copy_(value)
                copied.append(name)
    return copied


def move_inputs(inputs: list, device: torch.device) -> list[Any]:
    return [x.to(device) if isinstance(x, torch.Tensor) else x for x in inputs]
