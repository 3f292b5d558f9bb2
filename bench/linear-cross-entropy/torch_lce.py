"""PyTorch's side of bench/linear-cross-entropy/run.mjs: F.linear + F.cross_entropy (plain) or
F.linear_cross_entropy with LinearCrossEntropyOptions (chunked), at one size, in a process of its
own. Usage: python torch_lce.py N H V plain|chunked [--chunk c] [--repeat r] [--forward] [--threads t]
Prints one JSON line: median time, peak resident memory (ru_maxrss)."""
import json, resource, sys, time

import torch
import torch.nn.functional as F

N, H, V = (int(v) for v in sys.argv[1:4])
mode = sys.argv[4]
args = sys.argv[5:]
flag = lambda name, default: type(default)(args[args.index(name) + 1]) if name in args else default
repeat = flag("--repeat", 1)
chunk = flag("--chunk", 0)
torch.set_num_threads(flag("--threads", 1))
forward_only = "--forward" in args
peak = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

g = torch.Generator().manual_seed(1)
x = torch.rand((N, H), generator=g) - 0.5
w = (torch.rand((V, H), generator=g) - 0.5) * (2 / H**0.5)
t = torch.randint(0, V, (N,), generator=g)
inputs = peak()
options = torch.nn.LinearCrossEntropyOptions(batch_chunk_size=chunk, chunking_method=None) if mode == "chunked" and chunk else torch.nn.LinearCrossEntropyOptions() if mode == "chunked" else None
times = []
for _ in range(repeat):
    xs, ws = x.clone().requires_grad_(not forward_only), w.clone().requires_grad_(not forward_only)
    t0 = time.perf_counter()
    if mode == "plain":
        loss = F.cross_entropy(F.linear(xs, ws), t)
    else:
        loss = F.linear_cross_entropy(xs, ws, t, options=options)
    if not forward_only:
        loss.backward()
    times.append((time.perf_counter() - t0) * 1000)
    del xs, ws
times.sort()
print(json.dumps({"impl": f"torch {mode}", "N": N, "H": H, "V": V, "chunk": chunk or "default", "pass": "forward" if forward_only else "forward+backward",
                  "threads": torch.get_num_threads(), "ms": times[len(times) // 2], "loss": float(loss.detach()), "peakBytes": peak(), "afterInputsBytes": inputs}))
