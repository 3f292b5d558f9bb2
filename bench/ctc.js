// CTC speed, losskit (TypeScript path) against PyTorch's CPU kernel, measured side by side in one
// run: T = 200, N = 32, C = 30, S = 50. Medians of 9 timed runs after warm-up; the losskit runs are
// split before and after PyTorch's, so that both see the same machine state. PyTorch is used when
// a Python with torch is available (LOSSKIT_PYTHON, default python3); otherwise it is skipped with a note.
// Usage: node bench/ctc.js   (after npm install)
import { spawnSync } from 'node:child_process';
import { ctcLoss, logSoftmax, tensor } from 'losskit';

const [T, N, C, S] = [200, 32, 30, 50];
let seed = 1;
const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
const logits = tensor(Float32Array.from({ length: T * N * C }, () => random() * 4 - 2), { shape: [T, N, C] });
const logProbs = logSoftmax(logits, { dim: 2 });
const targets = Array.from({ length: N }, () => Array.from({ length: S }, () => 1 + Math.floor(random() * (C - 1))));
const inputLengths = Array(N).fill(T);
const targetLengths = Array.from({ length: N }, (_, n) => S - (n % 10));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function time(f, runs) {
  for (let i = 0; i < 3; i++) f();
  const out = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    f();
    out.push(performance.now() - start);
  }
  return out;
}

const forward = () => ctcLoss(logProbs, targets, inputLengths, targetLengths);
const backward = () => ctcLoss.withGrad(logProbs, targets, inputLengths, targetLengths);
const js = { forward: time(forward, 5), backward: time(backward, 5) };

const python = process.env.LOSSKIT_PYTHON ?? 'python3';
const script = `
import json, time, torch, torch.nn.functional as F
torch.set_num_threads(1)
T, N, C, S = ${T}, ${N}, ${C}, ${S}
g = torch.Generator().manual_seed(1)
lp = torch.log_softmax(torch.rand(T, N, C, generator=g) * 4 - 2, 2).requires_grad_()
targets = torch.randint(1, C, (N, S), generator=g)
il = torch.full((N,), T); tl = torch.tensor([S - (n % 10) for n in range(N)])
def timed(f):
    for _ in range(3): f()
    out = []
    for _ in range(9):
        s = time.perf_counter(); f(); out.append((time.perf_counter() - s) * 1000)
    return sorted(out)[4]
fw = timed(lambda: F.ctc_loss(lp.detach(), targets, il, tl))
def both():
    l = F.ctc_loss(lp, targets, il, tl); l.backward(); lp.grad = None
bw = timed(both)
print(json.dumps({"forward": fw, "backward": bw, "torch": torch.__version__}))
`;
const run = spawnSync(python, ['-c', script], { encoding: 'utf8' });
const torch = run.status === 0 ? JSON.parse(run.stdout.trim().split('\n').pop()) : null;

js.forward.push(...time(forward, 4));
js.backward.push(...time(backward, 4));
const f = median(js.forward);
const b = median(js.backward);
console.log(`ctcLoss T=${T} N=${N} C=${C} S=${S}, float32, median of 9 runs (ms)`);
console.log(`| implementation | forward | forward + gradient |`);
console.log(`|---|---|---|`);
console.log(`| losskit ${process.version} (TypeScript path) | ${f.toFixed(2)} | ${b.toFixed(2)} |`);
if (torch) {
  console.log(`| PyTorch ${torch.torch} CPU, 1 thread | ${torch.forward.toFixed(2)} | ${torch.backward.toFixed(2)} |`);
  console.log(`| ratio losskit / PyTorch | ${(f / torch.forward).toFixed(2)} | ${(b / torch.backward).toFixed(2)} |`);
} else {
  console.log(`PyTorch skipped: '${python}' cannot import torch (set LOSSKIT_PYTHON to a Python with torch).`);
}
