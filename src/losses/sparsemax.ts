import { elementwiseLoss } from '../core/elementwise.js';
import type { Reduction } from '../core/reduction.js';
import { firstNonBinary } from '../core/scan.js';

/** Options of {@link sparsemaxLoss}. */
export interface SparsemaxLossOptions {
  /** `'none' | 'mean' | 'sum'`; default `'mean'`. */
  reduction?: Reduction;
}

/**
 * Binary sparsemax loss, as `optax.losses.sparsemax_loss` (optax 0.2.8; Blondel et al., 2020,
 * sec. 4.4): the Fenchel-Young loss of the sparse sigmoid, zero exactly where
 * `sparse_sigmoid(x)` equals the label.
 *
 * With `z = −x` for label 1 and `z = x` for label 0, `loss = sparse_plus(z)`: 0 for `z ≤ −1`,
 * `(z + 1)² / 4` for `−1 < z < 1`, `z` for `z ≥ 1`. Gradient: `∂/∂x = ±sparse_plus'(z)` with
 * `sparse_plus'(z) = clamp((z + 1) / 2, 0, 1)` (sign −1 for label 1); labels get none.
 *
 * Shapes: `input` `[*]`; `labels` the same, of 0s and 1s; result `[]`, or `[*]` for `'none'`.
 *
 * @example
 * ```ts
 * console.log(sparsemaxLoss([-2, -0.5, 0, 0.5, 2], [1, 1, 1, 0, 0], { reduction: 'none' }).toString());
 * // tensor([2.0000, 0.5625, 0.2500, 0.5625, 2.0000])
 * ```
 * Differs from optax: the labels must be 0 or 1 (optax reads any nonzero label as 1); 'mean' and
 * 'sum' reduce optax's per-element losses.
 */
export const sparsemaxLoss = elementwiseLoss({
  name: 'sparsemaxLoss',
  reference: 'optax.losses.sparsemax_loss',
  args: [{ name: 'input', shape: '[*]', differentiable: true }, { name: 'labels', shape: 'like input (0 or 1)', differentiable: false }],
  options: {},
  plot: { x: 'logit', range: [-3, 3], targets: [1, 0] },
  params: (_: SparsemaxLossOptions) => null,
  check([, labels], _, from) {
    const bad = firstNonBinary(labels.data, from);
    if (bad >= 0) throw new Error(`sparsemaxLoss: labels must be 0 or 1, got ${labels.data[bad]} at flat index ${bad}`);
  },
  wasm: { kernel: 'sparsemax', params: () => [0, 0], checks: true },
  pointwise(x, label, _, __, out) {
    const sign = label === 1 ? -1 : 1;
    const z = sign * x;
    // jax.nn.sparse_plus, piece by piece (its pieces meet with equal values and slopes at ±1); a
    // NaN z fails every comparison and keeps NaN for both.
    let loss = z;
    let slope = z;
    if (z <= -1) loss = slope = 0;
    else if (z >= 1) slope = sign;
    else if (z > -1) {
      loss = ((z + 1) * (z + 1)) / 4;
      slope = (sign * (z + 1)) / 2;
    }
    out[0] = loss;
    out[1] = slope;
    out[2] = 0;
  },
});
