#!/usr/bin/env python3
"""PyTorch's own OpInfo / ModuleInfo test inputs as losskit golden fixtures.

Draws the `sample_inputs`, `reference_inputs` and `error_inputs` of every op in
`torch.testing._internal.common_methods_invocations.op_db` that maps to a losskit function, and the
inputs and error inputs of the loss modules of `torch.testing._internal.common_modules.module_db`,
in float32 and float64. For each case it records the losskit call (tensors, options with losskit's
camelCase names), PyTorch's value and every gradient (autograd with a seeded random upstream
gradient), or, for an error input, that PyTorch raises and its message. A case losskit cannot
express gets a category and a reason instead of a call; the counts per op and category go into
the fixture and into docs/opinfo.md.

    .venv-ref/bin/python scripts/generate_opinfo.py    # writes test/fixtures/opinfo/*.json, docs/opinfo.md

Seeded (torch's generator is reseeded from the op's name before each draw; the upstream gradients
come from a numpy generator seeded per case): a rerun writes the same bytes for the same torch.

Tensor encoding: {"shape", "dtype", "b64"} with the little-endian bytes of the float32/float64
values (bit-exact, and a third of the size of decimal JSON), or {"shape", "dtype": "int32",
"data"} for integers. PyTorch's int64 becomes int32 (losskit's integer dtype) when it fits.
"""

import base64
import hashlib
import json
import math
import pathlib
import random
import sys
import tempfile
import warnings
import zlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "test" / "fixtures" / "opinfo"
DOC = ROOT / "docs" / "opinfo.md"


def stub_expecttest():
    """torch.testing._internal imports `expecttest` (not installed, not installable here): a stub
    module with the one name it uses, in a temporary folder removed at exit."""
    folder = tempfile.TemporaryDirectory(prefix="losskit-expecttest-")
    (pathlib.Path(folder.name) / "expecttest.py").write_text("import unittest\n\n\nclass TestCase(unittest.TestCase):\n    pass\n")
    sys.path.insert(0, folder.name)
    return folder


EXPECTTEST_STUB = stub_expecttest()
# PyTorch warns on its own samples (broadcasting targets, deprecated arguments): not our output.
warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch.testing._internal.common_methods_invocations import op_db  # noqa: E402
from torch.testing._internal.common_modules import module_db  # noqa: E402

torch.set_num_threads(1)

REFERENCES = {"torch": torch.__version__, "numpy": np.__version__, "python": sys.version.split()[0]}
DTYPES = {"float32": torch.float32, "float64": torch.float64}

# The committed fixtures must stay small: at most this many bytes of JSON per op and dtype, cases
# taken in PyTorch's order; the cases beyond it are counted under 'size-cap', not stored.
BUDGET = 8_000_000


class Inexpressible(Exception):
    def __init__(self, category, reason):
        super().__init__(reason)
        self.category = category
        self.reason = reason


CATEGORIES = {
    "broadcast": "input and target shapes differ where PyTorch broadcasts: losskit refuses (README, 'Where losskit deliberately differs')",
    "dtype-kwarg": "a dtype= keyword (compute in another dtype): losskit has no such option; cast the input instead",
    "legacy-option": "the deprecated size_average / reduce arguments: losskit has reduction only",
    "multiple-dims": "a reduction over several dimensions at once: losskit's logSumExp takes one dim",
    "weight-shape": "a class weight that is not [C] (e.g. a scalar broadcast): losskit takes one weight per class",
    "weight-broadcast": "an elementwise weight broadcast to the input's shape from a shape losskit does not broadcast",
    "int64-range": "an int64 value beyond 2^53: JavaScript numbers cannot hold it exactly",
    "float-lengths": "CTC lengths of a floating dtype",
    "unsupported-option": "an option losskit does not have",
    "dtype": "a tensor of a dtype losskit does not have (float16, bfloat16): losskit holds float32, float64, int32",
    "complex": "a complex number: JavaScript has none",
    "module-constructor": "an error raised by a module's constructor: losskit has no modules",
    "size-cap": f"beyond the fixture's budget of {BUDGET // 1000} kB of JSON per op and dtype (PyTorch's order): not stored, counted here",
    "pytorch-no-error-on-cpu": "an error input PyTorch does not raise on CPU (a CUDA-only check)",
}


# ---------------------------------------------------------------------------------------------
# Encoding


def enc(t):
    if t is None:
        return None
    t = t.detach()
    if not t.is_floating_point():
        values = [int(v) for v in t.reshape(-1).tolist()]
        if any(abs(v) > 2**53 for v in values):
            raise Inexpressible("int64-range", f"value {max(values, key=abs)} does not fit in a double")
        if all(-(2**31) <= v < 2**31 for v in values):
            return {"shape": list(t.shape), "dtype": "int32", "data": values}
        return {"shape": list(t.shape), "dtype": "float64", "b64": base64.b64encode(np.asarray(values, dtype="<f8").tobytes()).decode()}
    if t.dtype not in (torch.float32, torch.float64):
        raise Inexpressible("dtype", f"a {t.dtype} tensor")
    name = "float32" if t.dtype == torch.float32 else "float64"
    raw = t.contiguous().numpy().astype("<f4" if name == "float32" else "<f8").tobytes()
    return {"shape": list(t.shape), "dtype": name, "b64": base64.b64encode(raw).decode()}


def option_value(v):
    if isinstance(v, torch.Tensor):
        return enc(v)
    if isinstance(v, float) and not math.isfinite(v):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
    return v


def seed_of(*parts):
    return zlib.crc32("/".join(map(str, parts)).encode())


def reseed(*parts):
    """Seeds the generators PyTorch's input functions draw from: torch's, and Python's `random`
    (gaussian_nll_loss's eps, for one)."""
    seed = seed_of(*parts)
    torch.manual_seed(seed)
    random.seed(seed)


# ---------------------------------------------------------------------------------------------
# Mapping PyTorch calls to losskit calls


def as_tensor(v, like=None):
    """A PyTorch argument as a tensor (lists of lengths, Python numbers)."""
    if isinstance(v, torch.Tensor):
        return v
    if isinstance(v, (list, tuple)):
        return torch.tensor(v)
    return torch.tensor(v, dtype=like.dtype if like is not None else None)


def take(kwargs, mapping, fn):
    """Renames PyTorch keywords to losskit options; legacy keywords are inexpressible."""
    options = {}
    for k, v in kwargs.items():
        if k in ("size_average", "reduce"):
            if v is None:
                continue
            raise Inexpressible("legacy-option", f"{k}={v}")
        if k not in mapping:
            raise Inexpressible("unsupported-option", f"{fn} has no option {k}")
        if v is None:
            continue
        options[mapping[k]] = v
    return options


# Error inputs are mapped with the shape rules off (shapes of tensors and weights): a shape losskit
# refuses is then the error expected.
STRICT = {"shapes": True}


def same_shape_or_broadcast(fn, a, b, what):
    if STRICT["shapes"] and tuple(a.shape) != tuple(b.shape):
        raise Inexpressible("broadcast", f"{fn}: {what} {list(b.shape)} against {list(a.shape)}")


REDUCTION = {"reduction": "reduction"}


def elementwise(fn, extra=None, check_shapes=True, weight_rule=None):
    mapping = {**REDUCTION, **(extra or {})}

    def mapper(x, args, kwargs):
        target = as_tensor(args[0], x)
        if check_shapes:
            same_shape_or_broadcast(fn, x, target, "target")
        options = take(kwargs, mapping, fn)
        if "weight" in options and weight_rule and STRICT["shapes"]:
            weight_rule(fn, x, options["weight"])
        return [x, target], options

    return mapper


def same_or_broadcastable_weight(fn, x, w):
    """Elementwise weights: losskit broadcasts a weight to the input's shape (numpy's rules), never
    the input to the weight's."""
    w = as_tensor(w, x)
    try:
        fits = torch.broadcast_shapes(tuple(w.shape), tuple(x.shape)) == tuple(x.shape)
    except RuntimeError:
        fits = False
    if not fits:
        raise Inexpressible("weight-broadcast", f"{fn}: weight {list(w.shape)} for input {list(x.shape)}")


def class_weight(fn, x, w):
    w = as_tensor(w, x)
    if w.dim() != 1:
        raise Inexpressible("weight-shape", f"{fn}: weight of shape {list(w.shape)}")


def map_cross_entropy(fn):
    def mapper(x, args, kwargs):
        options = take(kwargs, {"weight": "weight", "ignore_index": "ignoreIndex", "reduction": "reduction", "label_smoothing": "labelSmoothing"}, fn)
        if "weight" in options and STRICT["shapes"]:
            class_weight(fn, x, options["weight"])
        return [x, as_tensor(args[0])], options

    return mapper


def map_gaussian(x, args, kwargs):
    target, var = as_tensor(args[0], x), args[1]
    same_shape_or_broadcast("gaussianNllLoss", x, target, "target")
    options = take(kwargs, {"full": "full", "eps": "eps", "reduction": "reduction"}, "gaussianNllLoss")
    return [x, target, var if isinstance(var, (int, float)) else as_tensor(var, x)], options


def map_three(fn, mapping, check):
    def mapper(x, args, kwargs):
        b, c = as_tensor(args[0], x), as_tensor(args[1], x)
        check(fn, x, b, c)
        return [x, b, c], take(kwargs, mapping, fn)

    return mapper


def ranking_shapes(fn, a, b, y):
    same_shape_or_broadcast(fn, a, b, "input2")
    same_shape_or_broadcast(fn, a, y, "target")


def cosine_shapes(fn, a, b, y):
    same_shape_or_broadcast(fn, a, b, "input2")


def triplet_shapes(fn, a, p, n):
    same_shape_or_broadcast(fn, a, p, "positive")
    same_shape_or_broadcast(fn, a, n, "negative")


def map_ctc(x, args, kwargs):
    targets, il, tl = (as_tensor(a) for a in args[:3])
    for name, t in (("inputLengths", il), ("targetLengths", tl)):
        if t.is_floating_point():
            raise Inexpressible("float-lengths", f"ctcLoss: {name} of dtype {t.dtype}")
    return [x, targets, il, tl], take(kwargs, {"blank": "blank", "reduction": "reduction", "zero_infinity": "zeroInfinity"}, "ctcLoss")


def map_softmax(fn):
    def mapper(x, args, kwargs):
        kwargs = dict(kwargs)
        if kwargs.pop("dtype", None) is not None:
            raise Inexpressible("dtype-kwarg", f"{fn}(dtype=...)")
        dim = args[0] if args else kwargs.pop("dim")
        if kwargs:
            raise Inexpressible("unsupported-option", f"{fn}: {sorted(kwargs)}")
        return [x], {"dim": dim}

    return mapper


def map_logsumexp(x, args, kwargs):
    dim = args[0] if args else kwargs["dim"]
    keepdim = args[1] if len(args) > 1 else kwargs.get("keepdim", False)
    if isinstance(dim, (list, tuple)):
        if len(dim) != 1:
            raise Inexpressible("multiple-dims", f"logSumExp over dims {list(dim)}")
        dim = dim[0]
    return [x], {"dim": dim, "keepdim": keepdim}


def map_unary(fn, mapping=None):
    def mapper(x, args, kwargs):
        if args:
            raise Inexpressible("unsupported-option", f"{fn}: positional arguments {args}")
        return [x], take(kwargs, mapping or {}, fn)

    return mapper


# op_db name -> (losskit function, mapper, has gradients in losskit)
OPS = {
    "nn.functional.cross_entropy": ("crossEntropy", map_cross_entropy("crossEntropy"), True),
    "nn.functional.nll_loss": ("nllLoss", map_cross_entropy("nllLoss"), True),
    "nn.functional.binary_cross_entropy": ("binaryCrossEntropy", elementwise("binaryCrossEntropy", {"weight": "weight"}, weight_rule=same_or_broadcastable_weight), True),
    "nn.functional.binary_cross_entropy_with_logits": ("binaryCrossEntropyWithLogits", elementwise("binaryCrossEntropyWithLogits", {"weight": "weight", "pos_weight": "posWeight"}, weight_rule=same_or_broadcastable_weight), True),
    "nn.functional.l1_loss": ("l1Loss", elementwise("l1Loss", {"weight": "weight"}, weight_rule=same_or_broadcastable_weight), True),
    "nn.functional.mse_loss": ("mseLoss", elementwise("mseLoss", {"weight": "weight"}, weight_rule=same_or_broadcastable_weight), True),
    "nn.functional.smooth_l1_loss": ("smoothL1Loss", elementwise("smoothL1Loss", {"beta": "beta"}), True),
    "nn.functional.huber_loss": ("huberLoss", elementwise("huberLoss", {"delta": "delta", "weight": "weight"}, weight_rule=same_or_broadcastable_weight), True),
    "nn.functional.kl_div": ("klDiv", elementwise("klDiv", {"log_target": "logTarget"}), True),
    "nn.functional.poisson_nll_loss": ("poissonNllLoss", elementwise("poissonNllLoss", {"log_input": "logInput", "full": "full", "eps": "eps"}), True),
    "nn.functional.gaussian_nll_loss": ("gaussianNllLoss", map_gaussian, True),
    "nn.functional.margin_ranking_loss": ("marginRankingLoss", map_three("marginRankingLoss", {"margin": "margin", "reduction": "reduction"}, ranking_shapes), True),
    "nn.functional.hinge_embedding_loss": ("hingeEmbeddingLoss", elementwise("hingeEmbeddingLoss", {"margin": "margin"}), True),
    "nn.functional.soft_margin_loss": ("softMarginLoss", elementwise("softMarginLoss"), True),
    "nn.functional.multilabel_soft_margin_loss": ("multilabelSoftMarginLoss", elementwise("multilabelSoftMarginLoss", {"weight": "weight"}, weight_rule=same_or_broadcastable_weight), True),
    "nn.functional.multi_margin_loss": ("multiMarginLoss", elementwise("multiMarginLoss", {"p": "p", "margin": "margin", "weight": "weight"}, check_shapes=False, weight_rule=class_weight), True),
    "nn.functional.multilabel_margin_loss": ("multilabelMarginLoss", elementwise("multilabelMarginLoss", check_shapes=False), True),
    "nn.functional.cosine_embedding_loss": ("cosineEmbeddingLoss", map_three("cosineEmbeddingLoss", {"margin": "margin", "reduction": "reduction"}, cosine_shapes), True),
    "nn.functional.triplet_margin_loss": ("tripletMarginLoss", map_three("tripletMarginLoss", {"margin": "margin", "p": "p", "eps": "eps", "swap": "swap", "reduction": "reduction"}, triplet_shapes), True),
    "nn.functional.ctc_loss": ("ctcLoss", map_ctc, True),
    "softmax": ("softmax", map_softmax("softmax"), False),
    "log_softmax": ("logSoftmax", map_softmax("logSoftmax"), False),
    "logsumexp": ("logSumExp", map_logsumexp, False),
    "sigmoid": ("sigmoid", map_unary("sigmoid"), False),
    "nn.functional.logsigmoid": ("logSigmoid", map_unary("logSigmoid"), False),
    "nn.functional.softplus": ("softplus", map_unary("softplus", {"beta": "beta", "threshold": "threshold"}), False),
}

# module_db class -> the functional op whose mapping applies to its constructor keywords and forward arguments.
MODULES = {
    "CrossEntropyLoss": "nn.functional.cross_entropy",
    "NLLLoss": "nn.functional.nll_loss",
    "BCELoss": "nn.functional.binary_cross_entropy",
    "BCEWithLogitsLoss": "nn.functional.binary_cross_entropy_with_logits",
    "L1Loss": "nn.functional.l1_loss",
    "MSELoss": "nn.functional.mse_loss",
    "SmoothL1Loss": "nn.functional.smooth_l1_loss",
    "HuberLoss": "nn.functional.huber_loss",
    "KLDivLoss": "nn.functional.kl_div",
    "PoissonNLLLoss": "nn.functional.poisson_nll_loss",
    "GaussianNLLLoss": "nn.functional.gaussian_nll_loss",
    "MarginRankingLoss": "nn.functional.margin_ranking_loss",
    "HingeEmbeddingLoss": "nn.functional.hinge_embedding_loss",
    "SoftMarginLoss": "nn.functional.soft_margin_loss",
    "MultiLabelSoftMarginLoss": "nn.functional.multilabel_soft_margin_loss",
    "MultiMarginLoss": "nn.functional.multi_margin_loss",
    "MultiLabelMarginLoss": "nn.functional.multilabel_margin_loss",
    "CosineEmbeddingLoss": "nn.functional.cosine_embedding_loss",
    "CTCLoss": "nn.functional.ctc_loss",
}


# ---------------------------------------------------------------------------------------------
# Running a case through PyTorch


NOT_DIFFERENTIABLE = ("not differentiable with respect to argument", "not implemented")


def differentiate(call, tensors, has_grads, rng):
    """PyTorch's value and the gradient of sum(out * g) for every floating tensor argument.

    An argument PyTorch does not differentiate (its autograd refuses: soft_margin_loss's target,
    for one) gets no gradient: the last such argument is dropped until autograd accepts the rest.
    """
    wanted = [k for k, t in enumerate(tensors) if has_grads and isinstance(t, torch.Tensor) and t.is_floating_point()]
    while True:
        leaves = [t.detach().clone().requires_grad_(k in wanted) if isinstance(t, torch.Tensor) else t for k, t in enumerate(tensors)]
        try:
            out = call(leaves)
            if not wanted or not out.requires_grad:
                return out.detach(), None, [None] * len(tensors)
            g = torch.tensor(rng.uniform(-2, 2, size=tuple(out.shape)), dtype=out.dtype) if out.numel() > 0 else torch.ones_like(out)
            got = torch.autograd.grad(out, [leaves[k] for k in wanted], grad_outputs=g, allow_unused=True)
            break
        except RuntimeError as e:
            if not any(p in str(e) for p in NOT_DIFFERENTIABLE) or len(wanted) <= 1:
                raise
            wanted.pop()
    grads = [None] * len(tensors)
    for k, gr in zip(wanted, got):
        grads[k] = gr
    return out.detach(), g, grads


def fingerprint(values):
    """A digest of PyTorch arguments (tensors by dtype, shape and bytes)."""
    h = hashlib.sha1()
    for v in values:
        if isinstance(v, torch.Tensor):
            t = v.detach()
            h.update(f"{t.dtype}{list(t.shape)}".encode())
            h.update(t.contiguous().cpu().numpy().tobytes())
        elif isinstance(v, dict):
            h.update(fingerprint([f"{k}=" for k in v] + list(v.values())).encode())
        else:
            h.update(repr(v).encode())
    return h.hexdigest()


class Collector:
    def __init__(self):
        self.cases = {}
        self.summary = {}
        self.seen = set()
        self.used = {}
        self.files = {}

    def count(self, op, source, dtype, key):
        entry = self.summary.setdefault(op, {}).setdefault(source, {}).setdefault(dtype, {})
        entry[key] = entry.get(key, 0) + 1

    def add(self, op, file_op, source, dtype, record, inputs=None):
        """Stores a case once: `inputs` (the PyTorch arguments) tell apart cases whose records do
        not hold their data (the inexpressible ones)."""
        blob = json.dumps(record, sort_keys=True)
        digest = hashlib.sha1((op + dtype + blob + (fingerprint(inputs) if inputs is not None else "")).encode()).hexdigest()
        if digest in self.seen:
            self.count(op, source, dtype, "duplicate")
            return
        self.seen.add(digest)
        self.files.setdefault(file_op, set()).add(op)
        key = (op, dtype)
        if "error" not in record and self.used.get(key, 0) + len(blob) > BUDGET:
            self.count(op, source, dtype, "size-cap")
            return
        self.used[key] = self.used.get(key, 0) + len(blob)
        self.cases.setdefault(file_op, []).append({"op": op, "source": source, "dtype": dtype, **record})
        self.count(op, source, dtype, "expressible" if record.get("fn") else record["category"])


def value_case(collector, op, file_op, source, dtype, fn, mapper, has_grads, call_torch, x, args, kwargs, rng):
    """One sample (not an error input): the losskit call and PyTorch's value and gradients."""
    try:
        tensors, options = mapper(x, args, kwargs)
        record = {"fn": fn, "args": [enc(t) if isinstance(t, torch.Tensor) else t for t in tensors], "options": {k: option_value(v) for k, v in options.items()}}
    except Inexpressible as e:
        collector.add(op, file_op, source, dtype, {"fn": None, "category": e.category, "reason": e.reason, "shapes": shapes_of(x, args)}, [x, *args, kwargs])
        return
    out, g, grads = differentiate(call_torch, tensors, has_grads, rng)
    record["gradOutput"] = enc(g) if g is not None else None
    record["result"] = enc(out)
    if has_grads:
        record["grads"] = [enc(gr) if gr is not None else None for gr in grads]
    if fn == "ctcLoss" and dtype == "float32":
        # PyTorch's float32 CTC kernel accumulates in float32: the same call in float64 on the same values.
        wide = [t.double() if isinstance(t, torch.Tensor) and t.is_floating_point() else t for t in tensors]
        leaves = [t.detach().clone().requires_grad_(k == 0) if isinstance(t, torch.Tensor) else t for k, t in enumerate(wide)]
        out64 = call_torch(leaves)
        (g64,) = torch.autograd.grad(out64, [leaves[0]], grad_outputs=g.double() if g is not None else torch.ones_like(out64))
        # Stored rounded to float32: the float32 results are compared with it at float32 tolerance.
        record["reference64"] = {"result": enc(out64.float()), "grads": [enc(g64.float()), None, None, None]}
        CTC_FLOAT32.append(float32_kernel_error(out, grads[0], out64, g64))
    collector.add(op, file_op, source, dtype, record, [x, *args, kwargs])


# PyTorch's float32 CTC against its own float64 computation on the same values, per case (every
# float32 CTC case drawn, stored or not): written to docs/opinfo.md.
CTC_FLOAT32 = []


def float32_kernel_error(out, grad, out64, grad64):
    """(largest relative error of the loss, of the gradient relative to its largest magnitude, of a
    gradient element above 1e-6 relative to itself)."""
    finite = torch.isfinite(out64)
    loss = ((out.double() - out64).abs()[finite] / out64.abs()[finite].clamp_min(1e-300)).max() if finite.any() else torch.tensor(0.0)
    g = grad.double()
    finite = torch.isfinite(grad64)
    magnitude = grad64.abs()[finite].max() if finite.any() else torch.tensor(0.0)
    difference = (g - grad64).abs()[finite]
    by_max = (difference.max() / magnitude) if magnitude > 0 else torch.tensor(0.0)
    large = grad64.abs()[finite] > 1e-6
    by_element = (difference[large] / grad64.abs()[finite][large]).max() if large.any() else torch.tensor(0.0)
    return float(loss), float(by_max), float(by_element)


def shapes_of(x, args):
    return [list(t.shape) if isinstance(t, torch.Tensor) else (t if isinstance(t, (int, float, bool, str)) or t is None else str(type(t).__name__)) for t in [x, *args]]


def error_case(collector, op, file_op, source, dtype, fn, mapper, raise_torch, x, args, kwargs, pattern):
    """An error input: PyTorch must raise; the losskit call must throw."""
    try:
        raise_torch()
    except Exception as e:  # PyTorch's error, whatever its type
        message = f"{type(e).__name__}: {str(e).splitlines()[0][:300]}"
    else:
        collector.add(op, file_op, source, dtype, {"fn": None, "category": "pytorch-no-error-on-cpu", "reason": f"expected {pattern}", "shapes": shapes_of(x, args)}, [x, *args, kwargs])
        return
    STRICT["shapes"] = False
    try:
        tensors, options = mapper(x, args, kwargs)
        record = {"fn": fn, "args": [enc(t) if isinstance(t, torch.Tensor) else t for t in tensors], "options": {k: option_value(v) for k, v in options.items()}, "error": message}
    except Inexpressible as e:
        record = {"fn": None, "category": e.category, "reason": e.reason, "shapes": shapes_of(x, args), "error": message}
    finally:
        STRICT["shapes"] = True
    collector.add(op, file_op, source, dtype, record, [x, *args, kwargs])


def positional(x, args, leaves):
    """PyTorch's positional arguments with the losskit tensors (autograd leaves) in their places.

    Every mapper returns the tensors in PyTorch's argument order, so position k of the losskit call
    is position k of PyTorch's; arguments that were lists or numbers (CTC lengths, a scalar var) are
    passed on as PyTorch's sample gave them.
    """
    original = [x, *args]
    return [leaves[k] if k < len(leaves) and isinstance(v, torch.Tensor) else v for k, v in enumerate(original)]


def functional_call(op_fn, x, args, kwargs):
    def call(leaves):
        return op_fn(*positional(x, args, leaves), **kwargs)

    return call


def run_ops(collector):
    by_name = {o.name + ("." + o.variant_test_name if o.variant_test_name else ""): o for o in op_db}
    for op_name, (fn, mapper, has_grads) in OPS.items():
        info = by_name[op_name]
        for dtype, torch_dtype in DTYPES.items():
            sources = [("sample", info.sample_inputs)]
            if info.reference_inputs_func is not None:
                sources.append(("reference", info.reference_inputs))
            for source, draw in sources:
                reseed(op_name, dtype)  # the same seed: reference inputs repeat the samples first
                for k, s in enumerate(draw("cpu", torch_dtype, requires_grad=has_grads)):
                    rng = np.random.default_rng(seed_of(op_name, dtype, source, k))
                    value_case(collector, op_name, op_name, source, dtype, fn, mapper, has_grads, functional_call(info.op, s.input, list(s.args), s.kwargs), s.input, list(s.args), dict(s.kwargs), rng)
        if info.error_inputs_func is not None:
            reseed(op_name, "error")
            for e in info.error_inputs("cpu"):
                s = e.sample_input
                dtype = "float64" if s.input.dtype == torch.float64 else "float32"
                error_case(collector, op_name, op_name, "error", dtype, fn, mapper, lambda: info.op(s.input, *s.args, **s.kwargs), s.input, list(s.args), dict(s.kwargs), e.error_regex)


def run_modules(collector):
    for info in module_db:
        name = info.module_cls.__name__
        if name not in MODULES:
            continue
        op_name = MODULES[name]
        fn, mapper, has_grads = OPS[op_name]
        label = f"nn.{name}"
        for dtype, torch_dtype in DTYPES.items():
            reseed(label, dtype)
            for k, mi in enumerate(info.module_inputs_func(info, device="cpu", dtype=torch_dtype, requires_grad=True, training=True)):
                rng = np.random.default_rng(seed_of(label, dtype, k))
                ctor = mi.constructor_input
                fwd = mi.forward_input
                kwargs = dict(ctor.kwargs)
                if ctor.args:
                    kwargs = {**dict(zip(["weight"], ctor.args)), **kwargs}
                x, args = fwd.args[0], list(fwd.args[1:])
                module = info.module_cls(**kwargs)

                def call(leaves, module=module, x=x, args=args):
                    return module(*positional(x, args, leaves))

                value_case(collector, label, op_name, "module", dtype, fn, mapper, has_grads, call, x, args, kwargs, rng)
        if info.module_error_inputs_func is not None:
            reseed(label, "error")
            for e in info.module_error_inputs_func(info, device="cpu", dtype=torch.float32, requires_grad=False, training=True):
                mi = e.module_error_input
                ctor, fwd = mi.constructor_input, mi.forward_input
                kwargs = dict(ctor.kwargs)
                if fwd is None:
                    # A constructor error: raised before any input exists.
                    try:
                        info.module_cls(**kwargs)
                    except Exception as err:
                        message = f"{type(err).__name__}: {str(err).splitlines()[0][:300]}"
                    complex_option = any(isinstance(v, complex) for v in kwargs.values())
                    category = "complex" if complex_option else "module-constructor"
                    collector.add(label, op_name, "module-error", "float32", {"fn": None, "category": category, "reason": f"constructor {sorted(kwargs)}", "shapes": [], "error": message})
                    continue
                x, args = fwd.args[0], list(fwd.args[1:])

                def raise_torch(kwargs=kwargs, x=x, args=args):
                    info.module_cls(**kwargs)(x, *args)

                dtype = "float64" if x.dtype == torch.float64 else "float32"
                error_case(collector, label, op_name, "module-error", dtype, fn, mapper, raise_torch, x, args, kwargs, e.error_regex)


# ---------------------------------------------------------------------------------------------
# Output


def totals(summary):
    out = {}
    for op, sources in summary.items():
        t = {}
        for by_dtype in sources.values():
            for counts in by_dtype.values():
                for k, v in counts.items():
                    t[k] = t.get(k, 0) + v
        out[op] = t
    return out


def write_doc(summary):
    t = totals(summary)
    keys = ["expressible"] + [k for k in CATEGORIES if any(k in v for v in t.values())] + ["duplicate"]
    lines = [
        "# PyTorch's OpInfo inputs as golden fixtures",
        "",
        "Generated by `scripts/generate_opinfo.py` (do not edit): every `sample_inputs`, `reference_inputs`",
        "and `error_inputs` case of `torch.testing._internal.common_methods_invocations.op_db` for an op",
        "losskit implements, and the inputs and error inputs of the loss modules of",
        "`torch.testing._internal.common_modules.module_db`, in float32 and float64, from",
        f"PyTorch {REFERENCES['torch']}. `test/opinfo.test.ts` runs every expressible case on both",
        "backends (values and every gradient, or: losskit throws an error naming the function where",
        "PyTorch raises) and checks that the counts below match the fixtures.",
        "",
        "Counts are cases summed over float32 and float64 (error inputs are drawn once, in their own",
        "dtype). `duplicate`: a reference input identical to a sample input already counted (PyTorch's",
        "`reference_inputs` start with the `sample_inputs`), not run twice.",
        "",
        "| op | " + " | ".join(keys) + " |",
        "|---|" + "---|" * len(keys),
    ]
    grand = {}
    for op in sorted(t):
        lines.append(f"| `{op}` | " + " | ".join(str(t[op].get(k, 0) or "") for k in keys) + " |")
        for k, v in t[op].items():
            grand[k] = grand.get(k, 0) + v
    lines.append("| **total** | " + " | ".join(f"**{grand.get(k, 0)}**" for k in keys) + " |")
    lines += ["", "## Categories of cases losskit cannot express", ""]
    for k, text in CATEGORIES.items():
        if k in grand:
            lines.append(f"- `{k}` ({grand[k]}): {text}.")
    lines += [
        "",
        "## CTC: PyTorch's float32 kernel",
        "",
        f"On the {len(CTC_FLOAT32)} float32 CTC cases drawn (stored or not), PyTorch's float32 result against its own",
        "float64 computation on the same values (the reference losskit's float32 meets at the usual 2e-5):",
        f"the largest relative error of a loss is {max(e[0] for e in CTC_FLOAT32):.1e}; of a gradient, relative to its largest",
        f"magnitude, {max(e[1] for e in CTC_FLOAT32):.1e}; of a gradient element above 1e-6, relative to itself, {max(e[2] for e in CTC_FLOAT32):.1e} (where `exp(lp)` and the",
        "posterior cancel). The tests hold losskit to PyTorch's float32 numbers within 1e-6 (losses)",
        "and 5e-4 of the largest magnitude (gradients): `CTC_FLOAT32_KERNEL` in test/support/close.ts.",
        "",
        "Activations (`softmax`, `logSoftmax`, `logSumExp`, `sigmoid`, `logSigmoid`, `softplus`) are",
        "forward-only in losskit: their cases compare values. Gradients with respect to options",
        "(`weight`, `posWeight`) are not part of losskit's API and are not compared.",
        "",
    ]
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text("\n".join(lines))
    print(f"wrote {DOC.relative_to(ROOT)}")


def main():
    collector = Collector()
    run_ops(collector)
    run_modules(collector)
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.json"):
        old.unlink()
    for file_op, ops in collector.files.items():
        cases = collector.cases.get(file_op, [])
        name = file_op.replace("nn.functional.", "")
        path = OUT / f"{name}.json"
        ops = sorted(ops)
        payload = {
            "generator": "scripts/generate_opinfo.py",
            "references": REFERENCES,
            "summary": {op: collector.summary[op] for op in ops},
            "cases": cases,
        }
        with open(path, "w") as f:
            json.dump(payload, f, separators=(",", ":"), sort_keys=False)
            f.write("\n")
        print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size // 1024} KiB, {len(cases)} cases)")
    write_doc(collector.summary)


if __name__ == "__main__":
    main()
