"""PyTorch side of the benchmark: a persistent worker (one thread), driven line by line by run.js.

Each request is a JSON line {"workload": ..., "size": ..., "prepare": bool}; "prepare" builds the
inputs (not timed), otherwise the worker times one run of the workload and answers {"ms": ...}.
Inputs are random with the same shapes and dtypes as the JavaScript side's.
"""
import json
import sys
import time

import torch
import torch.nn.functional as F

torch.set_num_threads(1)
state = {}


def prepare(workload, size):
    g = torch.Generator().manual_seed(1)
    if workload.startswith("ce") or workload == "softmax" or workload.startswith("sweep"):
        n, c = size
        x = torch.rand(n, c, generator=g) * 6 - 3
        t = torch.randint(0, c, (n,), generator=g)
        return {"x": x, "t": t}
    n = size[0]
    x = torch.rand(n, generator=g) * 4 - 2
    y = torch.rand(n, generator=g)
    if workload == "bce":
        x = torch.rand(n, generator=g) * 0.98 + 0.01
    if workload == "sigmoid-focal":
        y = (y > 0.5).float()
    return {"x": x, "y": y}


def focal(x, y):
    p = torch.sigmoid(x)
    ce = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    p_t = p * y + (1 - p) * (1 - y)
    loss = ce * ((1 - p_t) ** 2)
    return (0.25 * y + 0.75 * (1 - y)) * loss


ELEMENTWISE = {
    "bce-with-logits": lambda x, y: F.binary_cross_entropy_with_logits(x, y),
    "bce": lambda x, y: F.binary_cross_entropy(x, y),
    "l1": lambda x, y: F.l1_loss(x, y),
    "mse": lambda x, y: F.mse_loss(x, y),
    "smooth-l1": lambda x, y: F.smooth_l1_loss(x, y),
    "huber": lambda x, y: F.huber_loss(x, y),
    "sigmoid-focal": lambda x, y: focal(x, y).mean(),
}


def run(workload, data):
    """One run, from and to tensors that own plain float32 buffers, as the JavaScript side."""
    if workload in ("ce-fwd", "ce-large-fwd"):
        F.cross_entropy(data["x"], data["t"]).item()
    elif workload in ("ce-grad", "ce-large-grad", "sweep"):
        x = data["x"].requires_grad_(True)
        F.cross_entropy(x, data["t"]).backward()
        x.grad = None
    elif workload == "softmax":
        torch.softmax(data["x"], dim=1)
    else:
        x = data["x"].requires_grad_(True)
        ELEMENTWISE[workload](x, data["y"]).backward()
        x.grad = None


for line in sys.stdin:
    request = json.loads(line)
    key = (request["workload"], tuple(request["size"]))
    if request.get("prepare"):
        state.clear()
        state[key] = prepare(request["workload"].replace("-fwd", "").replace("-grad", ""), request["size"])
        print(json.dumps({"ok": True, "torch": torch.__version__}), flush=True)
        continue
    start = time.perf_counter()
    run(request["workload"], state[key])
    print(json.dumps({"ms": (time.perf_counter() - start) * 1000}), flush=True)
