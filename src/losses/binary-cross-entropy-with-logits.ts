import { elementwiseLoss } from '../core/elementwise.js';
import type { Reduction } from '../core/reduction.js';
import { bceWithLogitsScalar, logSigmoidScalar, sigmoidScalar } from '../core/stable.js';
import type { TensorLike } from '../core/tensor.js';

/** Options of {@link binaryCrossEntropyWithLogits}. */
export interface BinaryCrossEntropyWithLogitsOptions {
  /** `'none' | 'mean' | 'sum'`; default `'mean'`. */
  reduction?: Reduction;
  /** Weights broadcast to the input's shape. */
  weight?: TensorLike;
  /** Weight of positive examples, broadcast over the last dimension (`[C]` for input `[N, C]`). */
  posWeight?: TensorLike;
}

/**
 * Binary cross-entropy on logits, as `torch.nn.functional.binary_cross_entropy_with_logits`.
 *
 * With `pw` the positive weight (default 1) and `log σ(x) = min(x, 0) − log1p(exp(−|x|))`
 * (never overflows): `loss = w [(1 − y) x − (1 + (pw − 1) y) log σ(x)]`.
 * Gradients: `∂/∂x = w [(pw y + 1 − y) σ(x) − pw y]` (σ(x) − y without pos weight),
 * `∂/∂y = w [−x − (pw − 1) log σ(x)]`.
 *
 * Shapes: `input` (logits) `[*]`, `target` the same; `weight`, `posWeight` broadcastable;
 * result `[]`, or `[*]` for `'none'`.
 *
 * @example
 * ```ts
 * console.log(binaryCrossEntropyWithLogits([2, -1, 20], [1, 0, 0]).toString());
 * // tensor(6.8134)
 * ```
 * Differs from PyTorch: shapes of input and target must match exactly.
 */
export const binaryCrossEntropyWithLogits = elementwiseLoss({
  name: 'binaryCrossEntropyWithLogits',
  reference: 'torch.nn.functional.binary_cross_entropy_with_logits',
  args: [{ name: 'input', shape: '[*]', differentiable: true }, { name: 'target', shape: 'like input', differentiable: true }],
  options: {
    weight: { type: 'tensor', default: 1, shape: 'broadcastable to input', broadcast: true, mean: 'count', doc: "weights broadcast to the input's shape" },
    posWeight: { type: 'tensor', default: 1, shape: 'broadcastable to input ([C] for input [N, C])', broadcast: true, doc: 'weight of positive examples' },
  },
  plot: { x: 'logit', range: [-6, 6], targets: [1, 0], options: ['posWeight'] },
  cliAliases: ['bce-with-logits'],
  params: (_: BinaryCrossEntropyWithLogitsOptions) => null,
  wasm: { kernel: 'bceWithLogitsElements', params: () => [0, 0] },
  pointwise(x, y, posWeight, _, out) {
    const logSig = logSigmoidScalar(x);
    out[0] = bceWithLogitsScalar(x, y, posWeight, logSig);
    // (pw y + 1 − y) σ(x) − pw y = (1 − y) σ(x) − pw y σ(−x): no cancellation of σ(x) − 1 at large x.
    out[1] = (1 - y) * sigmoidScalar(x) - posWeight * y * sigmoidScalar(-x);
    // PyTorch's form, log σ(−x) − pw log σ(x) (= −x − (pw − 1) log σ(x)): +inf at x = −inf even
    // for pw = 1, where the other form computes 0 · −inf.
    out[2] = logSigmoidScalar(-x) - posWeight * logSig;
  },
});
