// linearCrossEntropy at one size, in a process of its own: time of the plain call and of withGrad
// (median of --repeat runs) and the process's peak resident memory (VmHWM), beside the bytes of the
// arguments and gradients. Usage: node bench/linear-cross-entropy/run.mjs N H V [--chunk c] [--repeat r] [--forward]
// Prints one JSON line. The PyTorch twin is torch_lce.py (same arguments).
import { readFileSync } from 'node:fs';
import { linearCrossEntropy, Tensor, wasmReady, wasmStatus } from '../../dist/index.js';

const [N, H, V] = process.argv.slice(2, 5).map(Number);
const flag = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
};
const repeat = flag('--repeat', 1);
const chunk = flag('--chunk', undefined);
const forwardOnly = process.argv.includes('--forward');
const peak = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) * 1024;

await wasmReady();
// Deterministic data without a dependency: a linear congruential generator, scaled so the logits are O(1).
let s = 1;
const next = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) - 0.5;
const x = new Tensor(new Float32Array(N * H).map(() => next()), [N, H]);
const w = new Tensor(new Float32Array(V * H).map(() => next() * (2 / Math.sqrt(H))), [V, H]);
const target = new Int32Array(N).map(() => Math.floor((next() + 0.5) * V) % V);
const inputs = peak();
const options = chunk ? { chunkSize: chunk } : {};
const times = [];
let loss;
for (let r = 0; r < repeat; r++) {
  const t0 = performance.now();
  loss = forwardOnly ? linearCrossEntropy(x, w, target, options) : linearCrossEntropy.withGrad(x, w, target, options).loss;
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
console.log(JSON.stringify({
  impl: 'losskit', N, H, V, chunk: chunk ?? 'default', pass: forwardOnly ? 'forward' : 'forward+backward', variant: wasmStatus().variant,
  ms: times[Math.floor(times.length / 2)], loss: loss.item(), peakBytes: peak(), afterInputsBytes: inputs,
  argumentBytes: 4 * (N * H + V * H) + 4 * N, gradientBytes: forwardOnly ? 0 : 4 * (N * H + V * H), logitsBytes: 4 * N * V,
}));
