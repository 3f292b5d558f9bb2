import { elementwiseLoss } from '../core/elementwise.js';
import { numberOption } from '../core/options.js';
import type { Reduction } from '../core/reduction.js';
import type { TensorLike } from '../core/tensor.js';

/** Options of {@link huberLoss}. */
export interface HuberLossOptions {
  /** `'none' | 'mean' | 'sum'`; default `'mean'`. */
  reduction?: Reduction;
  /** Where the quadratic part ends, `> 0`; default 1. */
  delta?: number;
  /** Per-element weights, same shape as `input`; the weighted `'mean'` still divides by the element count, as PyTorch. */
  weight?: TensorLike;
}

/**
 * Huber loss, as `torch.nn.functional.huber_loss`.
 *
 * With `d = input − target`: `loss = 0.5 d²` if `|d| < delta`, else `delta (|d| − 0.5 delta)`,
 * so `huberLoss(delta) = delta · smoothL1Loss(beta = delta)`. Gradient: `clamp(d, −delta, delta)`
 * (times the weight); `∂/∂target = −∂/∂input`.
 *
 * Shapes: `input` `[*]`; `target` and `weight` the same; result `[]`, or `[*]` for `'none'`.
 *
 * @example
 * ```ts
 * console.log(huberLoss([-3, -0.5, 0, 0.5, 3], [0, 0, 0, 0, 0], { delta: 2, reduction: 'none' }).toString());
 * // tensor([4.0000, 0.1250, 0.0000, 0.1250, 4.0000])
 * ```
 * Differs from PyTorch: shapes must match exactly (PyTorch broadcasts with a warning).
 */
export const huberLoss = elementwiseLoss({
  name: 'huberLoss',
  reference: 'torch.nn.functional.huber_loss',
  args: [{ name: 'input', shape: '[*]', differentiable: true }, { name: 'target', shape: 'like input', differentiable: true }],
  options: {
    weight: { type: 'tensor', default: 1, shape: 'like input', broadcast: false, mean: 'count', doc: "per-element weights (a weighted 'mean' still divides by the element count)" },
    delta: { type: 'number', default: 1, range: { min: 0, minOpen: true }, doc: 'where the quadratic part ends' },
  },
  plot: { x: 'error', range: [-3, 3] },
  params(options: HuberLossOptions) {
    const delta = numberOption('huberLoss', 'delta', options.delta, 1);
    if (!(delta > 0)) throw new Error(`huberLoss: delta must be > 0, got ${delta}`);
    return { delta };
  },
  wasm: { kernel: 'smoothL1Elements', params: ({ delta }) => [delta, 1] },
  pointwise(input, target, _, { delta }, out) {
    const d = input - target;
    const z = Math.abs(d);
    if (z < delta) {
      out[0] = 0.5 * d * d;
      out[1] = d;
    } else {
      out[0] = delta * (z - 0.5 * delta);
      out[1] = delta * Math.sign(d);
    }
    out[2] = -out[1];
  },
});
