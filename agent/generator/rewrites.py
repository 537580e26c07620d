"""The capture rewritten into ops the planner has templates for (`expanded`).

Each rewrite takes one raw node of harness/capture.py's graph and returns the ATen
nodes it stands for, the last named as the node, so readers of it are unchanged and
every node keeps a callable target (partition.py can still run any of them as the
PyTorch op). Pure dict work over the capture; canonical kinds come after
(graph.canonical_ops).
"""

from __future__ import annotations


def expanded(graph: dict) -> dict:
    """The capture with ops the planner has no single kernel for spelled, as raw ATen
    nodes, as ops it has (each rewrite below says which); every node keeps a callable
    target, so any of them can still run as the PyTorch op (partition.py)."""
    nodes, changed = [], False
    shapes = {e["name"]: e.get("shape") for e in graph.get("inputs", []) + graph.get("params", [])}
    seen: dict[str, dict] = {}
    for node in graph.get("nodes", []):
        shapes[node["name"]] = node.get("shape")
        seen[node["name"]] = node
        rewritten = (
            _addmm_as_matmul(node)
            or _einsum_as_matmul(node, shapes)
            or _triplet_margin_loss(node, shapes)
            or _batch_norm_with_batch_statistics(node)
            or _layer_norm_between_permutes(node, seen)
            or _split_item_as_slice(node, seen, shapes)
            or _vector_norm_as_reduction(node, shapes)
        )
        nodes += rewritten or [node]
        changed = changed or bool(rewritten)
    if not changed:
        return graph
    return {**graph, "nodes": _without_unread_splits(nodes, graph.get("outputs", []))}


_SPLITS = ("aten.split", "aten.chunk")


def _split_item_as_slice(node: dict, seen: dict[str, dict], shapes: dict) -> list[dict] | None:
    """`q, k, v = x.split(n_embd, dim=2)` (nanoGPT's attention) and `x.chunk(2, -1)`
    (gated MLPs) capture as one node with a tuple result, which has no shape, and a
    `getitem` per piece: each piece is the slice of x it is, so it plans like any
    other view. The node keeps its name; `_without_unread_splits` drops the tuple."""
    args = node.get("args") or []
    if node["op"] != "operator.getitem" or len(args) != 2 or not isinstance(args[1], int):
        return None
    split = _source_node(node, seen)
    if split is None or not split["op"].startswith(_SPLITS):
        return None
    source, bounds = split["args"][0], _split_bounds(split, shapes)
    if bounds is None or not 0 <= args[1] < len(bounds) - 1 or not isinstance(source, dict):
        return None
    dim = _split_dim(split, shapes)
    start, end = bounds[args[1]], bounds[args[1] + 1]
    return [{**node, "op": "aten.slice.Tensor", "args": [source, dim, start, end], "kwargs": {}}]


def _split_dim(split: dict, shapes: dict) -> int:
    args, kwargs = split["args"], split.get("kwargs") or {}
    dim = kwargs.get("dim", args[2] if len(args) > 2 else 0)
    rank = len(shapes.get(args[0].get("ref"), None) or ()) if isinstance(args[0], dict) else 0
    return dim + rank if dim < 0 else dim


def _split_bounds(split: dict, shapes: dict) -> list[int] | None:
    """The pieces' boundaries along the split dim: [0, end of piece 0, ...], or None."""
    args = split["args"]
    source = args[0]
    shape = shapes.get(source.get("ref")) if isinstance(source, dict) else None
    if not shape or len(args) < 2:
        return None
    size = shape[_split_dim(split, shapes)]
    if split["op"].startswith("aten.chunk"):
        chunks = args[1]
        step = -(-size // chunks) if isinstance(chunks, int) and chunks > 0 else 0
        sizes = [min(step, size - i) for i in range(0, size, step)] if step else []
    elif isinstance(args[1], (list, tuple)):
        sizes = list(args[1])
    elif isinstance(args[1], int) and args[1] > 0:
        sizes = [min(args[1], size - i) for i in range(0, size, args[1])]
    else:
        return None
    if not sizes or sum(sizes) != size or not all(isinstance(n, int) for n in sizes):
        return None
    bounds = [0]
    for n in sizes:
        bounds.append(bounds[-1] + n)
    return bounds


def _without_unread_splits(nodes: list[dict], outputs: list) -> list[dict]:
    """The split and chunk nodes whose every piece became a slice: nothing reads them."""
    read = {
        arg["ref"]
        for node in nodes
        for arg in [*(node.get("args") or []), *(node.get("kwargs") or {}).values()]
        if isinstance(arg, dict) and "ref" in arg
    }
    return [
        n
        for n in nodes
        if not (n["op"].startswith(_SPLITS) and n["name"] not in read and n["name"] not in outputs)
    ]


def _vector_norm_as_reduction(node: dict, shapes: dict) -> list[dict] | None:
    """`F.normalize` and `x.norm(dim=-1, keepdim=True)` (CLIP's and SimCLR's embeddings)
    capture as aten.linalg_vector_norm, which no template has: over given dims, the
    2-norm is sqrt(sum(x * x)), the 1-norm sum(|x|), the inf-norm amax(|x|), a reduction
    with its pointwise work fused (and the division after it, a kernel more)."""
    if not node["op"].startswith("aten.linalg_vector_norm"):
        return None
    args, kwargs = node.get("args") or [], node.get("kwargs") or {}
    source = args[0] if args else None
    order = kwargs.get("ord", args[1] if len(args) > 1 else 2)
    dims = kwargs.get("dim", args[2] if len(args) > 2 else None)
    keepdim = kwargs.get("keepdim", args[3] if len(args) > 3 else False)
    if kwargs.get("dtype") is not None or len(args) > 4 or not isinstance(source, dict):
        return None
    if not isinstance(dims, list) or not dims or order not in (1, 2, float("inf")):
        return None
    name, shape, dtype = node["name"], node.get("shape"), node.get("dtype")
    whole = shapes.get(source.get("ref"))
    if order == 2:
        each = _raw_node(f"{name}__square", "aten.mul.Tensor", [source, source], whole, dtype)
        total = _raw_node(
            f"{name}__sum",
            "aten.sum.dim_IntList",
            [{"ref": each["name"]}, dims, keepdim],
            shape,
            dtype,
        )
        return [
            each,
            total,
            _raw_node(name, "aten.sqrt.default", [{"ref": total["name"]}], shape, dtype),
        ]
    each = _raw_node(f"{name}__abs", "aten.abs.default", [source], whole, dtype)
    reduce = "aten.sum.dim_IntList" if order == 1 else "aten.amax.default"
    return [each, _raw_node(name, reduce, [{"ref": each["name"]}, dims, keepdim], shape, dtype)]


def _raw_node(name: str, op: str, args: list, shape, dtype) -> dict:
    """A node as harness/capture.py writes them, for an op a rewrite adds."""
    return {"name": name, "op": op, "args": args, "kwargs": {}, "shape": shape, "dtype": dtype}


def _addmm_as_matmul(node: dict) -> list[dict] | None:
    """aten.addmm(bias, a, b, beta=1, alpha=1) as the matmul and the pointwise work it
    stands for, the last node named as the addmm: the bias fuses into the epilogue.
    baddbmm likewise, with bmm (BLOOM's and GPT-NeoX's scores: alibi + alpha * q @ k)."""
    product_op = next(
        (
            mm
            for op, mm in (("aten.addmm", "aten.mm"), ("aten.baddbmm", "aten.bmm"))
            if node["op"].startswith(op)
        ),
        None,
    )
    if product_op is None or len(node.get("args") or []) < 3:
        return None
    bias, a, b = node["args"][:3]
    args, kwargs = node["args"], node.get("kwargs") or {}
    beta = kwargs.get("beta", args[3] if len(args) > 3 else 1)
    alpha = kwargs.get("alpha", args[4] if len(args) > 4 else 1)
    name, shape, dtype = node["name"], node.get("shape"), node.get("dtype")
    nodes = [_raw_node(f"{name}__mm", product_op, [a, b], shape, dtype)]
    product = {"ref": nodes[-1]["name"]}
    if alpha != 1:
        nodes.append(_raw_node(f"{name}__alpha", "aten.mul.Tensor", [product, alpha], shape, dtype))
        product = {"ref": nodes[-1]["name"]}
    if beta != 1:  # shape left unknown: the epilogue reads the bias through its
        # broadcast rule and scales it there (a known smaller shape ends a kernel)
        nodes.append(_raw_node(f"{name}__beta", "aten.mul.Tensor", [bias, beta], None, dtype))
        bias = {"ref": nodes[-1]["name"]}
    return [*nodes, {**node, "op": "aten.add.Tensor", "args": [product, bias], "kwargs": {}}]


def _layer_norm_between_permutes(node: dict, seen: dict[str, dict]) -> list[dict] | None:
    """`x.permute(0, 2, 3, 1)` -> LayerNorm(C) -> `.permute(0, 3, 1, 2)` (ConvNeXt's and
    many vision models' channels-first layer norm) is a layer norm over dim 1 of x
    itself: one kernel reading x in place instead of two copies around a norm
    (0.82x eager on an H200 as three kernels,
    benchmarks/results/h200-2026-12-01-corpus-bench, problem 165). The node keeps
    its name; `channel_layer_norm(x, dim, normalized_shape, weight, bias, eps)`
    has no PyTorch spelling, so it never runs as a library call."""
    if not node["op"].startswith("aten.permute"):
        return None
    norm = _source_node(node, seen)
    if norm is None or not norm["op"].startswith("aten.layer_norm"):
        return None
    first = _source_node(norm, seen)
    args = norm.get("args") or []
    if (
        first is None
        or not first["op"].startswith("aten.permute")
        or len(args) < 2
        or not isinstance(args[1], list)
        or len(args[1]) != 1
    ):
        return None
    into, back = first["args"][1], node["args"][1]
    if not (isinstance(into, list) and isinstance(back, list) and len(into) == len(back)):
        return None
    rank = len(into)
    dim = into[-1] % rank
    if [d % rank for d in into] != [d for d in range(rank) if d != dim] + [dim]:
        return None
    if [into[d] % rank for d in [b % rank for b in back]] != list(range(rank)):
        return None
    weight, bias = (args[i] if len(args) > i else None for i in (2, 3))
    eps = norm.get("kwargs", {}).get("eps", args[4] if len(args) > 4 else 1e-5)
    return [
        {
            **node,
            "op": "kernelwright.channel_layer_norm",
            "args": [first["args"][0], dim, args[1], weight, bias, eps],
            "kwargs": {},
        }
    ]


def _source_node(node: dict, seen: dict[str, dict]) -> dict | None:
    """The node that `node` reads as its first argument (None for an input)."""
    args = node.get("args") or []
    if not args:
        return None
    source = args[0]
    return seen.get(source["ref"]) if isinstance(source, dict) and "ref" in source else None


def _batch_norm_with_batch_statistics(node: dict) -> list[dict] | None:
    """Batch norm in training mode (KernelBench's reference mode) normalises with the
    batch's statistics: the batch's per-channel mean and biased variance over every
    dim but the channels, then the same batch norm reading them as its statistics,
    which fuses as a pointwise op with the work around it. The reference also
    updates its running statistics; the output does not read them.

    The statistics are spelled as reductions over adjacent dims, which the
    reduction template covers: over each (sample, channel) plane first, then over
    the samples; the variance as the mean of the squared deviation from that
    mean (two passes, centred: no cancellation at large magnitudes), its
    subtraction and square fused into the plane reduction. As one ATen mean and
    one var over the non-adjacent dims (0, 2) the statistics took longer than the
    normalisation on an H200: 0.87x eager on problem 195 of benchmarks/corpus
    (benchmarks/results/h200-2026-12-02-corpus-families-bench)."""
    args = node.get("args") or []
    if not (
        node["op"].startswith("aten.batch_norm")
        and len(args) > 5
        and args[5] is True
        and node.get("shape")
        and len(node["shape"]) >= 2
    ):
        return None
    shape, dtype, name = list(node["shape"]), node.get("dtype"), node["name"]
    rank, channels = len(shape), shape[1]
    planes = list(range(2, rank))
    nodes: list[dict] = []

    def mean_over_channels(value: dict, label: str) -> dict:
        """The per-channel mean of `value` (shaped like the input) as adjacent-dim means."""
        if planes:
            nodes.append(
                _raw_node(
                    f"{name}__plane_{label}",
                    "aten.mean.dim",
                    [value, planes, False],
                    shape[:2],
                    dtype,
                )
            )
            value = {"ref": nodes[-1]["name"]}
        nodes.append(
            _raw_node(
                f"{name}__batch_{label}", "aten.mean.dim", [value, [0], False], [channels], dtype
            )
        )
        return {"ref": nodes[-1]["name"]}

    mean = mean_over_channels(args[0], "mean")
    per_channel = mean
    if planes:  # [C] -> [C, 1, ...]: broadcast against [N, C, *spatial]
        view = [channels] + [1] * len(planes)
        nodes.append(
            _raw_node(f"{name}__mean_view", "aten.view.default", [mean, view], view, dtype)
        )
        per_channel = {"ref": nodes[-1]["name"]}
    nodes.append(
        _raw_node(f"{name}__centred", "aten.sub.Tensor", [args[0], per_channel], shape, dtype)
    )
    centred = {"ref": nodes[-1]["name"]}
    nodes.append(_raw_node(f"{name}__squared", "aten.mul.Tensor", [centred, centred], shape, dtype))
    var = mean_over_channels({"ref": nodes[-1]["name"]}, "var")
    # Their template stages are the plan; each as its own ATen call would only add
    # passes, so the search does not spend candidates on them (partition_choices).
    nodes = [{**n, "library_choice": False} for n in nodes]
    return [*nodes, {**node, "args": [*args[:3], mean, var, False, *args[6:]]}]


def _einsum_as_matmul(node: dict, shapes: dict) -> list[dict] | None:
    """torch.einsum of two operands that is a (batched) matmul, "bik,bkj->bij", either
    operand's last two letters possibly swapped ("bqd,bkd->bqk": a transpose, which
    the matmul template reads through strides)."""
    if not node["op"].startswith("aten.einsum") or len(node.get("args") or []) != 2:
        return None
    equation, operands = node["args"]
    if not isinstance(equation, str) or not isinstance(operands, list) or len(operands) != 2:
        return None
    spec = equation.replace(" ", "")
    if spec.count("->") != 1 or "." in spec or spec.count(",") != 1:
        return None
    inputs, out = spec.split("->")
    left, right = inputs.split(",")
    if not len(left) == len(right) == len(out) >= 2 or not left[:-2] == right[:-2] == out[:-2]:
        return None
    if len(set(out)) != len(out):
        return None
    m, n = out[-2], out[-1]
    shared = (set(left[-2:]) & set(right[-2:])) - {m, n}
    if len(shared) != 1:
        return None
    k = shared.pop()
    if left[-2:] not in (m + k, k + m) or right[-2:] not in (k + n, n + k):
        return None
    added, args = [], []
    for index, (operand, swapped) in enumerate(
        ((operands[0], left[-2:] == k + m), (operands[1], right[-2:] == n + k))
    ):
        if not swapped:
            args.append(operand)
            continue
        shape = shapes.get(operand.get("ref")) if isinstance(operand, dict) else None
        if not shape:
            return None
        name = f"{node['name']}__t{index}"
        shapes[name] = [*shape[:-2], shape[-1], shape[-2]]
        added.append(
            _raw_node(
                name, "aten.transpose.int", [operand, -2, -1], shapes[name], node.get("dtype")
            )
        )
        args.append({"ref": name})
    return [*added, {**node, "op": "aten.matmul", "args": args, "kwargs": {}}]


def _triplet_margin_loss(node: dict, shapes: dict) -> list[dict] | None:
    """aten.triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap, reduction)
    as the distances, hinge and reduction it is: ||a - p + eps||_p per row (torch's
    pairwise_distance), max(d(a, p) - d(a, n) + margin, 0), then mean or sum."""
    if not node["op"].startswith("aten.triplet_margin_loss"):
        return None
    args = list(node.get("args") or [])
    args += [None, None, None, 1.0, 2.0, 1e-6, False, 1][len(args) :]
    anchor, positive, negative, margin, norm, eps, swap, reduction = args[:8]
    shape = shapes.get(anchor.get("ref")) if isinstance(anchor, dict) else None
    if swap or norm not in (1, 2) or reduction not in (0, 1, 2) or not shape:
        return None
    name, dtype, rows = node["name"], node.get("dtype"), list(shape[:-1])
    nodes: list[dict] = []

    def add(suffix, op, op_args, out_shape) -> dict:
        nodes.append(_raw_node(f"{name}__{suffix}", op, op_args, out_shape, dtype))
        return {"ref": nodes[-1]["name"]}

    distances = []
    for tag, other in (("ap", positive), ("an", negative)):
        shifted = add(
            f"{tag}_eps",
            "aten.add.Tensor",
            [add(f"{tag}_diff", "aten.sub.Tensor", [anchor, other], shape), eps],
            shape,
        )
        power = (
            add(f"{tag}_sq", "aten.pow.Tensor_Scalar", [shifted, 2], shape)
            if norm == 2
            else add(f"{tag}_abs", "aten.abs", [shifted], shape)
        )
        total = add(f"{tag}_sum", "aten.sum.dim_IntList", [power, [-1]], rows)
        distances.append(add(tag, "aten.sqrt", [total], rows) if norm == 2 else total)
    gap = add("gap", "aten.sub.Tensor", distances, rows)
    hinge = add(
        "hinge",
        "aten.clamp_min",
        [add("margin", "aten.add.Tensor", [gap, margin], rows), 0.0],
        rows,
    )
    if reduction == 0:
        nodes[-1]["name"] = name
        return nodes
    op = "aten.mean" if reduction == 1 else "aten.sum"
    return [*nodes, {**node, "op": op, "args": [hinge], "kwargs": {}}]
