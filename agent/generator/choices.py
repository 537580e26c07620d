"""The partitions a search chooses among, and their configs.

`partition_choices`: the default partition (partition.py) first, then each template
stage's core op run as PyTorch runs it instead, then all of them; `gemm_split` and the
library-first choice a family asks for. `program_default`, `program_space` and
`program_mutate` move one stage's config at a time with the others at their default.
"""

from __future__ import annotations

from .expr import Unsupported
from .families import family_of
from .partition import Program, Stage, partition
from .rewrites import expanded

GEMM_FAMILIES = frozenset(["matmul", "conv"])


def partition_choices(graph: dict) -> list[Program]:
    """The default partition first, then each template stage's core op run as
    PyTorch runs it instead (cuBLAS, cuDNN, the ATen op, with the pointwise work
    around it still fused), then all of them at once: where no template beats
    the library call, the search measures the library call.

    Raises Unsupported (with the default partition's sentence) when there is none."""
    default = partition(graph)
    callable_nodes = _callable(graph)
    template_stages = _choosable(default, callable_nodes)
    cores = [stage.head for stage in template_stages if stage.head is not None]
    first = _library_first(graph, default, callable_nodes)
    choices, seen = [first], {first.op}
    if default.op not in seen:
        seen.add(default.op)
        choices.append(default)
    gemms = _gemm_set(template_stages, len(default.template_stages()))
    sets = [gemms] if gemms else []
    sets += [frozenset([core]) for core in cores]
    if len(cores) > 2:  # every core op but one as PyTorch runs it (two cuBLAS matmuls
        # around a Triton softmax: explicit attention where no fused template wins)
        sets += [frozenset(cores) - {core} for core in cores]
    if len(cores) > 1:
        sets.append(frozenset(cores))
    for library in sets:
        try:
            program = partition(graph, library)
        except Unsupported:  # e.g. nothing left for Triton: the PyTorch op is the answer
            continue
        if program.op not in seen:
            seen.add(program.op)
            choices.append(program)
    return choices


def _choosable(default: Program, callable_nodes: set[str]) -> list[Stage]:
    """The default partition's template stages whose core op could run as PyTorch's."""
    return [s for s in default.stages if s.plan is not None and s.head in callable_nodes]


def _gemm_set(template_stages: list[Stage], triton_stages: int) -> frozenset[str]:
    """The GEMMs (matmul, conv) among the `template_stages` (those whose core op could
    run as PyTorch's), to run as the vendor library runs them with the rest in Triton:
    the split where each side does what it is best at (tried early). Empty where
    there are none, or where they are all `triton_stages` there are (nothing would
    stay in Triton). A stage of pointwise work alone counts: after cuDNN's conv1d
    and a transpose kept as a view, the GELU of benchmarks/corpus/166 stays in Triton."""
    gemms = frozenset(
        s.head
        for s in template_stages
        if s.head is not None and s.plan is not None and s.plan.family in GEMM_FAMILIES
    )
    return gemms if len(gemms) < triton_stages else frozenset()


def gemm_split(graph: dict) -> Program | None:
    """The partition with the graph's GEMMs as library calls and its other core ops in
    Triton, where the graph has both kinds; else None. For graphs one template covers
    whole (attention written as two matmuls around a softmax; a depthwise conv1d
    between transposes, benchmarks/corpus/166), the search measures this beside the
    template: cuBLAS's fp32 GEMMs around a fused Triton softmax, cuDNN's conv with
    the transposes kept as views and the GELU in Triton."""
    try:
        default = partition(graph)
    except Unsupported:
        return None
    gemms = _gemm_set(_choosable(default, _callable(graph)), len(default.template_stages()))
    if not gemms:
        return None
    try:
        return partition(graph, gemms)
    except Unsupported:
        return None


def _library_first(graph: dict, default: Program, callable_nodes: set[str]) -> Program:
    """The default partition with the stages whose family expects PyTorch's op to win
    (Family.library_first) run as that op, where a Triton stage remains; else the
    default itself."""
    losing = frozenset(
        stage.head
        for stage in default.stages
        if stage.plan is not None
        and stage.head in callable_nodes
        and (prefer := family_of(stage.plan.family).library_first) is not None
        and prefer(stage.plan)
    )
    if not losing:
        return default
    try:
        return partition(graph, losing)
    except Unsupported:  # nothing left for Triton: the template is the candidate
        return default


def _callable(graph: dict) -> set[str]:
    """Captured nodes a candidate can call as PyTorch ops (not torch.fx module calls),
    less those a rewrite marked as no choice of their own (rewrites.py)."""
    return {
        node["name"]
        for node in expanded(graph).get("nodes", [])
        if node["op"].startswith(("aten.", "torch.", "operator.", "F.", "method:"))
        and node.get("library_choice", True)
    }


def program_for(choices: list[Program], config: dict) -> Program:
    """The partition a program config was made for (its "library" key)."""
    library = tuple(config.get("library") or ())
    for program in choices:
        if program.library == library:
            return program
    raise ValueError(f"no partition runs {list(library)} as PyTorch ops")


# --- configs: one per template stage -----------------------------------------


def program_default(program: Program, device: dict) -> dict:
    from .config import default_config

    return {
        **program.choice,
        **{f"s{k}": default_config(plan, device) for k, plan in program.template_plans()},
    }


def program_space(program: Program, device: dict) -> list[dict]:
    """The default first, then every stage's own configs with the other stages at default
    (the product of the stages' spaces is too big to list and mostly redundant:
    stages run one after another, so each one's best config is its own)."""
    from .config import config_space

    default = program_default(program, device)
    space = [default]
    for k, plan in program.template_plans():
        for config in config_space(plan, device):
            candidate = {**default, f"s{k}": config}
            if candidate not in space:
                space.append(candidate)
    return space


def program_mutate(
    program: Program, config: dict, rng, device: dict | None = None
) -> tuple[dict, str]:
    from .config import mutate

    k = rng.choice(program.template_stages())
    child, move = mutate(program.stages[k].plan, config[f"s{k}"], rng, device)
    return {**config, f"s{k}": child}, f"stage {k} ({program.stages[k].label}): {move}"
