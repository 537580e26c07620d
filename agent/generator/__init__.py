"""The embedded, deterministic kernel generator.

plan(graph) matches a captured reference (harness/capture.py) to a template
family; config_space/default_config describe its tunable choices; render
writes a standalone candidate module; mutate/crossover move between configs.
Pure Python: nothing here runs the problem or the generated code.
"""

from .choices import (
    gemm_split,
    partition_choices,
    program_default,
    program_for,
    program_mutate,
    program_space,
)
from .config import (
    config_changes,
    config_distance,
    config_space,
    crossover,
    default_config,
    fit_config,
    mutate,
    triton_matmul_default,
)
from .partition import Program, partition
from .plan import FAMILIES, Plan, plan, plan_or_reason
from .render import render, render_program

__all__ = [
    "FAMILIES",
    "Plan",
    "Program",
    "config_changes",
    "config_distance",
    "config_space",
    "crossover",
    "default_config",
    "fit_config",
    "gemm_split",
    "mutate",
    "partition",
    "partition_choices",
    "plan",
    "program_for",
    "plan_or_reason",
    "program_default",
    "program_mutate",
    "program_space",
    "render",
    "render_program",
    "triton_matmul_default",
]
