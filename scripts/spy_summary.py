"""Where a harness run's processes spent their time, from py-spy's raw samples.

    py-spy record --subprocesses --idle --format raw --rate 20 -o spy.txt -- kernelwright bench ...
    python scripts/spy_summary.py spy.txt [RATE]

Prints, per worker role (runner, judge, other), the seconds sampled inside each of the
harness functions below (a frame anywhere on the stack; nested ones count in each), and
all of the role's samples. Recorded without --idle, seconds are CPU seconds.
"""

from __future__ import annotations

import collections
import gzip
import re
import sys

FUNCTIONS = (
    "import",
    "compile_off_the_gate",
    "verify_trials",
    "verify_other_shapes",
    "compare_outputs",
    "OutputHandover.add",
    "ReplayedCandidate.forward",
    "empty_cache",
    "inputs_unchanged",
    "time_and_profile",
    "reverify_if_suspicious",
    "judge",
    # inside a trial (harness/pipeline.py, harness/verify.py, harness/judge.py)
    "seeded_inputs",
    "derive",
    "reference_defined_on",
    "_reference_output",
    "_float64_reference",
    "_run_candidate",
    "input_digests",
    "poison_allocator",
    "load_reference",
    "check_outputs",
    "check_timing",
    "synchronize",
)


def role(process: str, names: set[str]) -> str:
    """The runner is forked from its judge (harness/judge.py `start_runner`) and shares
    its command line: its stacks pass through the worker's `_serve_as_runner`."""
    if "_serve_as_runner" in names:
        return "runner"
    return "judge" if "--judge" in process else "other"


def summarise(lines, rate: float) -> dict[tuple[str, str], float]:
    seconds: collections.Counter = collections.Counter()
    for line in lines:
        stack, _, count = line.rstrip().rpartition(" ")
        frames = stack.split(";")
        last = max(i for i, f in enumerate(frames) if f.startswith("process "))
        names = {re.sub(r" \(.*", "", f) for f in frames[last + 1 :]}
        if any("_find_and_load" in n for n in names):
            names.add("import")
        seconds[(role(frames[last], names), "(all samples)")] += int(count) / rate
        for name in FUNCTIONS:
            if name in names:
                seconds[(role(frames[last], names), name)] += int(count) / rate
    return dict(seconds)


if __name__ == "__main__":
    path, rate = sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 20.0
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as handle:
        found = summarise(handle, rate)
    print("| role | function | seconds |\n|---|---|---|")
    for (who, name), secs in sorted(found.items()):
        print(f"| {who} | {name} | {secs:.2f} |")
