import { elementwiseLoss } from '../core/elementwise.js';
import type { Reduction } from '../core/reduction.js';
import type { Tensor, TensorLike } from '../core/tensor.js';

/** Options of {@link binaryCrossEntropy}. */
export interface BinaryCrossEntropyOptions {
  /** `'none' | 'mean' | 'sum'`; default `'mean'`. */
  reduction?: Reduction;
  /** Weights broadcast to the input's shape (e.g. `[C]` for input `[N, C]`). */
  weight?: TensorLike;
}

// PyTorch clamps each log at -100 so that p = 0 or 1 gives a finite loss, and the gradient's
// denominator at EPSILON, a float constant: 1e-12 rounded to float32.
const LOG_FLOOR = -100;
const EPSILON = Math.fround(1e-12);

/**
 * Values in [0, 1]; NaN is refused too where `nanAllowed` is false (PyTorch refuses a NaN input, not
 * a NaN target). The scan stops at the first value outside [0, 1] or NaN (one test per element);
 * only then is NaN told apart. It runs before the kernel only for a call with gradInto; otherwise
 * the kernel checks (wasm.checks) and the scan runs only to name a bad element. The two scans had
 * been 35% of a float32 forward (4M elements, node --cpu-prof: 39 ms a call with them, 21 without).
 */
function checkUnitInterval(fn: string, arg: string, t: Tensor, nanAllowed: boolean, from: number): void {
  const data = t.data;
  const n = data.length;
  for (let i = from; i < n; i++) {
    i = firstOutsideUnit(data, i, n);
    if (i === n) return;
    const v = data[i];
    if (!(nanAllowed && Number.isNaN(v))) throw new Error(`${fn}: ${arg} ${v} at index ${i} is outside [0, 1]`);
  }
}

/** The first index from `from` whose value is not in [0, 1] (NaN included), or n. */
function firstOutsideUnit(data: ArrayLike<number>, from: number, n: number): number {
  let i = from;
  while (i < n && data[i] >= 0 && data[i] <= 1) i++;
  return i;
}

/**
 * Binary cross-entropy of probabilities, as `torch.nn.functional.binary_cross_entropy`.
 *
 * `loss = −w [y · max(log p, −100) + (1 − y) · max(log(1 − p), −100)]`.
 * Gradients: `∂/∂p = w (p − y) / max(p (1 − p), 1e-12)`, `∂/∂y = w (log(1 − p) − log p)`
 * (infinite at p = 0 or 1, as PyTorch).
 *
 * Shapes: `input` (probabilities in [0, 1]) `[*]`, `target` the same; `weight` broadcastable;
 * result `[]`, or `[*]` for `'none'`.
 *
 * @example
 * ```ts
 * console.log(binaryCrossEntropy([0.1, 0.9, 0.8, 0.3], [0, 1, 1, 0]).toString());
 * // tensor(0.1976)
 * ```
 * Prefer {@link binaryCrossEntropyWithLogits} on logits: it is exact where this one clamps.
 * Differs from PyTorch: a target outside [0, 1] throws too (PyTorch checks only the input).
 */
export const binaryCrossEntropy = elementwiseLoss({
  name: 'binaryCrossEntropy',
  reference: 'torch.nn.functional.binary_cross_entropy',
  args: [{ name: 'input', shape: '[*]', differentiable: true }, { name: 'target', shape: 'like input', differentiable: true }],
  options: {
    weight: { type: 'tensor', default: 1, shape: 'broadcastable to input', broadcast: true, mean: 'count', doc: "weights broadcast to the input's shape" },
  },
  plot: { x: 'probability', range: [0.01, 0.99], targets: [1, 0] },
  cliAliases: ['bce'],
  params: (_: BinaryCrossEntropyOptions) => null,
  check(tensors, _, from) {
    checkUnitInterval('binaryCrossEntropy', 'input', tensors[0], false, from);
    checkUnitInterval('binaryCrossEntropy', 'target', tensors[1], true, from);
  },
  wasm: { kernel: 'bce', params: () => [0, 0], checks: true },
  pointwise(p, y, _, __, out) {
    const logP = Math.log(p);
    const log1mP = Math.log1p(-p);
    out[0] = (y - 1) * Math.max(log1mP, LOG_FLOOR) - y * Math.max(logP, LOG_FLOOR);
    out[1] = (p - y) / Math.max((1 - p) * p, EPSILON);
    out[2] = log1mP - logP;
  },
});
