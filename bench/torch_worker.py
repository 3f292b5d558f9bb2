"""PyTorch side of the benchmark: a persistent worker (one thread), driven line by line by run.js.

Requests are JSON lines:
  {"op": "hello"}                       -> {"torch": version}
  {"op": "prepare", "workload": {...}}  -> {"ok": true} or {"skip": reason}
      reads the workload's arguments from the raw little-endian files run.js wrote (the same
      numbers as the JavaScript side), untimed
  {"op": "run", "calls": k}             -> {"ms": ..., "faults": ...}: the time of k consecutive
      calls of the prepared workload (a batch: run.js divides by k) and the minor page faults taken
The workload names the losskit function (`fn`) and its catalogued reference (`reference`, the
PyTorch function called), its arguments (file, shape, dtype), its options
(camelCase, mapped to PyTorch's snake_case names), and whether the gradient of argument 0 is taken.
Each timed run starts from tensors over the loaded buffers and ends when the loss (forward) or
the gradient (forward + backward) is computed, as the JavaScript side's.
"""
import json
import re
import resource
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
torch.set_num_interop_threads(1)

DTYPES = {"float32": (np.float32, torch.float32), "float64": (np.float64, torch.float64), "int32": (np.int32, torch.int64)}


def sigmoid_focal_loss(x, y, alpha=0.25, gamma=2.0, reduction="mean"):
    """torchvision.ops.sigmoid_focal_loss (its compiled ops do not load here; the formula is its ops/focal_loss.py)."""
    p = torch.sigmoid(x)
    ce = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    p_t = p * y + (1 - p) * (1 - y)
    loss = ce * ((1 - p_t) ** gamma)
    if alpha >= 0:
        loss = (alpha * y + (1 - alpha) * (1 - y)) * loss
    return loss.mean() if reduction == "mean" else loss.sum() if reduction == "sum" else loss


def box_iou_losses():
    """torchvision's box-IoU losses, executed from its own ops/*_loss.py and ops/_utils.py (plain
    Python over torch; the package import needs the compiled operators), as the fixture generator."""
    import importlib.util
    import pathlib

    spec = importlib.util.find_spec("torchvision")
    if spec is None:
        return {}
    ops = pathlib.Path(spec.submodule_search_locations[0]) / "ops"
    utils = {}
    exec(compile((ops / "_utils.py").read_text(), str(ops / "_utils.py"), "exec"), utils)
    namespace = {"_log_api_usage_once": lambda *a: None, "_loss_inter_union": utils["_loss_inter_union"], "_upcast_non_float": utils["_upcast_non_float"]}
    for name in ["giou_loss.py", "diou_loss.py", "ciou_loss.py"]:
        source = "\n".join(line for line in (ops / name).read_text().splitlines() if not line.startswith("from ."))
        exec(compile(source, str(ops / name), "exec"), namespace)
    return {f"torchvision.ops.{n}": namespace[n] for n in ["generalized_box_iou_loss", "distance_box_iou_loss", "complete_box_iou_loss"]}


def triplet_margin_with_distance_loss(a, p, n, distance="pairwise", **options):
    """F.triplet_margin_with_distance_loss with losskit's `distance` names."""
    fn = {"pairwise": F.pairwise_distance, "cosine": lambda x, y: 1.0 - F.cosine_similarity(x, y, dim=-1)}[distance]
    return F.triplet_margin_with_distance_loss(a, p, n, distance_function=fn, **options)


# The reference function named by the catalogue (`reference`, a dotted path under torch), except
# where the named one cannot run here (or takes an option losskit names otherwise).
OVERRIDES = {
    "torchvision.ops.sigmoid_focal_loss": sigmoid_focal_loss,
    "torch.nn.functional.triplet_margin_with_distance_loss": triplet_margin_with_distance_loss,
    **box_iou_losses(),
}


def resolve(reference):
    if reference in OVERRIDES:
        return OVERRIDES[reference]
    if not reference.startswith("torch."):
        return None
    obj = torch
    for part in reference.split(".")[1:]:
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


state = {}


def snake(name):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def load(arg):
    np_dtype, torch_dtype = DTYPES[arg["dtype"]]
    values = np.fromfile(arg["file"], dtype=np_dtype).reshape(arg["shape"])
    return torch.from_numpy(values).to(torch_dtype)  # int32 class indices become int64, as PyTorch wants


def prepare(w):
    fn = resolve(w["reference"])
    if fn is None:
        return {"skip": f"{w['fn']}'s reference {w['reference']} is not a PyTorch function"}
    args = [load(a) for a in w["args"]]
    options = {snake(k): v for k, v in w.get("options", {}).items()}
    for k, a in w.get("tensorOptions", {}).items():
        options[snake(k)] = load(a)
    if w["fn"] == "ctcLoss":  # lengths are int64 tensors in PyTorch; targets too
        args = [args[0]] + [a.long() for a in args[1:]]
    upstream = load(w["gradOutput"]) if w.get("gradOutput") else None
    state.clear()
    state.update(fn=fn, args=args, options=options, grad=w["grad"], upstream=upstream)
    run_once()  # checks the call before it is timed
    return {"ok": True}


def run_once():
    fn, args, options = state["fn"], state["args"], state["options"]
    if not state["grad"]:
        with torch.no_grad():
            out = fn(*args, **options)
        return out
    x = args[0].detach().requires_grad_(True)  # argnums [0]: only the input requires a gradient
    out = fn(x, *args[1:], **options)
    out.backward(state["upstream"])  # None for a loss: its value is a scalar (run.js states the reduction)
    return x.grad


for line in sys.stdin:
    request = json.loads(line)
    try:
        if request["op"] == "hello":
            answer = {"torch": torch.__version__, "threads": torch.get_num_threads()}
        elif request["op"] == "prepare":
            answer = prepare(request["workload"])
        else:  # a batch of consecutive calls, timed as one
            calls = request.get("calls", 1)
            faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
            start = time.perf_counter()
            for _ in range(calls):
                run_once()
            answer = {"ms": (time.perf_counter() - start) * 1000, "faults": resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults}
    except Exception as e:  # reported in the table as the row's note
        answer = {"error": f"{type(e).__name__}: {e}".splitlines()[0][:160]}
    print(json.dumps(answer), flush=True)
