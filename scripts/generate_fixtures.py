#!/usr/bin/env python3
"""Generates losskit's golden fixtures from the reference libraries.

Every expected value in test/fixtures/ comes from this script: PyTorch for the losses, their
gradients (torch.autograd) and the printed form of tensors; torchvision's sigmoid_focal_loss; and
scikit-learn for log_loss. Nothing in the fixtures is typed by hand.

Set-up (the wheels are on local disk; see DEVELOPERS.md):
    python3 -m venv .venv-ref
    .venv-ref/bin/pip install --no-index --find-links /opt/wheels --find-links /opt/pypi/files \
        --find-links /opt/pypi-more/files torch==2.13.0 scikit-learn==1.9.1 numpy torchvision==0.28.0
    .venv-ref/bin/python scripts/generate_fixtures.py

Fixture format: tensors are {"shape": [...], "dtype": "float32"|"float64"|"int32", "data": [...]},
with non-finite numbers written as the strings "nan", "inf", "-inf" (JSON has no such numbers).
Float32 values are written as the exact decimal of the float32, so they load bit for bit.
Cases are split by input range: "small" (|x| <= 1e-3-ish), "typical", "extreme".
"""

import importlib.util
import itertools
import json
import math
import os
import pathlib
import sys

import numpy as np
import sklearn
import torch
import torch.nn.functional as F
from sklearn.metrics import log_loss

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_format import number, tensor, write_json  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "test" / "fixtures"
SEED_DOC = ROOT.parent / "shared" / "seed-examples.md"

torch.set_num_threads(1)


def load_sigmoid_focal_loss():
    """torchvision.ops.sigmoid_focal_loss, loaded from the installed torchvision's own source file.

    Importing the torchvision package needs its compiled operators, which the CPU wheel pairing on
    this machine cannot load; the focal loss itself is plain Python over torch, so we execute that
    file with its one torchvision-internal import (API-usage logging) stubbed out.
    """
    spec = importlib.util.find_spec("torchvision")
    path = pathlib.Path(spec.submodule_search_locations[0]) / "ops" / "focal_loss.py"
    source = path.read_text().replace("from ..utils import _log_api_usage_once", "_log_api_usage_once = lambda *a: None")
    namespace = {}
    exec(compile(source, str(path), "exec"), namespace)
    version = (path.parent.parent / "version.py").read_text().split("__version__ = ")[1].split("\n")[0].strip("'\"")
    return namespace["sigmoid_focal_loss"], version


sigmoid_focal_loss, TORCHVISION_VERSION = load_sigmoid_focal_loss()

REFERENCES = {
    "torch": torch.__version__,
    "torchvision": TORCHVISION_VERSION + " (ops/focal_loss.py)",
    "scikit-learn": sklearn.__version__,
    "numpy": np.__version__,
    "python": sys.version.split()[0],
}

DTYPES = {"float32": torch.float32, "float64": torch.float64}


# ---------------------------------------------------------------------------------------------
# Encoding


def enc(t):
    if t is None:
        return None
    if isinstance(t, (int, float)):
        return number(t)
    t = t.detach()
    kind = "int" if t.dtype in (torch.int64, torch.int32) else "float32" if t.dtype == torch.float32 else "float64"
    return tensor(t.shape, kind, t.reshape(-1).tolist())


def write(name, payload):
    path = OUT / name
    write_json(path, {"generator": "scripts/generate_fixtures.py", "references": REFERENCES, **payload})
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size // 1024} KiB)")


# ---------------------------------------------------------------------------------------------
# Random inputs

rng = np.random.default_rng(20261128)


def rand(shape, dtype, low=-3.0, high=3.0):
    return torch.tensor(rng.uniform(low, high, size=shape), dtype=DTYPES[dtype])


def scaled(shape, dtype, rng_name):
    """Random values of a range class: small, typical or extreme."""
    if rng_name == "small":
        return torch.tensor(rng.uniform(-1e-3, 1e-3, size=shape), dtype=DTYPES[dtype])
    if rng_name == "typical":
        return rand(shape, dtype)
    # extreme: large magnitudes of both signs, zeros and ties
    choices = np.array([-1e4, -150.0, -30.0, 0.0, 30.0, 150.0, 1e4, 3.5e4])
    return torch.tensor(rng.choice(choices, size=shape), dtype=DTYPES[dtype])


def probs(shape, dtype, low=0.02, high=0.98):
    return torch.tensor(rng.uniform(low, high, size=shape), dtype=DTYPES[dtype])


def labels_pm1(shape, dtype):
    return torch.tensor(rng.choice([-1.0, 1.0], size=shape), dtype=DTYPES[dtype])


def indices(shape, classes):
    return torch.tensor(rng.integers(0, classes, size=shape), dtype=torch.int64)


# ---------------------------------------------------------------------------------------------
# Running one case through PyTorch


def run_case(fn, call, args, diff, options, reduction, rng_name, dtype, grad_output="random", float64_reference=False):
    """Evaluates `call(*args)` and the gradients of sum(loss * gradOutput) for the args in `diff`.

    With float64_reference, a float32 case also records the same call on the same (float32) values
    computed in float64: for losses whose PyTorch float32 kernels accumulate in float32 (CTC's
    alpha/beta recursions), that is the reference a float64-accumulating implementation must meet.
    """
    leaves = []
    for a, d in zip(args, diff):
        if d and a.is_floating_point():
            leaves.append(a.detach().clone().requires_grad_(True))
        else:
            leaves.append(a.detach().clone() if isinstance(a, torch.Tensor) else a)
    loss = call(*leaves)
    if grad_output == "random" and loss.numel() > 0:
        g = torch.tensor(rng.uniform(-2, 2, size=tuple(loss.shape)), dtype=loss.dtype)
    else:
        g = torch.ones_like(loss)
    wanted = [l for l in leaves if isinstance(l, torch.Tensor) and l.requires_grad]
    grads_by_id = {}
    if wanted:
        got = torch.autograd.grad(loss, wanted, grad_outputs=g, allow_unused=True)
        grads_by_id = {id(l): gr for l, gr in zip(wanted, got)}
    grads = []
    for l in leaves:
        if isinstance(l, torch.Tensor) and l.requires_grad:
            gr = grads_by_id[id(l)]
            grads.append(enc(gr) if gr is not None else None)
        else:
            grads.append(None)
    result = {
        "fn": fn,
        "range": rng_name,
        "dtype": dtype,
        "args": [enc(a) for a in args],
        "options": {k: (enc(v) if isinstance(v, torch.Tensor) else v) for k, v in options.items()},
        "reduction": reduction,
        "gradOutput": enc(g) if grad_output == "random" and loss.numel() > 0 else None,
        "loss": enc(loss),
        "grads": grads,
    }
    if float64_reference and dtype == "float32":
        wide = [a.double() if isinstance(a, torch.Tensor) and a.is_floating_point() else a for a in args]
        g = torch.tensor([decode_number(v) for v in result["gradOutput"]["data"]], dtype=torch.float64) if result["gradOutput"] else None
        # The same call in float64, with the same upstream gradient as the float32 case.
        leaves = [a.detach().clone().requires_grad_(True) if d and isinstance(a, torch.Tensor) and a.is_floating_point() else a for a, d in zip(wide, diff)]
        out = call(*leaves)
        upstream = g.reshape(out.shape) if g is not None else torch.ones_like(out)
        wanted = [l for l in leaves if isinstance(l, torch.Tensor) and l.requires_grad]
        got = torch.autograd.grad(out, wanted, grad_outputs=upstream, allow_unused=True) if wanted else []
        by_id = {id(l): gr for l, gr in zip(wanted, got)}
        result["reference64"] = {
            "loss": enc(out),
            "grads": [enc(by_id[id(l)]) if isinstance(l, torch.Tensor) and l.requires_grad and by_id[id(l)] is not None else None for l in leaves],
        }
    return result


def decode_number(v):
    return {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}.get(v, v) if isinstance(v, str) else v


def torch_options(options, mapping):
    return {mapping.get(k, k): v for k, v in options.items()}


# ---------------------------------------------------------------------------------------------
# Losses


def reductions(extra=()):
    return ["none", "mean", "sum", *extra]


def cross_entropy_cases():
    cases = []
    layouts = [((5,), ()), ((4, 5), (4,)), ((2, 5, 3), (2, 3)), ((2, 3, 2, 2), (2, 2, 2))]
    for dtype, (in_shape, t_shape), soft, weighted, smoothing, reduction, rng_name in itertools.product(
        DTYPES, layouts, [False, True], [False, True], [0.0, 0.2], reductions(), ["small", "typical", "extreme"]
    ):
        if rng_name != "typical" and (weighted or in_shape == (2, 3, 2, 2)):
            continue
        C = in_shape[0] if len(in_shape) == 1 else in_shape[1]
        x = scaled(in_shape, dtype, rng_name)
        options = {"reduction": reduction}
        if soft:
            class_dim = 0 if len(in_shape) == 1 else 1
            target = torch.softmax(rand(in_shape, dtype), dim=class_dim)
        else:
            target = indices(t_shape, C)
            if target.numel() > 1:
                target.view(-1)[0] = -100  # default ignoreIndex
        if weighted:
            options["weight"] = probs((C,), dtype, 0.2, 2.0)
        if smoothing:
            options["labelSmoothing"] = smoothing
        opts = torch_options(options, {"labelSmoothing": "label_smoothing"})
        cases.append(run_case("crossEntropy", lambda a, b: F.cross_entropy(a, b, **opts), [x, target], [True, True], options, reduction, rng_name, dtype))
    # A custom ignoreIndex; every target ignored (mean: NaN with zero gradient); logits of +-1e30.
    for dtype, reduction in itertools.product(DTYPES, reductions()):
        x = rand((4, 3), dtype)
        t = torch.tensor([1, 2, 1, 0])
        for options, target in [({"ignoreIndex": 1}, t), ({"ignoreIndex": 2, "labelSmoothing": 0.1}, t), ({}, torch.full((4,), -100))]:
            options = {**options, "reduction": reduction}
            opts = torch_options(options, {"ignoreIndex": "ignore_index", "labelSmoothing": "label_smoothing"})
            cases.append(run_case("crossEntropy", lambda a, b: F.cross_entropy(a, b, **opts), [x, target], [True, False], options, reduction, "extreme", dtype))
        x = torch.tensor([[1e30, -1e30, 0.0], [-1e4, 1e4, 1e4]], dtype=DTYPES[dtype])
        opts = {"reduction": reduction}
        cases.append(run_case("crossEntropy", lambda a, b: F.cross_entropy(a, b, **opts), [x, torch.tensor([1, 0])], [True, False], opts, reduction, "extreme", dtype))
    return cases


def nll_cases():
    cases = []
    layouts = [((5,), ()), ((4, 5), (4,)), ((2, 5, 3), (2, 3))]
    for dtype, (in_shape, t_shape), weighted, reduction in itertools.product(DTYPES, layouts, [False, True], reductions()):
        C = in_shape[0] if len(in_shape) == 1 else in_shape[1]
        x = torch.log_softmax(rand(in_shape, dtype), dim=0 if len(in_shape) == 1 else 1)
        target = indices(t_shape, C)
        if target.numel() > 1:
            target.view(-1)[-1] = -100
        options = {"reduction": reduction}
        if weighted:
            options["weight"] = probs((C,), dtype, 0.2, 2.0)
        cases.append(run_case("nllLoss", lambda a, b: F.nll_loss(a, b, **options), [x, target], [True, False], options, reduction, "typical", dtype))
    for dtype, reduction in itertools.product(DTYPES, reductions()):
        x = torch.log_softmax(rand((3, 4), dtype), dim=1)
        options = {"reduction": reduction, "ignoreIndex": 2}
        cases.append(run_case("nllLoss", lambda a, b: F.nll_loss(a, b, reduction=reduction, ignore_index=2), [x, torch.tensor([2, 2, 2])], [True, False], options, reduction, "extreme", dtype))
    return cases


def elementwise_cases(fn, call, make_args, diff, option_sets, shapes=((7,), (3, 4), (2, 3, 2)), ranges=("small", "typical", "extreme"), extra_reductions=()):
    cases = []
    for dtype, shape, options, reduction, rng_name in itertools.product(DTYPES, shapes, option_sets, reductions(extra_reductions), ranges):
        args = make_args(shape, dtype, rng_name)
        opts = dict(options(shape, dtype) if callable(options) else options)
        cases.append(run_case(fn, lambda *a: call(*a, reduction=reduction, **opts_torch(fn, opts)), args, diff, {**opts, "reduction": reduction}, reduction, rng_name, dtype))
    return cases


OPTION_NAMES = {
    "posWeight": "pos_weight",
    "logTarget": "log_target",
    "logInput": "log_input",
}


def opts_torch(fn, opts):
    return {OPTION_NAMES.get(k, k): v for k, v in opts.items()}


def two(shape, dtype, rng_name):
    return [scaled(shape, dtype, rng_name), scaled(shape, dtype, rng_name)]


def regression_cases():
    cases = []
    weighted = [{}, lambda shape, dtype: {"weight": probs(shape, dtype, 0.1, 2.0)}]
    cases += elementwise_cases("l1Loss", F.l1_loss, two, [True, True], weighted, shapes=((), (7,), (3, 4), (2, 3, 2)))
    cases += elementwise_cases("mseLoss", F.mse_loss, two, [True, True], weighted, shapes=((), (7,), (3, 4), (2, 3, 2)))
    cases += elementwise_cases("smoothL1Loss", F.smooth_l1_loss, two, [True, True], [{}, {"beta": 0.5}, {"beta": 0.0}, {"beta": 2.5}])
    cases += elementwise_cases("huberLoss", F.huber_loss, two, [True, True], [{}, {"delta": 0.5}, {"delta": 2.5}] + [lambda shape, dtype: {"delta": 1.5, "weight": probs(shape, dtype, 0.1, 2.0)}])
    # Differences exactly at 0 and at +-beta / +-delta, where the pieces meet.
    for dtype, reduction in itertools.product(DTYPES, reductions()):
        x = torch.tensor([-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0, 2.5, -2.5], dtype=DTYPES[dtype])
        t = torch.zeros_like(x)
        for fn, call, options in [
            ("l1Loss", F.l1_loss, {}),
            ("mseLoss", F.mse_loss, {}),
            ("smoothL1Loss", F.smooth_l1_loss, {}),
            ("smoothL1Loss", F.smooth_l1_loss, {"beta": 0.5}),
            ("smoothL1Loss", F.smooth_l1_loss, {"beta": 0.0}),
            ("huberLoss", F.huber_loss, {"delta": 2.5}),
        ]:
            cases.append(run_case(fn, lambda a, b: call(a, b, reduction=reduction, **options), [x, t], [True, True], {**options, "reduction": reduction}, reduction, "small", dtype))
    return cases


def binary_cases():
    cases = []

    def bce_args(shape, dtype, rng_name):
        if rng_name == "extreme":
            p = torch.tensor(rng.choice([0.0, 1.0, 1e-30, 1 - 1e-7, 0.5], size=shape), dtype=DTYPES[dtype])
            y = torch.tensor(rng.choice([0.0, 1.0, 0.5], size=shape), dtype=DTYPES[dtype])
            return [p, y]
        low, high = (0.4, 0.6) if rng_name == "small" else (0.02, 0.98)
        return [probs(shape, dtype, low, high), probs(shape, dtype, 0, 1)]

    weight_sets = [{}, lambda shape, dtype: {"weight": probs(shape[-1:], dtype, 0.1, 2.0)}, lambda shape, dtype: {"weight": probs(shape, dtype, 0.1, 2.0)}]
    cases += elementwise_cases("binaryCrossEntropy", F.binary_cross_entropy, bce_args, [True, True], weight_sets, shapes=((6,), (3, 4)))

    def logit_args(shape, dtype, rng_name):
        return [scaled(shape, dtype, rng_name), probs(shape, dtype, 0, 1)]

    logit_sets = weight_sets + [lambda shape, dtype: {"posWeight": probs(shape[-1:], dtype, 0.5, 5.0)}, lambda shape, dtype: {"posWeight": probs(shape[-1:], dtype, 0.5, 5.0), "weight": probs(shape[-1:], dtype, 0.1, 2.0)}]
    cases += elementwise_cases("binaryCrossEntropyWithLogits", F.binary_cross_entropy_with_logits, logit_args, [True, True], logit_sets, shapes=((6,), (3, 4)))

    def focal_args(shape, dtype, rng_name):
        return [scaled(shape, dtype, rng_name), torch.tensor(rng.choice([0.0, 1.0], size=shape), dtype=DTYPES[dtype])]

    focal_sets = [{}, {"alpha": -1}, {"alpha": 0.5, "gamma": 0}, {"alpha": 0.75, "gamma": 1.5}]
    cases += elementwise_cases("sigmoidFocalLoss", sigmoid_focal_loss, focal_args, [True, True], focal_sets, shapes=((6,), (3, 4)))

    def soft_args(shape, dtype, rng_name):
        # PyTorch computes log1p(exp(-y x)) directly: in float32 it overflows beyond -y x = 88, where
        # losskit stays exact (a documented departure), so its "extreme" inputs stop at |x| = 80.
        x = scaled(shape, dtype, rng_name)
        if rng_name == "extreme":
            x = torch.tensor(rng.choice([-80.0, -30.0, 0.0, 30.0, 80.0], size=shape), dtype=DTYPES[dtype])
        return [x, labels_pm1(shape, dtype)]

    cases += elementwise_cases("softMarginLoss", F.soft_margin_loss, soft_args, [True, False], [{}], shapes=((6,), (3, 4)))
    return cases


def distribution_cases():
    cases = []

    def kl_args(shape, dtype, rng_name):
        x = torch.log_softmax(scaled(shape, dtype, rng_name), dim=-1)
        y = torch.softmax(rand(shape, dtype), dim=-1)
        if rng_name == "extreme":
            y = y * torch.tensor(rng.choice([0.0, 1.0], size=shape), dtype=DTYPES[dtype])
        return [x, y]

    def kl_log_args(shape, dtype, rng_name):
        x, y = kl_args(shape, dtype, "typical" if rng_name == "extreme" else rng_name)
        return [x, torch.log_softmax(rand(shape, dtype), dim=-1)]

    def kl_call(a, b, reduction, log_target=False):
        return F.kl_div(a, b, reduction=reduction, log_target=log_target)

    for args, opts in [(kl_args, {}), (kl_log_args, {"logTarget": True})]:
        cases += elementwise_cases("klDiv", kl_call, args, [True, True], [opts], shapes=((5,), (3, 4), (2, 3, 2)), extra_reductions=("batchmean",))

    def poisson_args(shape, dtype, rng_name):
        x = scaled(shape, dtype, rng_name) if rng_name != "extreme" else torch.tensor(rng.choice([-30.0, 0.0, 5.0, 20.0], size=shape), dtype=DTYPES[dtype])
        counts = torch.tensor(rng.choice([0.0, 1.0, 2.0, 5.0, 40.0], size=shape), dtype=DTYPES[dtype])
        return [x, counts]

    def poisson_rate_args(shape, dtype, rng_name):
        x, counts = poisson_args(shape, dtype, rng_name)
        return [x.abs() + (0 if rng_name == "extreme" else 0.1), counts]

    for args, option_sets in [
        (poisson_args, [{}, {"full": True}]),
        (poisson_rate_args, [{"logInput": False}, {"logInput": False, "full": True}, {"logInput": False, "eps": 1e-3}]),
    ]:
        cases += elementwise_cases("poissonNllLoss", F.poisson_nll_loss, args, [True, True], option_sets, shapes=((6,), (3, 4)))

    for dtype, (in_shape, var_shape), options, reduction, rng_name in itertools.product(
        DTYPES,
        [((3, 4), (3, 4)), ((3, 4), (3,)), ((3, 4), (3, 1)), ((2, 3, 4), (2, 1, 4)), ((5,), None)],
        [{}, {"full": True}, {"eps": 1e-2}],
        reductions(),
        ["typical", "extreme"],
    ):
        x, y = scaled(in_shape, dtype, "typical"), scaled(in_shape, dtype, "typical")
        if var_shape is None:
            var = 0.75
        elif rng_name == "extreme":
            var = torch.tensor(rng.choice([0.0, 1e-9, 1e4], size=var_shape), dtype=DTYPES[dtype])
        else:
            var = probs(var_shape, dtype, 0.1, 3.0)
        args = [x, y, var] if isinstance(var, torch.Tensor) else [x, y]
        call = (lambda a, b, v: F.gaussian_nll_loss(a, b, v, reduction=reduction, **options)) if isinstance(var, torch.Tensor) else (lambda a, b: F.gaussian_nll_loss(a, b, var, reduction=reduction, **options))
        case = run_case("gaussianNllLoss", call, args, [True, True, True], {**options, "reduction": reduction}, reduction, rng_name, dtype)
        if not isinstance(var, torch.Tensor):
            case["args"].append(var)
            case["grads"].append("not-compared")
        cases.append(case)
    return cases


def margin_cases():
    cases = []

    def ranking_args(shape, dtype, rng_name):
        return [scaled(shape, dtype, rng_name), scaled(shape, dtype, rng_name), labels_pm1(shape, dtype)]

    cases += elementwise_cases("marginRankingLoss", F.margin_ranking_loss, ranking_args, [True, True, True], [{}, {"margin": 0.5}], shapes=((6,), ()))

    def hinge_args(shape, dtype, rng_name):
        x = scaled(shape, dtype, rng_name).abs()
        if rng_name == "extreme":
            x = torch.tensor(rng.choice([0.0, 0.5, 1.0, 1e4], size=shape), dtype=DTYPES[dtype])
        return [x, labels_pm1(shape, dtype)]

    cases += elementwise_cases("hingeEmbeddingLoss", F.hinge_embedding_loss, hinge_args, [True, True], [{}, {"margin": 0.5}], shapes=((6,), (3, 4)))

    for dtype, shape, weighted, reduction, rng_name in itertools.product(DTYPES, [(3, 4), (4,), (2, 3, 4)], [False, True], reductions(), ["small", "typical", "extreme"]):
        x = scaled(shape, dtype, rng_name)
        y = torch.tensor(rng.choice([0.0, 1.0], size=shape), dtype=DTYPES[dtype])
        options = {"reduction": reduction}
        if weighted:
            options["weight"] = probs((shape[-1],), dtype, 0.1, 2.0)
        cases.append(run_case("multilabelSoftMarginLoss", lambda a, b: F.multilabel_soft_margin_loss(a, b, **options), [x, y], [True, True], options, reduction, rng_name, dtype))

    for dtype, (shape, t_shape), options, reduction, rng_name in itertools.product(
        DTYPES, [((3, 4), (3,)), ((4,), ())], [{}, {"p": 2}, {"margin": 0.5}, "weight"], reductions(), ["typical", "extreme"]
    ):
        x = scaled(shape, dtype, rng_name) if rng_name == "typical" else torch.tensor(rng.choice([0.0, 1.0, 2.0], size=shape), dtype=DTYPES[dtype])
        target = indices(t_shape, shape[-1])
        opts = {"weight": probs((shape[-1],), dtype, 0.1, 2.0)} if options == "weight" else dict(options)
        cases.append(run_case("multiMarginLoss", lambda a, b: F.multi_margin_loss(a, b, reduction=reduction, **opts), [x, target], [True, False], {**opts, "reduction": reduction}, reduction, rng_name, dtype))

    for dtype, shape, reduction, rng_name in itertools.product(DTYPES, [(3, 4), (4,)], reductions(), ["typical", "extreme"]):
        x = scaled(shape, dtype, rng_name) if rng_name == "typical" else torch.tensor(rng.choice([0.0, 1.0], size=shape), dtype=DTYPES[dtype])
        rows = [[3, 0, -1, 1], [1, 2, 3, -1], [-1, 0, 1, 2]] if len(shape) == 2 else [2, 2, -1, 0]
        target = torch.tensor(rows)
        cases.append(run_case("multilabelMarginLoss", lambda a, b: F.multilabel_margin_loss(a, b, reduction=reduction), [x, target], [True, False], {"reduction": reduction}, reduction, rng_name, dtype))
    return cases


def embedding_cases():
    cases = []
    for dtype, (shape, t_shape), margin, reduction, rng_name in itertools.product(
        DTYPES, [((4, 5), (4,)), ((5,), ())], [0.0, 0.3], reductions(), ["small", "typical", "extreme"]
    ):
        a, b = scaled(shape, dtype, rng_name), scaled(shape, dtype, rng_name)
        if rng_name == "extreme" and len(shape) == 2:
            b[0] = a[0]  # identical vectors: cos = 1
            a[1] = 0.0  # a zero vector: cos = 0 thanks to the 1e-12
        y = labels_pm1(t_shape, dtype)
        options = {"reduction": reduction, **({"margin": margin} if margin else {})}
        cases.append(run_case("cosineEmbeddingLoss", lambda p, q, r: F.cosine_embedding_loss(p, q, r, **options), [a, b, y], [True, True, True], options, reduction, rng_name, dtype))

    for dtype, shape, options, reduction, rng_name in itertools.product(
        DTYPES, [(3, 4), (4,)], [{}, {"p": 1}, {"p": 3, "margin": 2.0}, {"swap": True}, {"swap": True, "eps": 0.0, "p": 1.5}], reductions(), ["typical", "extreme"]
    ):
        a, p, n = (scaled(shape, dtype, "typical") for _ in range(3))
        if rng_name == "extreme":
            if len(shape) == 2:
                p[0] = a[0]  # zero positive distance
                n[1] = p[1]  # swap tie candidates
            a = a * 1e3
            p = p * 1e3
            n = n * 1e3
        cases.append(run_case("tripletMarginLoss", lambda x, y, z: F.triplet_margin_loss(x, y, z, reduction=reduction, **options), [a, p, n], [True, True, True], {**options, "reduction": reduction}, reduction, rng_name, dtype))
    return cases


def ctc_cases():
    """F.ctc_loss: every option, padded and concatenated targets, repeats, tight and impossible lengths."""
    cases = []

    def case(dtype, T, N, C, targets, input_lengths, target_lengths, options, rng_name, concatenated=False, unbatched=False, scale=2.0):
        logits = torch.tensor(rng.standard_normal((T, N, C)) * scale, dtype=DTYPES[dtype])
        log_probs = torch.log_softmax(logits, dim=2)
        if unbatched:
            log_probs = log_probs[:, 0]
        t = torch.tensor(targets)
        il, tl = torch.tensor(input_lengths), torch.tensor(target_lengths)
        if unbatched:
            il, tl = il.reshape(()), tl.reshape(())
        torch_options = {"blank": options.get("blank", 0), "reduction": options["reduction"], "zero_infinity": options.get("zeroInfinity", False)}
        cases.append(run_case("ctcLoss", lambda a, b, c, d: F.ctc_loss(a, b, c, d, **torch_options), [log_probs, t, il, tl], [True, False, False, False], options, options["reduction"], rng_name, dtype, float64_reference=True))

    for dtype, reduction in itertools.product(DTYPES, reductions()):
        base = {"reduction": reduction}
        # padded targets with varied lengths
        case(dtype, 12, 3, 5, [[1, 2, 3, 0], [4, 4, 0, 0], [2, 1, 2, 1]], [12, 9, 11], [3, 2, 4], base, "typical")
        # repeated labels need a blank in between: T barely long enough (T = S + repeats)
        case(dtype, 5, 2, 4, [[1, 1, 2], [3, 3, 3]], [4, 5], [3, 3], base, "small")
        # concatenated targets
        case(dtype, 10, 3, 6, [1, 2, 5, 5, 3, 4, 1], [10, 8, 6], [3, 2, 2], base, "typical", concatenated=True)
        # blank = C - 1, empty target, zero-length... and zero_infinity
        case(dtype, 8, 3, 5, [[0, 1, 2], [3, 3, 0], [1, 2, 3]], [8, 7, 8], [3, 0, 2], {**base, "blank": 4}, "typical")
        # impossible alignments: with and without zero_infinity
        for zero_infinity in [False, True]:
            case(dtype, 4, 3, 4, [[1, 1, 1], [1, 2, 3], [2, 2, 0]], [4, 3, 3], [3, 3, 2], {**base, "zeroInfinity": zero_infinity}, "extreme")
        # unbatched
        case(dtype, 7, 1, 4, [1, 3, 3], [7], [3], base, "typical", unbatched=True)
        # peaked log-probabilities (large logits) and a longer sequence
        case(dtype, 60, 2, 8, [[1, 2, 3, 4, 5, 6, 7, 1, 2, 3], [7, 7, 6, 6, 5, 5, 4, 4, 3, 3]], [60, 55], [10, 10], base, "extreme", scale=12.0)
    return cases


# ---------------------------------------------------------------------------------------------
# Activations, printing, log_loss, seed examples


def activation_cases():
    cases = []
    for dtype, shape, dim, rng_name in itertools.product(DTYPES, [(5,), (3, 4), (2, 3, 4)], [-1, 0, 1], ["small", "typical", "extreme"]):
        if dim >= len(shape):
            continue
        x = scaled(shape, dtype, rng_name)
        cases.append({"fn": "softmax", "dtype": dtype, "range": rng_name, "args": [enc(x)], "options": {"dim": dim}, "result": enc(torch.softmax(x, dim))})
        cases.append({"fn": "logSoftmax", "dtype": dtype, "range": rng_name, "args": [enc(x)], "options": {"dim": dim}, "result": enc(torch.log_softmax(x, dim))})
        for keepdim in [False, True]:
            cases.append({"fn": "logSumExp", "dtype": dtype, "range": rng_name, "args": [enc(x)], "options": {"dim": dim, "keepdim": keepdim}, "result": enc(torch.logsumexp(x, dim, keepdim=keepdim))})
    for dtype, rng_name in itertools.product(DTYPES, ["small", "typical", "extreme"]):
        x = scaled((3, 4), dtype, rng_name)
        cases.append({"fn": "sigmoid", "dtype": dtype, "range": rng_name, "args": [enc(x)], "options": {}, "result": enc(torch.sigmoid(x))})
        cases.append({"fn": "logSigmoid", "dtype": dtype, "range": rng_name, "args": [enc(x)], "options": {}, "result": enc(F.logsigmoid(x))})
        for options in [{}, {"beta": 2.0}, {"beta": 0.5, "threshold": 5.0}]:
            cases.append({"fn": "softplus", "dtype": dtype, "range": rng_name, "args": [enc(x)], "options": options, "result": enc(F.softplus(x, **options))})
    x = torch.tensor([[float("-inf"), float("-inf")], [float("inf"), 1.0], [float("nan"), 1.0]])
    cases.append({"fn": "logSumExp", "dtype": "float32", "range": "extreme", "args": [enc(x)], "options": {"dim": 1, "keepdim": False}, "result": enc(torch.logsumexp(x, 1))})
    return cases


def printing_cases():
    samples = [
        torch.tensor(1.6154),
        torch.tensor(3.0),
        torch.tensor(-0.0),
        torch.tensor(float("nan")),
        torch.tensor([1.2319, 1.4423, 2.1719]),
        torch.tensor([1e-5, 1.0]),
        torch.tensor([1.0, 2.0, 1e9]),
        torch.tensor([-0.0, 1.5]),
        torch.tensor([float("nan"), 1.0, float("inf")]),
        torch.tensor([float("nan"), float("-inf")]),
        torch.tensor([0.125, 0.375]),
        torch.tensor([0.03125, 100.0]),
        torch.tensor([0.00005, 0.00015, 0.00025]),
        torch.tensor([123456.0, 0.5]),
        torch.tensor([1e8, 1.0]),
        torch.tensor([1e-4, 0.5]),
        torch.tensor([-1.0, 1000.0]),
        torch.tensor([-1.0, 1001.0]),
        torch.tensor([1, 2, 3], dtype=torch.int32),
        torch.tensor([[1, -20], [300, 4]], dtype=torch.int32),
        torch.tensor([1.5, 2.5], dtype=torch.float64),
        torch.tensor(0.125, dtype=torch.float64),
        torch.zeros(0),
        torch.zeros(0, 3),
        torch.zeros(2, 0, dtype=torch.float64),
        torch.zeros(0, dtype=torch.int32),
        torch.tensor([[1.0, 2.0], [3.0, 4.0]]),
        torch.arange(30, dtype=torch.float32) / 7,
        torch.arange(40, dtype=torch.float64) * 1e5,
        torch.arange(2000, dtype=torch.float32) / 7,
        torch.arange(1001, dtype=torch.int32),
        torch.arange(24, dtype=torch.float32).reshape(2, 3, 4) - 11.5,
        torch.arange(5000, dtype=torch.float64).reshape(10, 20, 25) / 3,
        torch.arange(1200, dtype=torch.float32).reshape(40, 30) * 1e-6,
    ]
    for _ in range(40):
        ndim = int(rng.integers(0, 4))
        shape = tuple(int(rng.integers(1, 6)) for _ in range(ndim))
        scale = 10.0 ** rng.uniform(-6, 9)
        dtype = [torch.float32, torch.float64][int(rng.integers(0, 2))]
        t = torch.tensor(rng.standard_normal(shape) * scale, dtype=dtype)
        if rng.uniform() < 0.3:
            t = t.round()
        samples.append(t)
    return [{"tensor": enc(t), "printed": str(t)} for t in samples]


def number_formats():
    """Python's own format() of doubles, which PyTorch's printing is built on: ties, subnormals, extremes."""
    values = [0.125, 0.375, 2.675, -0.0, -0.00001, 1e21, 0.03125, 1.25e-5, 9.99995, 99999.5, 5e-324, 1.7976931348623157e308, 0.0, 0.5, 1.5, 2.5, -2.5, 1e-300, 123456789.125]
    values += [float(v) for v in rng.standard_normal(40) * 10.0 ** rng.uniform(-8, 8, 40)]
    values += [float(np.float32(v)) for v in rng.standard_normal(20)]
    specs = [".0f", ".1f", ".2f", ".4f", ".1e", ".4e"]
    return [{"value": number(v), "spec": spec, "formatted": format(v, spec)} for v in values for spec in specs]


def log_loss_cases():
    cases = []

    def add(y_true, y_pred, **kwargs):
        options = {}
        if "normalize" in kwargs:
            options["normalize"] = kwargs["normalize"]
        if "sample_weight" in kwargs:
            options["sampleWeight"] = [float(v) for v in kwargs["sample_weight"]]
        if "labels" in kwargs:
            options["labels"] = list(kwargs["labels"])
        pred = np.asarray(y_pred)
        value = log_loss(y_true, pred, **kwargs)
        cases.append({"yTrue": list(y_true), "yPred": {"dtype": str(pred.dtype), "shape": list(pred.shape), "data": [float(v) for v in pred.reshape(-1)]}, "options": options, "expected": number(value)})

    add([0, 1, 1, 0], [0.1, 0.9, 0.8, 0.3])
    add([0, 1, 1, 0], [0.0, 1.0, 1.0, 0.0])
    add([0, 1, 1, 0], [1.0, 0.0, 0.5, 0.5])
    for n in [5, 37, 300]:
        y = rng.integers(0, 2, size=n).tolist()
        if len(set(y)) < 2:
            y[0], y[1] = 0, 1
        p = rng.uniform(0, 1, size=n)
        add(y, p.tolist())
        add(y, p.tolist(), normalize=False)
        add(y, p.tolist(), sample_weight=rng.uniform(0.1, 3, size=n).tolist())
        add(y, p.astype(np.float32))
        k = 4
        y = rng.integers(0, k, size=n).tolist()
        y[:k] = list(range(k))
        q = rng.uniform(0.01, 1, size=(n, k))
        q = q / q.sum(axis=1, keepdims=True)
        add(y, q.tolist())
        add(y, q.tolist(), sample_weight=rng.uniform(0.1, 3, size=n).tolist(), normalize=False)
    add(["cat", "dog", "cat"], [0.2, 0.7, 0.4])
    add(["b", "a", "c", "a"], [[0.2, 0.5, 0.3], [0.6, 0.3, 0.1], [0.1, 0.2, 0.7], [0.9, 0.05, 0.05]])
    add([1, 1, 1], [[0.3, 0.7], [0.4, 0.6], [0.1, 0.9]], labels=[0, 1])
    add([2, 0, 2], [[0.2, 0.3, 0.5], [0.6, 0.3, 0.1], [0.1, 0.1, 0.8]], labels=[0, 1, 2])
    add([10, 20, 10, 30], [[0.5, 0.25, 0.25], [0.1, 0.8, 0.1], [0.7, 0.2, 0.1], [0.2, 0.2, 0.6]])
    return cases


def seed_examples():
    """The tutorial's examples (../shared/seed-examples.md), printed by the reference libraries."""
    torch.set_default_dtype(torch.float32)
    demo = torch.tensor([[1, 4, 8, 6], [5, 2, -1, 3]], dtype=torch.float32)
    by_hand = torch.exp(demo) / torch.sum(torch.exp(demo), dim=1, keepdim=True)
    big = torch.tensor([[1000.0, 1001.0, 1002.0]])
    y_pred = torch.tensor([[0.121, 0.434, 0.2, 0.3343], [0.3, 0.342, 0.6, 0.123], [5, 2, -1, 3]])
    y_true1 = torch.tensor([[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1]], dtype=torch.float32)
    y_true2 = torch.tensor([1, 0, 3])
    p = torch.softmax(y_pred, dim=1)
    b_true = [0, 1, 1, 0]
    b_pred = [0.1, 0.9, 0.8, 0.3]
    clipped = np.clip(np.array(b_pred), 1e-15, 1 - 1e-15)
    by_hand_bce = -np.mean(np.array(b_true) * np.log(clipped) + (1 - np.array(b_true)) * np.log(1 - clipped))
    diffs = torch.tensor([-3, -1, -0.5, 0, 0.5, 1, 3])

    def curve(call):
        x = diffs.clone().requires_grad_(True)
        loss = call(x, torch.zeros_like(x), reduction="none")
        loss.sum().backward()
        return {"loss": enc(loss), "grad": enc(x.grad)}

    printed = {
        "softmaxByHand": str(by_hand),
        "softmaxDim1": str(torch.softmax(demo, dim=1)),
        "softmaxDim0": str(torch.softmax(demo, dim=0)),
        "softmaxNaiveOverflow": str(torch.exp(big) / torch.sum(torch.exp(big), dim=1, keepdim=True)),
        "softmaxStable": str(torch.softmax(big, dim=1)),
        "crossEntropyOneHotArgmax": str(F.cross_entropy(y_pred, torch.argmax(y_true1, dim=1))),
        "crossEntropyIndices": str(F.cross_entropy(y_pred, y_true2)),
        "crossEntropyByHand": str(torch.mean(-torch.sum(y_true1 * torch.log(p), dim=1))),
        "crossEntropyNone": str(F.cross_entropy(y_pred, y_true2, reduction="none")),
        "binaryLogLoss": f"Binary Log Loss: {log_loss(b_true, b_pred)}",
        "binaryByHand": f"Binary Cross-Entropy Loss: {by_hand_bce}",
        "binaryTorch": str(F.binary_cross_entropy(torch.tensor(b_pred), torch.tensor(b_true, dtype=torch.float32))),
    }
    if SEED_DOC.exists():
        # The generator's own check: the reference libraries still print what the tutorial shows.
        doc = SEED_DOC.read_text()
        for key, text in printed.items():
            for line in text.splitlines():
                assert line.strip() in doc, f"seed example {key}: {line!r} is not in {SEED_DOC}"
    return {
        "inputs": {
            "demo": demo.tolist(),
            "big": big.tolist(),
            "yPred": [[float(torch.tensor(v)) for v in row] for row in y_pred.tolist()],
            "yTrue1": y_true1.tolist(),
            "yTrue2": y_true2.tolist(),
            "binaryTrue": b_true,
            "binaryPred": b_pred,
            "differences": diffs.tolist(),
        },
        "printed": printed,
        "curves": {
            "l1": curve(F.l1_loss),
            "mse": curve(F.mse_loss),
            "smoothL1": curve(F.smooth_l1_loss),
        },
    }


def cli_fixtures():
    """Small data files in every format `losskit eval` reads, with PyTorch's and scikit-learn's values on them."""
    out = ROOT / "cli" / "test" / "fixtures"
    out.mkdir(parents=True, exist_ok=True)
    logits = rng.uniform(-3, 3, size=(6, 4)).astype(np.float32)
    labels = rng.integers(0, 4, size=6).astype(np.int64)
    labels[2] = 0
    soft = rng.uniform(0.05, 1, size=(6, 4))
    soft = soft / soft.sum(axis=1, keepdims=True)
    np.save(out / "logits.npy", logits)
    np.save(out / "logits64.npy", logits.astype(np.float64))
    np.save(out / "labels.npy", labels)
    with open(out / "labels.csv", "w") as f:
        f.write("id,label\n" + "".join(f"{i},{int(v)}\n" for i, v in enumerate(labels)))
    with open(out / "soft-targets.jsonl", "w") as f:
        f.write("".join(json.dumps([float(v) for v in row]) + "\n" for row in soft))
    prediction = rng.uniform(-2, 2, size=8)
    target = rng.uniform(-2, 2, size=8)
    target[3] = 15.0  # an outlier
    with open(out / "regression.csv", "w") as f:
        f.write("prediction,target\n" + "".join(f"{p!r},{t!r}\n" for p, t in zip(prediction.tolist(), target.tolist())))
    with open(out / "targets.json", "w") as f:
        json.dump([float(v) for v in target], f)
    np.save(out / "predictions.npy", prediction)
    scores = rng.uniform(-3, 3, size=(5, 3)).astype(np.float32)
    binary = rng.integers(0, 2, size=(5, 3)).astype(np.float32)
    np.save(out / "scores.npy", scores)
    with open(out / "binary.jsonl", "w") as f:
        f.write("".join(json.dumps([float(v) for v in row]) + "\n" for row in binary))
    probs = rng.uniform(0.02, 0.98, size=7)
    truth = np.array([0, 1, 1, 0, 1, 0, 1])
    np.save(out / "probs.npy", probs)
    with open(out / "truth.csv", "w") as f:
        f.write("".join(f"{v}\n" for v in truth))

    x = torch.tensor(logits, requires_grad=True)
    ce = F.cross_entropy(x, torch.tensor(labels))
    (ce_grad,) = torch.autograd.grad(ce, x)
    x64 = torch.tensor(logits.astype(np.float64))
    pt, tt = torch.tensor(prediction), torch.tensor(target)
    expected = {
        "cross-entropy": float(ce.detach()),
        "cross-entropy-grad": enc(ce_grad),
        "cross-entropy-options": float(F.cross_entropy(x64, torch.tensor(labels), weight=torch.tensor([1.0, 2.0, 0.5, 1.5], dtype=torch.float64), ignore_index=0, label_smoothing=0.1)),
        "cross-entropy-soft-sum": float(F.cross_entropy(x64, torch.tensor(soft), reduction="sum")),
        "mse": float(F.mse_loss(pt, tt)),
        "l1-none": enc(F.l1_loss(pt, tt, reduction="none")),
        "huber-sum": float(F.huber_loss(pt, tt, delta=2.0, reduction="sum")),
        "bce-with-logits": float(F.binary_cross_entropy_with_logits(torch.tensor(scores), torch.tensor(binary), pos_weight=torch.tensor([3.0, 1.0, 0.5]))),
        "log-loss": float(log_loss(truth, probs)),
    }
    with open(out / "expected.json", "w") as f:
        json.dump({"generator": "scripts/generate_fixtures.py", "references": REFERENCES, "expected": expected}, f, indent=1)
        f.write("\n")
    print(f"wrote {out.relative_to(ROOT)}/ (data files and expected.json)")


# ---------------------------------------------------------------------------------------------
# Numerical edge cases (issue 11): each runs on both backends in src/kernels/wasm.test.ts


def edge_cases():
    """NaN, ±inf, huge and subnormal values, confident rows: PyTorch's answer for each, on shapes
    that the WebAssembly kernels take (float32 [N, C] rows; elementwise with at least 4 elements).
    A float32 case marked float64_reference also records PyTorch's float64 computation on the same
    values, where PyTorch's float32 kernel itself is wrong (a float32-rounded beta of 1e39, the
    focal loss's 1 − p_t rounded to 0)."""
    inf, nan = math.inf, math.nan
    f32max = float(torch.finfo(torch.float32).max)
    losses, activations = [], []

    def ce(name, rows, target, dtypes=("float32", "float64"), **options):
        for dtype in dtypes:
            x = torch.tensor(rows, dtype=DTYPES[dtype])
            soft = isinstance(target[0], list)
            t = torch.tensor(target, dtype=DTYPES[dtype]) if soft else torch.tensor(target, dtype=torch.float64)
            opts = torch_options(options, {"ignoreIndex": "ignore_index", "labelSmoothing": "label_smoothing"})
            if "weight" in opts:
                opts["weight"] = torch.tensor(opts["weight"], dtype=DTYPES[dtype])
            # class indices travel as float64 numbers (an ignoreIndex beyond int32 must survive)
            call = (lambda a, b: F.cross_entropy(a, b, **opts)) if soft else (lambda a, b: F.cross_entropy(a, b.long(), **opts))
            case = run_case("crossEntropy", call, [x, t], [True, soft], {**options, "weight": opts["weight"]} if "weight" in opts else options, options.get("reduction", "mean"), name, dtype)
            losses.append(case)

    big = [[1e17, 1e17], [1e38, 1e38], [f32max, f32max], [-1e38, -1e38], [f32max, -f32max]]
    ce("huge", big, [0, 0, 1, 1, 1], reduction="none")
    ce("huge", [[-1e38, -1e38, -1e38]], [1])
    ce("huge", [[1e4] * 7, [-1e4] * 7], [[1 / 7] * 7, [0.5, 0.5, 0, 0, 0, 0, 0]], reduction="none")
    ce("huge", [[1e4] * 7, [-1e4] * 7], [3, 6], reduction="none", labelSmoothing=0.1)
    specials = [[inf, 1.0, 2.0], [1.0, inf, inf], [-inf, 1.0, 2.0], [-inf, -inf, -inf], [nan, 1.0, 2.0], [nan, inf, 1.0], [nan, nan, nan], [nan, -inf, -inf]]
    for t in [0, 1]:
        ce("special", specials, [t] * len(specials), reduction="none")
    ce("special", specials, [[0.2, 0.3, 0.5]] * len(specials), reduction="none")
    ce("special", [[-inf, 1.0, 2.0]], [[0.0, 0.5, 0.5]], reduction="none")
    ce("special", specials, [1] * len(specials), reduction="none", labelSmoothing=0.1)
    ce("special", [[-inf, 1.0, 2.0]], [1], reduction="none", labelSmoothing=0.1, weight=[0.0, 1.0, 1.0])
    # an ignoreIndex beyond int32 (PyTorch's is int64): 2**32 + 1 must not ignore class 1
    ce("ignore", [[1.0, 2.0, 3.0], [1.0, 5.0, 2.0], [0.5, 0.1, 0.2], [3.0, 1.0, 2.0]], [1, 0, 2 ** 32 + 1, 1], ignoreIndex=2 ** 32 + 1)
    ce("ignore", [[1.0, 2.0, 3.0], [1.0, 5.0, 2.0]], [1, 1], ignoreIndex=-(2 ** 40), reduction="sum")
    # confident rows (the gradient's p − 1 and the loss's log(1 + small))
    ce("confident", [[-3.648, -6.3879, 3.4631]], [2])
    ce("confident", [[12.0, -3.0, 0.5, 1.0, -8.0, 2.0, 0.0]], [0])
    ce("confident", [[12.0, -3.0, 0.5, 1.0, -8.0, 2.0, 0.0]], [[1.0, 0, 0, 0, 0, 0, 0]])

    def act(name, rows):
        for dtype in DTYPES:
            x = torch.tensor(rows, dtype=DTYPES[dtype])
            activations.append({"fn": "softmax", "dtype": dtype, "range": name, "args": [enc(x)], "options": {"dim": -1}, "result": enc(torch.softmax(x, -1))})
            activations.append({"fn": "logSoftmax", "dtype": dtype, "range": name, "args": [enc(x)], "options": {"dim": -1}, "result": enc(torch.log_softmax(x, -1))})
            activations.append({"fn": "logSumExp", "dtype": dtype, "range": name, "args": [enc(x)], "options": {"dim": -1}, "result": enc(torch.logsumexp(x, -1))})

    act("special", [r + [0.0] for r in specials])
    act("huge", [[1e17, 1e17], [1e38, 1e38], [f32max, f32max], [-1e38, -1e38], [f32max, -f32max]])
    act("huge", [[1e4] * 7, [-1e4] * 7, [1e4, -1e4, 0.0, 5.0, 1e4, 1e4 - 1, -3.0]])
    act("confident", [[-3.648, -6.3879, 3.4631], [20.0, 0.0, -1.0]])

    def elementwise(fn, call, x, y, range_name, diff=(True, True), float64_reference=False, dtypes=("float32", "float64"), **options):
        for dtype in dtypes:
            a = torch.tensor(x, dtype=DTYPES[dtype])
            b = torch.tensor(y, dtype=DTYPES[dtype])
            opts = {k: (torch.tensor(v, dtype=DTYPES[dtype]) if isinstance(v, list) else v) for k, v in options.items()}
            losses.append(run_case(fn, lambda u, v: call(u, v, reduction="none", **opts_torch(fn, opts)), [a, b], list(diff), {**opts, "reduction": "none"}, "none", range_name, dtype, float64_reference=float64_reference))

    xs = [nan, 1.0, -2.0, 0.0, 3.0, nan, inf, -inf]
    ys = [0.0, nan, 0.0, 0.0, 0.5, nan, 0.0, 1.0]
    elementwise("l1Loss", F.l1_loss, xs, ys, "special")
    elementwise("mseLoss", F.mse_loss, xs, ys, "special")
    for beta in [0.0, 0.5, 1.0]:
        elementwise("smoothL1Loss", F.smooth_l1_loss, xs, ys, "special", beta=beta)
    elementwise("huberLoss", F.huber_loss, xs, ys, "special", delta=1.5)
    wide = [3.0, 1e30, 0.5, -2.0, 0.0, 1e-20, -1e35, 7.0]
    elementwise("smoothL1Loss", F.smooth_l1_loss, wide, [0.0] * 8, "huge", float64_reference=True, beta=1e39)
    elementwise("huberLoss", F.huber_loss, wide, [0.0] * 8, "huge", float64_reference=True, delta=1e39)
    logits = [-inf, inf, -inf, inf, nan, 0.0, -100.0, 100.0]
    targets = [0.5, 0.5, 1.0, 0.0, 0.5, 0.5, 1.0, 0.0]
    elementwise("binaryCrossEntropyWithLogits", F.binary_cross_entropy_with_logits, logits, targets, "special")
    elementwise("binaryCrossEntropyWithLogits", F.binary_cross_entropy_with_logits, logits, targets, "special", posWeight=[1.0] * 8)
    elementwise("binaryCrossEntropyWithLogits", F.binary_cross_entropy_with_logits, logits, targets, "special", posWeight=[3.0, 0.5, 3.0, 0.5, 2.0, 2.0, 0.5, 3.0])
    subnormal = [1e-40, 1e-40, 1e-45, 1e-38, 1 - 1e-7, 0.5, 1e-39, 3e-41]
    elementwise("binaryCrossEntropy", F.binary_cross_entropy, subnormal, [1.0, 0.5, 1.0, 1.0, 0.0, 0.5, 0.0, 1.0], "subnormal", dtypes=("float32",))
    # the focal loss at confident logits, gamma < 1: PyTorch's float32 gradient is NaN (1 − p_t
    # rounds to 0); its float64 computation on the same values is the reference
    focal_x = [20.0, -20.0, 15.0, -12.0, 20.0, 0.3, -20.0, 8.0]
    focal_y = [1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 1.0, 0.9]
    for gamma in [0.5, 0.2, 1.5, 1.0, 2.0]:
        elementwise("sigmoidFocalLoss", lambda u, v, reduction, **o: sigmoid_focal_loss(u, v, reduction=reduction, **o), focal_x, focal_y, "confident", float64_reference=True, dtypes=("float32",), alpha=0.25, gamma=gamma)
    return losses, activations


def ctc_nan_cases():
    """F.ctc_loss with a NaN log-probability: on a path (NaN loss and gradient), on a class no path
    uses (finite loss, NaN gradient there), beyond the input length (ignored)."""
    cases = []
    for dtype in DTYPES:
        # (t, class, input length, target): the last is an impossible alignment (3 labels in 2
        # steps) whose NaN sits where no path from the start goes: PyTorch's loss is NaN, not inf
        for t, c, length, target in [(2, 1, 5, [1, 2]), (2, 3, 5, [1, 2]), (4, 1, 3, [1, 2]), (1, 2, 2, [1, 2, 2])]:
            lp = torch.log_softmax(torch.tensor(rng.standard_normal((5, 1, 4)), dtype=DTYPES[dtype]), dim=2)
            lp[t, 0, c] = math.nan
            args = [lp, torch.tensor([target]), torch.tensor([length]), torch.tensor([len(target)])]
            cases.append(run_case("ctcLoss", lambda a, b, c_, d: F.ctc_loss(a, b, c_, d, reduction="sum"), args, [True, False, False, False], {"reduction": "sum"}, "sum", "special", dtype))
    return cases


# ---------------------------------------------------------------------------------------------
# Issue 16, PyTorch and torchvision losses (branch losses-torch): linear_cross_entropy,
# triplet_margin_with_distance_loss and torchvision's box-IoU losses. One block, one file of its
# own (losses/torch-extra.json), written after every other file so their random draws are unchanged.


def load_box_iou_losses():
    """torchvision's generalized/distance/complete box-IoU losses, executed from the installed
    torchvision's own ops/*_loss.py and ops/_utils.py (plain Python over torch), as the focal loss:
    the package import needs the compiled operators. Relative imports are rewired to the namespace."""
    spec = importlib.util.find_spec("torchvision")
    ops = pathlib.Path(spec.submodule_search_locations[0]) / "ops"
    namespace = {"_log_api_usage_once": lambda *a: None}
    utils = (ops / "_utils.py").read_text()
    utils_ns = {}
    exec(compile(utils, str(ops / "_utils.py"), "exec"), utils_ns)
    namespace["_loss_inter_union"] = utils_ns["_loss_inter_union"]
    namespace["_upcast_non_float"] = utils_ns["_upcast_non_float"]
    for name in ["giou_loss.py", "diou_loss.py", "ciou_loss.py"]:
        source = (ops / name).read_text()
        for line in source.splitlines():
            if line.startswith("from ."):
                source = source.replace(line, "")
        exec(compile(source, str(ops / name), "exec"), namespace)
    return {
        "generalizedBoxIouLoss": namespace["generalized_box_iou_loss"],
        "distanceBoxIouLoss": namespace["distance_box_iou_loss"],
        "completeBoxIouLoss": namespace["complete_box_iou_loss"],
    }


def random_boxes(n, dtype, scale=10.0):
    x1 = rng.uniform(0, scale, size=n)
    y1 = rng.uniform(0, scale, size=n)
    w = rng.uniform(0.05 * scale, 0.5 * scale, size=n)
    h = rng.uniform(0.05 * scale, 0.5 * scale, size=n)
    return torch.tensor(np.stack([x1, y1, x1 + w, y1 + h], axis=-1), dtype=DTYPES[dtype])


# Pairs of boxes at the edges: identical, disjoint, nested, touching (zero intersection: the mask
# is strict), shared corners (ties in min/max: the gradient is shared), zero width, zero height,
# both zero-area, large coordinates.
BOX_EDGES = [
    ([1.0, 2.0, 4.0, 6.0], [1.0, 2.0, 4.0, 6.0]),
    ([0.0, 0.0, 1.0, 1.0], [3.0, 4.0, 5.0, 7.0]),
    ([0.0, 0.0, 10.0, 10.0], [2.0, 3.0, 4.0, 8.0]),
    ([0.0, 0.0, 2.0, 2.0], [2.0, 0.0, 4.0, 2.0]),
    ([0.0, 0.0, 2.0, 3.0], [0.0, 0.0, 3.0, 2.0]),
    ([1.0, 1.0, 1.0, 4.0], [0.0, 0.0, 2.0, 2.0]),
    ([1.0, 1.0, 3.0, 1.0], [0.0, 0.0, 2.0, 2.0]),
    ([1.0, 1.0, 1.0, 1.0], [2.0, 2.0, 2.0, 2.0]),
    ([1e4, 2e4, 1.5e4, 2.6e4], [1.1e4, 1.9e4, 1.6e4, 2.5e4]),
]


def box_iou_cases():
    cases = []
    losses = load_box_iou_losses()
    for fn, call in losses.items():
        for dtype, shape, eps, reduction, rng_name in itertools.product(
            DTYPES, [(5,), ()], [None, 1e-5], reductions(), ["small", "typical"]
        ):
            n = shape[0] if shape else 1
            scale = 1e-2 if rng_name == "small" else 10.0
            b1, b2 = random_boxes(n, dtype, scale), random_boxes(n, dtype, scale)
            if not shape:
                b1, b2 = b1[0], b2[0]
            options = {"reduction": reduction, **({"eps": eps} if eps is not None else {})}
            opts = {"reduction": reduction, **({"eps": eps} if eps is not None else {})}
            cases.append(run_case(fn, lambda a, b: call(a, b, **opts), [b1, b2], [True, True], options, reduction, rng_name, dtype))
        for dtype, reduction in itertools.product(DTYPES, reductions()):
            b1 = torch.tensor([e[0] for e in BOX_EDGES], dtype=DTYPES[dtype])
            b2 = torch.tensor([e[1] for e in BOX_EDGES], dtype=DTYPES[dtype])
            cases.append(run_case(fn, lambda a, b: call(a, b, reduction=reduction), [b1, b2], [True, True], {"reduction": reduction}, reduction, "extreme", dtype))
            # zero boxes: 0 for every reduction (torchvision's mean over nothing is 0 · sum)
            empty = torch.zeros((0, 4), dtype=DTYPES[dtype])
            cases.append(run_case(fn, lambda a, b: call(a, b, reduction=reduction), [empty, empty.clone()], [True, True], {"reduction": reduction}, reduction, "extreme", dtype))
    return cases


def squared_euclidean(x, y):
    """A user distance for the fixtures (the test passes the same one as { value, grad })."""
    return (x - y).pow(2).sum(-1)


TRIPLET_DISTANCES = {
    None: None,
    "pairwise": F.pairwise_distance,
    "cosine": lambda x, y: 1.0 - F.cosine_similarity(x, y, dim=-1),
    "squaredEuclidean": squared_euclidean,
}


def triplet_distance_cases():
    cases = []
    for dtype, shape, distance, margin, swap, reduction, rng_name in itertools.product(
        DTYPES, [(4, 5), (5,)], list(TRIPLET_DISTANCES), [1.0, 0.5, 3.0], [False, True], reductions(), ["small", "typical", "extreme"]
    ):
        if rng_name != "typical" and (margin != 1.0 or shape == (5,)):
            continue
        if rng_name == "extreme":
            a, p, q = (torch.tensor(rng.choice([-2.0, 0.0, 1.0, 3.0], size=shape), dtype=DTYPES[dtype]) for _ in range(3))
            p[0] = a[0]  # identical anchor and positive
            q[1] = 0.0  # a zero vector (cosine: the norm is clamped at eps)
            q[2] = p[2]  # positive equals negative: the swap's distance is that of equal rows
        else:
            a, p, q = (scaled(shape, dtype, rng_name) for _ in range(3))
        options = {"reduction": reduction}
        if distance is not None:
            options["distance"] = distance
        if margin != 1.0:
            options["margin"] = margin
        if swap:
            options["swap"] = True
        kwargs = {"margin": margin, "swap": swap, "reduction": reduction, "distance_function": TRIPLET_DISTANCES[distance]}
        cases.append(run_case("tripletMarginWithDistanceLoss", lambda x, y, z: F.triplet_margin_with_distance_loss(x, y, z, **kwargs), [a, p, q], [True, True, True], options, reduction, rng_name, dtype))
    return cases


def linear_cross_entropy_cases():
    """F.linear_cross_entropy on its reference path (options=None: linear then cross_entropy). The
    bias travels as an option whose gradient is grads[3]; chunkSize is losskit's alone (any chunking
    must give the unchunked numbers)."""
    cases = []

    def case(dtype, x, w, target, options, rng_name, bias=None):
        reduction = options.get("reduction", "mean")
        kwargs = torch_options({k: v for k, v in options.items() if k != "chunkSize"}, {"ignoreIndex": "ignore_index", "labelSmoothing": "label_smoothing"})
        args = [x, w, target] + ([bias] if bias is not None else [])
        diff = [True, True, False] + ([True] if bias is not None else [])
        call = lambda a, b, c, *d: F.linear_cross_entropy(a, b, c, linear_bias=d[0] if d else None, **kwargs)
        result = run_case("linearCrossEntropy", call, args, diff, options, reduction, rng_name, dtype)
        if bias is not None:
            # the bias is an option of the losskit call; its gradient stays at position 3
            result["args"] = result["args"][:3]
            result["options"]["linearBias"] = enc(bias)
        cases.append(result)

    N, H, V = 6, 5, 7
    for dtype, biased, weighted, smoothing, reduction, chunk, rng_name in itertools.product(
        DTYPES, [False, True], [False, True], [0.0, 0.1], reductions(), [None, 4], ["small", "typical", "extreme"]
    ):
        if rng_name != "typical" and (weighted or smoothing or chunk):
            continue
        if rng_name == "extreme":
            x = torch.tensor(rng.choice([-30.0, -3.0, 0.0, 3.0, 30.0], size=(N, H)), dtype=DTYPES[dtype])
        else:
            x = scaled((N, H), dtype, rng_name)
        w = rand((V, H), dtype, -1.0, 1.0)
        target = indices((N,), V)
        target[1] = -100  # the default ignoreIndex
        options = {"reduction": reduction}
        if weighted:
            options["weight"] = probs((V,), dtype, 0.2, 2.0)
        if smoothing:
            options["labelSmoothing"] = smoothing
        if chunk:
            options["chunkSize"] = chunk
        case(dtype, x, w, target, options, rng_name, rand((V,), dtype) if biased else None)
    for dtype, reduction in itertools.product(DTYPES, reductions()):
        w = rand((V, H), dtype, -1.0, 1.0)
        # unbatched input [H] with a 0-d target
        case(dtype, rand((H,), dtype), w, torch.tensor(3), {"reduction": reduction}, "typical", rand((V,), dtype))
        # a custom ignoreIndex, with label smoothing and chunks of 1 row
        case(dtype, rand((N, H), dtype), w, torch.tensor([2, 0, 2, 6, 1, 2]), {"reduction": reduction, "ignoreIndex": 2, "labelSmoothing": 0.2, "chunkSize": 1}, "extreme")
        # every target ignored ('mean': NaN with zero gradients); an empty batch
        case(dtype, rand((3, H), dtype), w, torch.full((3,), -100), {"reduction": reduction}, "extreme", rand((V,), dtype))
        case(dtype, torch.zeros((0, H), dtype=DTYPES[dtype]), w, torch.zeros((0,), dtype=torch.int64), {"reduction": reduction}, "extreme")
    return cases


def torch_extra_fixtures():
    # A generator of its own: this file's draws do not depend on what runs before it, nor theirs on it.
    global rng
    shared, rng = rng, np.random.default_rng(16)
    try:
        cases = box_iou_cases() + triplet_distance_cases() + linear_cross_entropy_cases()
    finally:
        rng = shared
    references = {**REFERENCES, "torchvision": TORCHVISION_VERSION + " (ops/giou_loss.py, diou_loss.py, ciou_loss.py, _utils.py)"}
    write("losses/torch-extra.json", {"references": references, "cases": cases})

# End of the issue-16 PyTorch/torchvision block.
# ---------------------------------------------------------------------------------------------


# Activations' withGrad (branch `bench`, issue 14): vector–Jacobian products from autograd. Its own
# random generator and its own file, written last, so the draws of every other fixture are unchanged.

act_rng = np.random.default_rng(20261202)

ACTIVATION_GRAD_SPECIALS = [
    [float("-inf"), 0.0, 1.0, 2.0],  # a −inf logit: softmax 0, log_softmax −inf
    [float("-inf")] * 4,  # all −inf: NaN
    [float("inf"), 1.0, 0.0, -1.0],  # a +inf
    [float("nan"), 1.0, 0.0, -1.0],
    [1e4, 1e4, -1e4, 0.0],  # ties at a huge maximum
]


def activation_grad_cases():
    def values(shape, dtype, rng_name):
        if rng_name == "small":
            v = act_rng.uniform(-1e-3, 1e-3, size=shape)
        elif rng_name == "typical":
            v = act_rng.uniform(-3.0, 3.0, size=shape)
        else:
            v = act_rng.choice(np.array([-1e4, -150.0, -30.0, -17.0, 0.0, 17.0, 30.0, 150.0, 1e4, 3.5e4]), size=shape)
        return torch.tensor(v, dtype=DTYPES[dtype])

    def case(fn, call, x, options, rng_name, dtype):
        leaf = x.detach().clone().requires_grad_(True)
        y = call(leaf)
        g = torch.tensor(act_rng.uniform(-2, 2, size=tuple(y.shape)), dtype=y.dtype)
        (grad,) = torch.autograd.grad(y, [leaf], grad_outputs=g, allow_unused=True)
        if grad is None:  # an empty input
            grad = torch.zeros_like(x)
        out = {"fn": fn, "dtype": dtype, "range": rng_name, "args": [enc(x)], "options": options, "gradOutput": enc(g), "value": enc(y), "grad": enc(grad)}
        if fn == "logSumExp" and dtype == "float32":
            # PyTorch's float32 backward is exp(x − y) with y rounded to float32 (an error of
            # |y| · 2^-24 in the exponent: 6e-4 at |y| = 1e4); losskit's is the exact softmax, so
            # these cases also record the same call in float64 on the same values.
            wide = x.double().requires_grad_(True)
            (grad64,) = torch.autograd.grad(call(wide), [wide], grad_outputs=g.double(), allow_unused=True)
            out["grad64"] = enc(grad64 if grad64 is not None else torch.zeros_like(wide))
        return out

    def along_dim(x, dtype, rng_name, dims):
        out = []
        for dim in dims:
            out.append(case("softmax", lambda v: torch.softmax(v, dim), x, {"dim": dim}, rng_name, dtype))
            out.append(case("logSoftmax", lambda v: torch.log_softmax(v, dim), x, {"dim": dim}, rng_name, dtype))
            for keepdim in [False, True]:
                out.append(case("logSumExp", lambda v: torch.logsumexp(v, dim, keepdim=keepdim), x, {"dim": dim, "keepdim": keepdim}, rng_name, dtype))
        return out

    def elementwise(x, dtype, rng_name):
        out = [case("sigmoid", torch.sigmoid, x, {}, rng_name, dtype), case("logSigmoid", F.logsigmoid, x, {}, rng_name, dtype)]
        for options in [{}, {"beta": 2.0}, {"beta": 0.5, "threshold": 5.0}]:
            out.append(case("softplus", lambda v: F.softplus(v, **options), x, options, rng_name, dtype))
        return out

    cases = []
    for dtype, rng_name in itertools.product(DTYPES, ["small", "typical", "extreme"]):
        for shape in [(5,), (3, 4), (2, 3, 4), (2, 3, 2, 5)]:
            x = values(shape, dtype, rng_name)
            cases += along_dim(x, dtype, rng_name, [d for d in [-1, 0, 1, 2] if d < len(shape)])
            cases += elementwise(x, dtype, rng_name)
        # rows long enough for every SIMD tail
        cases += along_dim(values((3, 37), dtype, rng_name), dtype, rng_name, [-1])
    for dtype in DTYPES:
        x = torch.tensor(ACTIVATION_GRAD_SPECIALS, dtype=DTYPES[dtype])
        cases += along_dim(x, dtype, "special", [-1, 0])
        cases += elementwise(torch.tensor([float("-inf"), -1e4, -30.0, -17.0, 0.0, 17.0, 30.0, 1e4, float("inf"), float("nan")], dtype=DTYPES[dtype]), dtype, "special")
        cases += along_dim(torch.tensor(1.5, dtype=DTYPES[dtype]), dtype, "special", [0])  # 0-d
        cases += along_dim(torch.zeros((2, 0), dtype=DTYPES[dtype]), dtype, "special", [0, 1])  # empty
    return cases


def main():
    groups = {
        "losses/cross-entropy.json": cross_entropy_cases() + nll_cases(),
        "losses/regression.json": regression_cases(),
        "losses/binary.json": binary_cases(),
        "losses/distribution.json": distribution_cases(),
        "losses/margin.json": margin_cases(),
        "losses/embedding.json": embedding_cases(),
    }
    for name, cases in groups.items():
        write(name, {"cases": cases})
    write("activations.json", {"cases": activation_cases()})
    write("printing.json", {"cases": printing_cases(), "numberFormats": number_formats()})
    write("log-loss.json", {"cases": log_loss_cases()})
    write("seed.json", seed_examples())
    cli_fixtures()
    # Last, so that adding it left the random draws of every other fixture unchanged.
    write("losses/ctc.json", {"cases": ctc_cases()})
    # After those too, for the same reason.
    edge_losses, edge_activations = edge_cases()
    write("edges.json", {"cases": edge_losses + ctc_nan_cases(), "activations": edge_activations})
    # Issue 16's PyTorch/torchvision losses, after every other file (their draws stay unchanged).
    torch_extra_fixtures()
    # Last of all (branch `bench`): the activations' withGrad.
    write("activations-grad.json", {"cases": activation_grad_cases()})


if __name__ == "__main__":
    main()
