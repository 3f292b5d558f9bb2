import { elementwiseLoss } from '../core/elementwise.js';
import type { Reduction } from '../core/reduction.js';
import type { TensorLike } from '../core/tensor.js';

/** Options of {@link l1Loss}. */
export interface L1LossOptions {
  /** `'none' | 'mean' | 'sum'`; default `'mean'`. */
  reduction?: Reduction;
  /** Per-element weights, same shape as `input`; a weighted `'mean'` divides by their sum. */
  weight?: TensorLike;
}

/**
 * Mean absolute error, as `torch.nn.functional.l1_loss`.
 *
 * `loss_i = w_i · |input_i − target_i|`; `'mean'` divides the sum by the element count, or by
 * `Σ w_i` when weighted. Gradient: `∂/∂input = w · sign(input − target)` — 0 where the
 * difference is exactly 0, as PyTorch — and `∂/∂target = −∂/∂input`.
 *
 * Shapes: `input` any shape `[*]`; `target` and `weight` the same shape; result `[]`, or `[*]`
 * for `'none'`.
 *
 * @example
 * ```ts
 * console.log(l1Loss([1, 2, 3], [1, 0, 5]).toString());
 * // tensor(1.3333)
 * console.log(l1Loss.withGrad([1, 2, 3], [1, 0, 5]).grad!.toString());
 * // tensor([ 0.0000,  0.3333, -0.3333])
 * ```
 * Differs from PyTorch: shapes must match exactly (PyTorch broadcasts with a warning).
 */
export const l1Loss = elementwiseLoss({
  name: 'l1Loss',
  reference: 'torch.nn.functional.l1_loss',
  args: [{ name: 'input', shape: '[*]', differentiable: true }, { name: 'target', shape: 'like input', differentiable: true }],
  options: {
    weight: { type: 'tensor', default: 1, shape: 'like input', broadcast: false, mean: 'weights', doc: "per-element weights (a weighted 'mean' divides by their sum)" },
  },
  plot: { x: 'error', range: [-3, 3] },
  params: (_: L1LossOptions) => null,
  wasm: { kernel: 'l1Elements', params: () => [0, 0] },
  pointwise(input, target, _, __, out) {
    const d = input - target;
    out[0] = Math.abs(d);
    // PyTorch's sgn: 0 at 0 and at NaN (the loss is NaN there, its gradient 0).
    out[1] = d > 0 ? 1 : d < 0 ? -1 : 0;
    out[2] = -out[1];
  },
});

/** Alias of {@link l1Loss} (mean absolute error). */
export const mae = l1Loss;
