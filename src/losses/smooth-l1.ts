import { elementwiseLoss } from '../core/elementwise.js';
import { numberOption } from '../core/options.js';
import type { Reduction } from '../core/reduction.js';

/** Options of {@link smoothL1Loss}. */
export interface SmoothL1LossOptions {
  /** `'none' | 'mean' | 'sum'`; default `'mean'`. */
  reduction?: Reduction;
  /** Where the quadratic part ends, `>= 0`; default 1. `beta = 0` is exactly {@link l1Loss}. */
  beta?: number;
}

/**
 * Smooth L1 loss, as `torch.nn.functional.smooth_l1_loss`: quadratic near 0, linear outside.
 *
 * With `d = input − target`: `loss = 0.5 d² / beta` if `|d| < beta`, else `|d| − 0.5 beta`.
 * Gradient: `d / beta` inside, `sign(d)` outside: smooth at 0 and bounded for outliers
 * (the loss of box regression in object detectors). `∂/∂target = −∂/∂input`.
 *
 * Shapes: `input` `[*]`, `target` the same; result `[]`, or `[*]` for `'none'`.
 *
 * @example
 * ```ts
 * console.log(smoothL1Loss([-3, -0.5, 0, 0.5, 3], [0, 0, 0, 0, 0], { reduction: 'none' }).toString());
 * // tensor([2.5000, 0.1250, 0.0000, 0.1250, 2.5000])
 * ```
 * Differs from PyTorch: shapes must match exactly (PyTorch broadcasts with a warning).
 */
export const smoothL1Loss = elementwiseLoss({
  name: 'smoothL1Loss',
  reference: 'torch.nn.functional.smooth_l1_loss',
  args: [{ name: 'input', shape: '[*]', differentiable: true }, { name: 'target', shape: 'like input', differentiable: true }],
  options: {
    beta: { type: 'number', default: 1, range: { min: 0 }, doc: 'where the quadratic part ends (0: l1Loss)' },
  },
  plot: { x: 'error', range: [-3, 3] },
  params(options: SmoothL1LossOptions) {
    const beta = numberOption('smoothL1Loss', 'beta', options.beta, 1);
    if (beta < 0) throw new Error(`smoothL1Loss: beta must be >= 0, got ${beta}`);
    return { beta };
  },
  wasm: { kernel: 'smoothL1Elements', params: ({ beta }) => [beta, 0] },
  pointwise(input, target, _, { beta }, out) {
    const d = input - target;
    const z = Math.abs(d);
    if (z < beta) {
      out[0] = (0.5 * d * d) / beta;
      out[1] = d / beta;
    } else {
      // beta = 0 lands here for every d: PyTorch's L1 loss then, whose gradient is 0 at 0 and at
      // NaN; for beta > 0 a NaN difference has a NaN gradient, as PyTorch's.
      out[0] = z - 0.5 * beta;
      out[1] = beta === 0 ? (d > 0 ? 1 : d < 0 ? -1 : 0) : Math.sign(d);
    }
    out[2] = -out[1];
  },
});
