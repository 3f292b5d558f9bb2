"""The golden-fixture format, shared by scripts/generate_fixtures.py (PyTorch, scikit-learn) and
scripts/generate_fixtures_keras_optax.py (Keras, optax).

A tensor is {"shape": [...], "dtype": "float32"|"float64"|"int32", "data": [...]}; JSON has no
non-finite numbers, so they are the strings "nan", "inf", "-inf". A float32 value is written as the
exact decimal of the float32 (Python's float of it), so it loads bit for bit.
"""

import json
import math


def number(v):
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def tensor(shape, kind, values):
    """`kind`: "int" (any integer dtype, written as int32), "float32" or "float64"."""
    if kind == "int":
        return {"shape": list(shape), "dtype": "int32", "data": [int(v) for v in values]}
    return {"shape": list(shape), "dtype": kind, "data": [number(v) for v in values]}


def write_json(path, payload):
    """Writes `payload` compactly through a temporary file beside `path`: never a half-written
    fixture file, whatever stops the generator."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w") as f:
        json.dump(payload, f, separators=(",", ":"))
        f.write("\n")
    tmp.replace(path)
