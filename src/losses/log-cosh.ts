import { elementwiseLoss } from '../core/elementwise.js';
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
 * match (Keras squeezes or expands a trailing dimension of 1); without Keras's cancellation: its
 * `d + softplus(−2d) − log 2` loses ~1e-7 (float32) or ~1e-16 (float64) absolutely to the
 * cancellation of its terms for small `d`, where this loss keeps a few ulps relatively (float32
 * inputs on the WebAssembly kernel are computed in float32, as the other kernel losses).
 */
export const logCoshLoss = elementwiseLoss({
  name: 'logCoshLoss',
  reference: 'keras.losses.LogCosh',
  args: [{ name: 'input', shape: '[*, D]', differentiable: true }, { name: 'target', shape: 'like input', differentiable: true }],
  options: {},
  items: 'rows',
  axis: 'the loss is a mean over the last',
  plot: { x: 'error', range: [-3, 3] },
  params: (_: LogCoshLossOptions) => null,
  // The kernel takes the same two forms split at a = 1 (src/kernels/assembly/elementwise.ts).
  wasm: { kernel: 'logCosh', params: () => [0, 0] },
  // log cosh d and tanh d depend on a = |d| (cosh is even, tanh odd). Two exact forms of log cosh,
  // each stable on its side:
  // - cosh a − 1 = (e^a − 1)² / (2 e^a), so with e = expm1(a), log cosh a = log1p(e² / (2 (1 + e))):
  //   no cancellation for small a (a²/2 + O(a⁴), to a few ulps), but e² overflows past a ≈ 355;
  // - log cosh a = log((e^a + e^−a) / 2) = a + log1p(e^−2a) − log 2: only exp of a non-positive
  //   number, so nothing overflows at any a, but for small a the three terms (a, log 2 − a + a²/2,
  //   −log 2) cancel down to a²/2, an absolute error of ~1e-16 (relative 2e-8 at a = 1e-4).
  // Beyond a = 20 the second has no cancellation (a − log 2 > 19 dominates), so each is used on its
  // side of 20. The gradient tanh d comes from the same e below 20: tanh a = (e^2a − 1) / (e^2a + 1)
  // = w / (w + 2) with w = e^2a − 1 = e (e + 2), no cancellation either; from 20 on (and for NaN)
  // Math.tanh, ±1 there. One expm1 and one log1p per element, where the form with sinh, a square,
  // log1p and tanh made four calls (timings in docs/benchmarks-notes.md).
  pointwise(x, y, _, __, out) {
    const d = x - y;
    const a = Math.abs(d);
    let loss: number;
    let tanh: number;
    if (a < 2 ** -13) {
      // The series: log cosh a = a²/2 − a⁴/12 + a⁶/45 …, tanh d = d − d³/3 + 2d⁵/15 …; the first
      // terms left out are under 1e-17 of the sum, where 1 + e above would round (an ulp lost).
      const h = a * a;
      loss = h * (0.5 - h / 12);
      tanh = d * (1 - h / 3);
    } else if (a < 20) {
      const e = Math.expm1(a);
      const w = e * (e + 2);
      loss = Math.log1p((e * e) / (2 * (1 + e)));
      tanh = (Math.sign(d) * w) / (w + 2);
    } else {
      loss = a + Math.log1p(Math.exp(-2 * a)) - Math.LN2;
      tanh = Math.tanh(d); // Math.tanh(±inf) = ±1
    }
    out[0] = loss;
    out[1] = tanh;
    out[2] = -tanh;
  },
});
