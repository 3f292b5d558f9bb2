#!/usr/bin/env python3
"""Golden fixtures of the losses whose references are Keras 3.15 and optax 0.2.8.

Writes test/fixtures/losses/keras-optax.json: values and gradients (with respect to both
arguments, through jax.vjp) computed by Keras on its JAX backend and by optax. losskit's argument
order is kept in the fixtures (prediction first), although Keras takes y_true first.

Set-up (the wheels are on local disk; see DEVELOPERS.md, "Golden fixtures"):
    python3 -m venv /work/venvs/keras
    /work/venvs/keras/bin/pip install --no-index --find-links /opt/wheels --find-links /opt/pypi/files \
        --find-links /opt/pypi-more/files keras==3.15.1 jax==0.10.2 jaxlib==0.10.2 optax==0.2.8 numpy
    KERAS_BACKEND=jax /work/venvs/keras/bin/python scripts/generate_fixtures_keras_optax.py

The tensor encoding is that of scripts/generate_fixtures.py (non-finite numbers as "nan", "inf",
"-inf"; float32 values written as the exact decimal of the float32). Seeded: a second run writes
the same file byte for byte.
"""

import itertools
import os
import pathlib
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
if os.environ["KERAS_BACKEND"] != "jax":
    sys.exit("generate_fixtures_keras_optax.py: run Keras on the JAX backend (KERAS_BACKEND=jax)")

import jax

jax.config.update("jax_enable_x64", True)  # float64 cases are computed in float64
jax.config.update("jax_platforms", "cpu")

import jax.numpy as jnp
import keras
import keras.src.backend.jax.numpy as keras_jax_numpy
import numpy as np
import optax

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_format import tensor, write_json  # noqa: E402


def _mean(x, axis=None, keepdims=False):
    x = jnp.asarray(x)
    return jnp.mean(x, axis=axis, keepdims=keepdims, dtype=jnp.promote_types(x.dtype, jnp.float32))


# Keras 3.15's ops.mean on JAX accumulates in dtypes.result_type(x.dtype, "float32"), which its
# promotion lattice makes float32 for float64 x: LogCosh and SquaredHinge in float64 were only
# float32-accurate (log-cosh of [1, 1e-3, 2.5] off by 4e-8). The float64 cases need float64
# references, so ops.mean is given numpy's promotion (float32 cases are unchanged: float32 either way).
keras_jax_numpy.mean = _mean

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "test" / "fixtures" / "losses" / "keras-optax.json"

REFERENCES = {
    "keras": keras.__version__ + " (backend " + keras.backend.backend() + ")",
    "jax": jax.__version__,
    "jaxlib": jax.lib.__version__ if hasattr(jax.lib, "__version__") else __import__("jaxlib").__version__,
    "optax": optax.__version__,
    "numpy": np.__version__,
    "python": sys.version.split()[0],
}

rng = np.random.default_rng(20261202)
DTYPES = ("float32", "float64")
REDUCTIONS = ("none", "mean", "sum")
KERAS_REDUCTION = {"none": None, "mean": "sum_over_batch_size", "sum": "sum"}


# ---------------------------------------------------------------------------------------------
# Encoding (scripts/fixture_format.py)


def enc(a):
    a = np.asarray(a)
    kind = "int" if a.dtype.kind in "iub" else "float32" if a.dtype == np.float32 else "float64"
    return tensor(a.shape, kind, a.reshape(-1))


# ---------------------------------------------------------------------------------------------
# Running one case


def run_case(fn, call, args, diff, options, rng_name, dtype, grad_at=None):
    """`call(*args)` (losskit's argument order) and the gradients of sum(loss * gradOutput) with
    respect to the arguments marked in `diff`, through jax.vjp. `grad_at` maps an argument's index
    to other arguments at which to take its gradient (see cosine_cases)."""
    args = [jnp.asarray(a) for a in args]
    wanted = [k for k, d in enumerate(diff) if d]
    loss = jnp.asarray(call(*args))

    def vjp_at(point, k):
        point = [jnp.asarray(a) for a in point]

        def f(x):
            return call(*[x if j == k else a for j, a in enumerate(point)])

        return jax.vjp(f, point[k])[1]

    g = np.asarray(rng.uniform(-2, 2, size=loss.shape), dtype=loss.dtype)
    grads = [None] * len(args)
    for k in wanted:
        (gr,) = vjp_at((grad_at or {}).get(k, args), k)(jnp.asarray(g))
        grads[k] = enc(gr)
    return {
        "fn": fn,
        "range": rng_name,
        "dtype": dtype,
        "args": [enc(a) for a in args],
        "options": {k: (enc(v) if isinstance(v, np.ndarray) else v) for k, v in options.items()},
        "reduction": options.get("reduction", "mean"),
        "gradOutput": enc(g),
        "loss": enc(loss),
        "grads": grads,
    }


def keras_call(cls, reduction, dtype, **kwargs):
    """A Keras loss object in losskit's argument order (prediction first)."""
    loss = cls(reduction=KERAS_REDUCTION[reduction], dtype=dtype, **kwargs)
    return lambda input, target: loss(target, input)


def reduce(values, reduction):
    """optax returns per-example losses: 'mean' and 'sum' are their jnp.mean and jnp.sum."""
    return {"none": lambda v: v, "mean": jnp.mean, "sum": jnp.sum}[reduction](values)


def arr(values, dtype):
    return np.asarray(values, dtype=dtype)


def uniform(shape, dtype, low, high):
    return rng.uniform(low, high, size=shape).astype(dtype)


def choice(values, shape, dtype):
    return rng.choice(np.asarray(values, dtype=np.float64), size=shape).astype(dtype)


def softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def one_hot(shape, dtype, axis=-1):
    classes = shape[axis]
    idx = rng.integers(0, classes, size=tuple(np.delete(shape, axis % len(shape))))
    return np.moveaxis(np.eye(classes, dtype=dtype)[idx], -1, axis % len(shape))


# ---------------------------------------------------------------------------------------------
# Keras


def overlap_args(shape, dtype, rng_name):
    """Prediction and target for Dice/Tversky: probabilities and masks, tiny ones, and edges."""
    if rng_name == "small":
        return uniform(shape, dtype, 0, 1e-3), choice([0.0, 1.0], shape, dtype) * 1e-3
    if rng_name == "typical":
        target = choice([0.0, 1.0], shape, dtype) if rng.random() < 0.5 else uniform(shape, dtype, 0, 1)
        return uniform(shape, dtype, 0, 1), target
    # extreme: saturated predictions, empty masks, values beyond [0, 1]
    return choice([0.0, 1.0, 0.5, 30.0], shape, dtype), choice([0.0, 1.0], shape, dtype)


OVERLAP_LAYOUTS = [((6,), None), ((3, 4), None), ((3, 4), 1), ((3, 4), -1), ((2, 3, 4), None), ((2, 3, 4), [1, 2]), ((2, 3, 4), [0, 2]), ((2, 3, 4), 0)]


def dice_cases():
    cases = []
    for dtype, (shape, axis), reduction, rng_name in itertools.product(DTYPES, OVERLAP_LAYOUTS, REDUCTIONS, ("small", "typical", "extreme")):
        x, y = overlap_args(shape, dtype, rng_name)
        options = {"reduction": reduction, **({"axis": axis} if axis is not None else {})}
        keras_axis = tuple(axis) if isinstance(axis, list) else axis
        cases.append(run_case("diceLoss", keras_call(keras.losses.Dice, reduction, dtype, axis=keras_axis), [x, y], [True, True], options, rng_name, dtype))
    for dtype, reduction in itertools.product(DTYPES, REDUCTIONS):
        # Zeros everywhere: 1 - 0 / eps = 1; a NaN and an infinity.
        for x, y in [(np.zeros((2, 3)), np.zeros((2, 3))), (np.array([[0.5, np.nan, 0.2], [0.1, 0.2, 0.3]]), np.ones((2, 3))), (np.array([[0.5, np.inf, 0.2], [0.1, 0.2, 0.3]]), np.ones((2, 3)))]:
            options = {"reduction": reduction, "axis": 1}
            cases.append(run_case("diceLoss", keras_call(keras.losses.Dice, reduction, dtype, axis=1), [x.astype(dtype), y.astype(dtype)], [True, True], options, "extreme", dtype))
    return cases


def tversky_cases():
    cases = []
    grid = [{}, {"alpha": 0.3, "beta": 0.7}, {"alpha": 0.8, "beta": 0.2}, {"alpha": 0.0, "beta": 1.0}, {"alpha": 2.0, "beta": 0.0}]
    for dtype, (shape, axis), params, reduction, rng_name in itertools.product(DTYPES, OVERLAP_LAYOUTS[::2], grid, REDUCTIONS, ("small", "typical", "extreme")):
        x, y = overlap_args(shape, dtype, rng_name)
        options = {**params, "reduction": reduction, **({"axis": axis} if axis is not None else {})}
        keras_axis = tuple(axis) if isinstance(axis, list) else axis
        cases.append(run_case("tverskyLoss", keras_call(keras.losses.Tversky, reduction, dtype, axis=keras_axis, **params), [x, y], [True, True], options, rng_name, dtype))
    return cases


def scaled(shape, dtype, rng_name):
    if rng_name == "small":
        return uniform(shape, dtype, -1e-3, 1e-3)
    if rng_name == "typical":
        return uniform(shape, dtype, -3, 3)
    return choice([-1e4, -150.0, -30.0, 0.0, 30.0, 150.0, 1e4, 3.5e4], shape, dtype)


def log_cosh_cases():
    cases = []
    for dtype, shape, reduction, rng_name in itertools.product(DTYPES, [(7,), (3, 4), (2, 3, 2)], REDUCTIONS, ("small", "typical", "extreme")):
        x, y = scaled(shape, dtype, rng_name), scaled(shape, dtype, rng_name)
        cases.append(run_case("logCoshLoss", keras_call(keras.losses.LogCosh, reduction, dtype), [x, y], [True, True], {"reduction": reduction}, rng_name, dtype))
    return cases


def focal_cases():
    cases = []
    layouts = [((5,), -1), ((4, 5), -1), ((2, 3, 4), -1), ((2, 4, 3), 1)]
    grid = [{}, {"alpha": 1.0, "gamma": 0.0}, {"gamma": 1.5}, {"gamma": 0.5, "alpha": 0.5}, {"labelSmoothing": 0.1}, {"alpha": "per-class"}]
    for dtype, (shape, axis), params, from_logits, reduction, rng_name in itertools.product(
        DTYPES, layouts, grid, [False, True], REDUCTIONS, ("small", "typical", "extreme")
    ):
        if rng_name != "typical" and (reduction != "mean" or params.get("alpha") == "per-class"):
            continue
        params = dict(params)
        if params.get("alpha") == "per-class":
            params["alpha"] = uniform((shape[-1],), dtype, 0.1, 1.0)
        if from_logits:
            x = scaled(shape, dtype, rng_name)
        elif rng_name == "extreme":
            # saturated rows (the clip to [1e-7, 1 - 1e-7] is active) and rows that do not sum to 1
            x = choice([0.0, 1.0, 1e-9, 0.3, 5.0], shape, dtype)
        elif rng_name == "small":
            x = uniform(shape, dtype, 0.2, 0.2001)
        else:
            x = uniform(shape, dtype, 0.02, 1.0)
        y = one_hot(shape, dtype, axis) if rng.random() < 0.5 else softmax(uniform(shape, np.float64, -2, 2), axis).astype(dtype)
        options = {"reduction": reduction, **{k: v for k, v in params.items()}, **({"fromLogits": True} if from_logits else {}), **({"axis": axis} if axis != -1 else {})}
        kw = {"alpha": params.get("alpha", 0.25), "gamma": params.get("gamma", 2.0), "label_smoothing": params.get("labelSmoothing", 0.0), "from_logits": from_logits, "axis": axis}
        cases.append(run_case("categoricalFocalCrossEntropy", keras_call(keras.losses.CategoricalFocalCrossentropy, reduction, dtype, **kw), [x, y], [True, True], options, rng_name, dtype))
    return cases


def hinge_targets(shape, dtype, kind):
    if kind == "pm1":
        return choice([-1.0, 1.0], shape, dtype)
    if kind == "01":
        return choice([0.0, 1.0], shape, dtype)  # Keras converts all-0/1 targets to -1/1
    return uniform(shape, dtype, -1.5, 1.5)  # other values are used as they are


def squared_hinge_cases():
    cases = []
    for dtype, shape, kind, reduction, rng_name in itertools.product(DTYPES, [(6,), (3, 4), (2, 3, 2)], ["pm1", "01", "soft"], REDUCTIONS, ("small", "typical", "extreme")):
        x = scaled(shape, dtype, rng_name) if rng_name != "extreme" else choice([-1e4, -1.0, 0.0, 0.5, 1.0, 2.0, 1e4], shape, dtype)
        y = hinge_targets(shape, dtype, kind)
        cases.append(run_case("squaredHingeLoss", keras_call(keras.losses.SquaredHinge, reduction, dtype), [x, y], [True, True], {"reduction": reduction}, rng_name, dtype))
    return cases


def categorical_hinge_cases():
    cases = []
    for dtype, shape, soft, reduction, rng_name in itertools.product(DTYPES, [(5,), (4, 5), (2, 3, 4)], [False, True], REDUCTIONS, ("small", "typical", "extreme")):
        x = scaled(shape, dtype, rng_name) if rng_name != "extreme" else choice([-1e4, -1.0, 0.0, 1.0, 1e4], shape, dtype)
        y = uniform(shape, dtype, 0, 1) if soft else one_hot(shape, dtype)
        cases.append(run_case("categoricalHingeLoss", keras_call(keras.losses.CategoricalHinge, reduction, dtype), [x, y], [True, True], {"reduction": reduction}, rng_name, dtype))
    for dtype, reduction in itertools.product(DTYPES, REDUCTIONS):
        # a margin of exactly 0 (JAX's maximum splits the gradient in halves there) and tied maxima
        x = arr([[1.0, 0.0, 0.0], [-1.0, -2.0, -3.0], [2.0, 2.0, 0.5]], dtype)
        y = arr([[1.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]], dtype)
        cases.append(run_case("categoricalHingeLoss", keras_call(keras.losses.CategoricalHinge, reduction, dtype), [x, y], [True, True], {"reduction": reduction}, "extreme", dtype))
    return cases


def cosine_cases():
    cases = []
    for dtype, (shape, axis), reduction, rng_name in itertools.product(
        DTYPES, [((5,), -1), ((4, 5), -1), ((4, 5), 0), ((2, 3, 4), 1), ((2, 3, 4), -1)], REDUCTIONS, ("small", "typical", "extreme")
    ):
        x, y = scaled(shape, dtype, rng_name), scaled(shape, dtype, rng_name)
        grad_at = None
        if rng_name == "extreme" and len(shape) >= 2:
            idx = (0,) * (len(shape) - 1)
            lane = lambda a: np.moveaxis(a, axis, -1)[idx]  # noqa: E731
            lane(y)[...] = 1e-9  # a vector shorter than 1e-7: Keras scales it by 1e7
            # A zero vector. Keras's loss there is right (0), its gradient NaN: rsqrt(0) = inf meets
            # the zero derivative of min(rsqrt, 1e7) as inf * 0. Every nonzero vector shorter than
            # 1e-7 has the same gradient (1e7 times the other unit vector), so the reference for
            # the input's gradient is taken at a vector of 1e-12 (float32: rsqrt's derivative
            # s^-1.5 / 2 must stay below float32's maximum) or 1e-100 (float64): the limit at 0,
            # by Keras itself. The target's gradient is taken at the zero vector itself.
            tiny = x.copy()
            lane(tiny)[...] = 1e-12 if dtype == "float32" else 1e-100
            lane(x)[...] = 0.0
            grad_at = {0: [tiny, y]}
        options = {"reduction": reduction, **({"axis": axis} if axis != -1 else {})}
        cases.append(run_case("cosineSimilarityLoss", keras_call(keras.losses.CosineSimilarity, reduction, dtype, axis=axis), [x, y], [True, True], options, rng_name, dtype, grad_at))
    return cases


# ---------------------------------------------------------------------------------------------
# optax


def poly_cases():
    cases = []
    for dtype, shape, epsilon, reduction, rng_name in itertools.product(DTYPES, [(5,), (4, 5), (2, 3, 4)], [None, -1.0, 0.0, 0.5], REDUCTIONS, ("small", "typical", "extreme")):
        x = scaled(shape, dtype, rng_name)
        y = one_hot(shape, dtype) if rng.random() < 0.5 else softmax(uniform(shape, np.float64, -2, 2)).astype(dtype)
        kw = {} if epsilon is None else {"epsilon": epsilon}
        call = lambda a, b, kw=kw, reduction=reduction: reduce(optax.losses.poly_loss_cross_entropy(a, b, **kw), reduction)  # noqa: E731
        cases.append(run_case("polyLossCrossEntropy", call, [x, y], [True, True], {"reduction": reduction, **kw}, rng_name, dtype))
    return cases


def ntxent_pairs(embeddings, labels, temperature):
    """The per-pair losses behind optax.losses.ntxent: its own lines, stopped before the sum.

    optax returns only the mean over positive pairs; this matrix (0 outside the pairs) is what
    losskit returns for reduction 'none'. Its sum over the pair count is checked against optax.
    """
    xcs = optax.losses.cosine_similarity(embeddings[None, :, :], embeddings[:, None, :], epsilon=jnp.finfo(embeddings.dtype).eps) / temperature
    matches = labels[:, None] == labels[None, :]
    diffs = matches ^ 1
    matches = jnp.bool_(matches - jnp.eye(matches.shape[0]))
    xcs_diffs = jnp.where(diffs == 1, xcs, -jnp.inf)
    xcs_matches = jnp.where(matches == 1, xcs, -jnp.inf)
    comb = jnp.concatenate((xcs_diffs, xcs_matches), axis=-1)
    xcs_max = jnp.max(comb, axis=1, keepdims=True)
    numer = xcs_matches - jax.lax.stop_gradient(xcs_max)
    denom = jnp.sum(jnp.exp(xcs_diffs - jax.lax.stop_gradient(xcs_max)), axis=1, keepdims=True) + jnp.exp(numer)
    return -jnp.where(matches == 1, numer - jnp.log(denom), 0.0), matches.sum()


def ntxent_cases():
    cases = []
    layouts = [((4, 3), [0, 0, 1, 1]), ((6, 2), [0, 1, 0, 1, 2, 2]), ((5, 4), [0, 0, 0, 1, 1]), ((3, 3), [1, 1, 1]), ((5, 3), [0, 1, 2, 0, 7])]
    for dtype, (shape, labels), temperature, reduction, rng_name in itertools.product(DTYPES, layouts, [None, 0.5, 1.0], REDUCTIONS, ("small", "typical", "extreme")):
        x = scaled(shape, dtype, rng_name)
        if rng_name == "extreme":
            x[0] = 0.0  # a zero embedding (optax clips its squared norm at eps)
        t = 0.07 if temperature is None else temperature
        labels = np.asarray(labels, dtype=np.int32)
        pairs, count = ntxent_pairs(jnp.asarray(x), jnp.asarray(labels), t)
        reference = optax.losses.ntxent(jnp.asarray(x), jnp.asarray(labels), t)
        assert np.allclose(float(pairs.sum() / count), float(reference), rtol=1e-6, atol=1e-6, equal_nan=True), (pairs, reference)
        if reduction == "none":
            call = lambda a, b, t=t: ntxent_pairs(a, b, t)[0]  # noqa: E731
        elif reduction == "mean":
            call = lambda a, b, t=t: optax.losses.ntxent(a, b, t)  # noqa: E731
        else:
            call = lambda a, b, t=t, count=int(count): optax.losses.ntxent(a, b, t) * count  # noqa: E731
        options = {"reduction": reduction, **({"temperature": temperature} if temperature is not None else {})}
        case = run_case("ntxentLoss", call, [x, labels], [True, False], options, rng_name, dtype)
        if len(set(labels.tolist())) == 1:
            # No negatives: every pair loss is log(1), identically 0, and JAX's gradient of it is the
            # rounding of 1 - exp(n) / exp(n) scaled by 1 / (|e| T) (up to 1e-3 in float32): noise.
            # ntxent.test.ts checks losskit's exact 0 there.
            case["grads"][0] = "not-compared"
        cases.append(case)
    return cases


def sparsemax_cases():
    cases = []
    for dtype, shape, reduction, rng_name in itertools.product(DTYPES, [(6,), (3, 4), (2, 3, 2)], REDUCTIONS, ("small", "typical", "extreme")):
        x = scaled(shape, dtype, rng_name) if rng_name != "extreme" else choice([-1e4, -1.0, -0.5, 0.0, 0.5, 1.0, 1e4], shape, dtype)
        labels = rng.integers(0, 2, size=shape).astype(np.int32)
        call = lambda a, b, reduction=reduction: reduce(optax.losses.sparsemax_loss(a, b), reduction)  # noqa: E731
        cases.append(run_case("sparsemaxLoss", call, [x, labels], [True, False], {"reduction": reduction}, rng_name, dtype))
    return cases


def main():
    cases = (
        dice_cases() + tversky_cases() + log_cosh_cases() + focal_cases() + squared_hinge_cases() + categorical_hinge_cases()
        + cosine_cases() + poly_cases() + ntxent_cases() + sparsemax_cases()
    )
    write_json(OUT, {"generator": "scripts/generate_fixtures_keras_optax.py", "references": REFERENCES, "cases": cases})
    print(f"wrote {OUT.relative_to(ROOT)} ({OUT.stat().st_size // 1024} KiB, {len(cases)} cases)")


if __name__ == "__main__":
    main()
