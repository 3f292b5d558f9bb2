import type { TensorArg } from '../core/catalog.js';
import { laneMeanLoss } from '../core/lane-mean.js';
import type { Reduction } from '../core/reduction.js';

/** Options of {@link logCoshLoss}. */
export interface LogCoshLossOptions {
  /** `'none' | 'mean' | 'sum'` over the per-sample values; default `'mean'`. */
  reduction?: Reduction;
}

/**
 * Log-cosh loss, as `keras.losses.LogCosh` (Keras 3.15).
 *
 * With `d = input − target`, the per-sample loss is `mean(log(cosh(d)), axis=−1)`: about `d²/2`
 * for small `d` and `|d| − log 2` for large `d`. Gradient: `∂/∂input = tanh(d) / D`,
 * `∂/∂target = −tanh(d) / D` (D the size of the last dimension).
 *
 * Shapes: `input` and `target` `[*, D]`, the same; result `[]`, or `[*]` for `'none'`.
 *
 * @example
 * ```ts
 * console.log(logCoshLoss([[1, 1], [0, 0]], [[0, 1], [0, 0]]).toString());
 * console.log(logCoshLoss([[1000, -1e-4]], [[0, 0]], { reduction: 'none' }).toString());
 * // tensor(0.1084)
 * // tensor([499.6534])
 * ```
 * Differs from Keras: the prediction comes first (Keras takes `y_true, y_pred`); shapes must
 * match (Keras squeezes or expands a trailing dimension of 1); computed in float64 for float32
 * inputs too, and without Keras's cancellation: its `d + softplus(−2d) − log 2` loses ~1e-7
 * (float32) or ~1e-16 (float64) absolutely to the cancellation of its terms for small `d`.
 */
export const logCoshLoss = laneMeanLoss<null, LogCoshLossOptions, readonly [TensorArg, TensorArg]>(
  { name: 'logCoshLoss', reference: 'keras.losses.LogCosh', args: [{ name: 'input', shape: '[*, D]', differentiable: true }, { name: 'target', shape: 'like input', differentiable: true }], options: {}, items: 'rows', plot: { x: 'error', range: [-3, 3] } },
  () => null,
  (input, target, _, out) => {
    const d = input - target;
    const a = Math.abs(d);
    // log cosh d depends on a = |d| only (cosh is even). Two exact forms, each stable on its side:
    // - cosh a − 1 = 2 sinh²(a/2), so log cosh a = log1p(2 sinh²(a/2)): no cancellation for small a
    //   (a²/2 + O(a⁴), to a few ulps), but sinh(a/2)² overflows past a ≈ 1420;
    // - log cosh a = log((e^a + e^−a) / 2) = a + log1p(e^−2a) − log 2: only exp of a non-positive
    //   number, so nothing overflows at any a, but for small a the three terms (a, log 2 − a + a²/2,
    //   −log 2) cancel down to a²/2, an absolute error of ~1e-16 (relative 2e-8 at a = 1e-4).
    // Beyond a = 20 the second has no cancellation (a − log 2 > 19 dominates) and the first would
    // soon overflow, so each is used on its side of 20.
    out[0] = a < 20 ? Math.log1p(2 * Math.sinh(a / 2) ** 2) : a + Math.log1p(Math.exp(-2 * a)) - Math.LN2;
    // d/dd log cosh d = tanh d (finite everywhere; Math.tanh(±inf) = ±1).
    out[1] = Math.tanh(d);
    out[2] = -out[1];
  },
);
