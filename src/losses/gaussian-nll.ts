import { elementwiseLoss, fitsFloat32 } from '../core/elementwise.js';
import { booleanOption, numberOption } from '../core/options.js';
import type { Reduction } from '../core/reduction.js';
import { sameShape, shapeString } from '../core/shape.js';

/** Options of {@link gaussianNllLoss}. */
export interface GaussianNllLossOptions {
  /** Add the constant `0.5 log(2π)`; default false. */
  full?: boolean;
  /** Variances are clamped to at least `eps` (the gradient passes through the clamp, as PyTorch); default 1e-6. */
  eps?: number;
  /** `'none' | 'mean' | 'sum'`; default `'mean'`. */
  reduction?: Reduction;
}

interface Params {
  full: boolean;
  eps: number;
}

const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/**
 * The shape `var` broadcasts from, by PyTorch's rules: the input's shape (heteroscedastic); the
 * input's shape without its last dimension (one variance per row); the same rank with exactly one
 * dimension of size 1 where the input's differs; or a single number.
 */
function varShape(input: readonly number[], variance: readonly number[]): readonly number[] | null {
  if (sameShape(input, variance)) return null;
  if (variance.length === 0) return variance;
  if (sameShape(input.slice(0, -1), variance)) return [...variance, 1];
  if (variance.length === input.length) {
    const mismatched = variance.filter((d, i) => d !== input[i]);
    if (mismatched.length === 1 && mismatched[0] === 1) return variance;
  }
  throw new Error(
    `gaussianNllLoss: var shape ${shapeString(variance)} is incorrect for input shape ${shapeString(input)} ` +
      `(expected ${shapeString(input)}, ${shapeString(input.slice(0, -1))}, a shape with one dimension of size 1, or a number)`,
  );
}

/**
 * Gaussian negative log-likelihood, as `torch.nn.functional.gaussian_nll_loss`.
 *
 * With `v = max(var, eps)`: `loss = 0.5 (log v + (x − y)² / v)` (+ `0.5 log(2π)` with `full`).
 * Gradients: `∂/∂x = (x − y) / v`, `∂/∂y = −(x − y) / v`, `∂/∂var = 0.5 (1/v − (x − y)²/v²)`
 * — evaluated at the clamped `v` but passed through the clamp, exactly as PyTorch (which clamps
 * under `no_grad`). A broadcast `var` gets the sum of its elements' gradients.
 *
 * Shapes: `input` `[*, D]`, `target` the same; `var` `[*, D]`, `[*]`, `[*, 1]` or a number;
 * result `[]`, or `[*, D]` for `'none'`.
 *
 * @example
 * ```ts
 * console.log(gaussianNllLoss([1, 2], [1.5, 1], [0.5, 2]).toString());
 * // tensor(0.2500)
 * ```
 */
export const gaussianNllLoss = elementwiseLoss({
  name: 'gaussianNllLoss',
  reference: 'torch.nn.functional.gaussian_nll_loss',
  args: [
    { name: 'input', shape: '[*, D]', differentiable: true },
    { name: 'target', shape: 'like input', differentiable: true },
    { name: 'var', shape: '[*, D], [*], [*, 1] or a number', differentiable: true },
  ],
  options: {
    full: { type: 'boolean', default: false, doc: 'add the constant 0.5 log(2π)' },
    eps: { type: 'number', default: 1e-6, doc: 'variances are clamped to at least eps' },
  },
  plot: null,
  broadcastArg: (index, t, input) => (index === 2 ? varShape(input.shape, t.shape) : null),
  params: (options: GaussianNllLossOptions) => ({
    full: booleanOption('gaussianNllLoss', 'full', options.full, false),
    eps: numberOption('gaussianNllLoss', 'eps', options.eps, 1e-6),
  }),
  check(tensors, _, from) {
    // The data and its length in locals: read through the tensor on every element, the scan took
    // as long as the float32 kernel itself (4M elements, node --cpu-prof). A var of the input's
    // size is aligned with it (from on); a broadcast one, smaller, is checked whole.
    const data = tensors[2].data;
    const n = data.length;
    let i = n === tensors[0].size ? from : 0;
    while (i < n && !(data[i] < 0)) i++;
    if (i < n) throw new Error(`gaussianNllLoss: var has a negative entry (${data[i]} at index ${i})`);
  },
  // eps in float32 only where it stays a normal float32 (a clamp at 1e-50 would be a clamp at 0).
  // The kernel refuses a negative var itself (checks): the scan above cost 8 ms of a 24 ms float32
  // forward on 4M elements (Node 24), a third.
  wasm: { kernel: 'gaussianNll', params: ({ full, eps }, dtype) => (dtype === 'float32' && !fitsFloat32(eps) ? null : [full ? 1 : 0, eps]), checks: true },
  pointwise(x, y, variance, { full, eps }, out) {
    const v = Math.max(variance, eps);
    const d = x - y;
    out[0] = 0.5 * (Math.log(v) + (d * d) / v) + (full ? HALF_LOG_TWO_PI : 0);
    out[1] = d / v;
    out[2] = -d / v;
    out[3] = 0.5 * (1 / v - (d * d) / (v * v));
  },
});
