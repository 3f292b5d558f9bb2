import { elementwiseLoss } from '../core/elementwise.js';
import type { Reduction } from '../core/reduction.js';
import type { TensorLike } from '../core/tensor.js';

/** Options of {@link mseLoss}. */
export interface MseLossOptions {
  /** `'none' | 'mean' | 'sum'`; default `'mean'`. */
  reduction?: Reduction;
  /** Per-element weights, same shape as `input`; a weighted `'mean'` divides by their sum. */
  weight?: TensorLike;
}

/**
 * Mean squared error, as `torch.nn.functional.mse_loss`.
 *
 * `loss_i = w_i · (input_i − target_i)²`; `'mean'` divides the sum by the element count, or by
 * `Σ w_i` when weighted. Gradient: `∂/∂input = 2 w (input − target)` — it grows with the error,
 * which is why outliers dominate MSE — and `∂/∂target = −∂/∂input`.
 *
 * Shapes: `input` `[*]`; `target` and `weight` the same shape; result `[]`, or `[*]` for `'none'`.
 *
 * @example
 * ```ts
 * console.log(mseLoss([1, 2, 3], [1, 0, 5]).toString());
 * // tensor(2.6667)
 * console.log(mseLoss.withGrad([1, 2, 3], [1, 0, 5]).grad!.toString());
 * // tensor([ 0.0000,  1.3333, -1.3333])
 * ```
 * Differs from PyTorch: shapes must match exactly (PyTorch broadcasts with a warning).
 */
export const mseLoss = elementwiseLoss({
  name: 'mseLoss',
  reference: 'torch.nn.functional.mse_loss',
  args: [{ name: 'input', shape: '[*]', differentiable: true }, { name: 'target', shape: 'like input', differentiable: true }],
  options: {
    weight: { type: 'tensor', default: 1, shape: 'like input', broadcast: false, mean: 'weights', doc: "per-element weights (a weighted 'mean' divides by their sum)" },
  },
  plot: { x: 'error', range: [-3, 3] },
  params: (_: MseLossOptions) => null,
  wasm: { kernel: 'mseElements', params: () => [0, 0] },
  pointwise(input, target, _, __, out) {
    const d = input - target;
    out[0] = d * d;
    out[1] = 2 * d;
    out[2] = -2 * d;
  },
});

/** Alias of {@link mseLoss} (mean squared error). */
export const mse = mseLoss;
