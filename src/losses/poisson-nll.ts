import { elementwiseLoss } from '../core/elementwise.js';
import { booleanOption, numberOption } from '../core/options.js';
import type { Reduction } from '../core/reduction.js';

/** Options of {@link poissonNllLoss}. */
export interface PoissonNllLossOptions {
  /** The input is the log of the rate (default true) or the rate itself. */
  logInput?: boolean;
  /** Add the Stirling approximation of `log(target!)` for targets > 1; default false. */
  full?: boolean;
  /** Added to a rate input before its log (`logInput: false`); default 1e-8. */
  eps?: number;
  /** `'none' | 'mean' | 'sum'`; default `'mean'`. */
  reduction?: Reduction;
}

interface Params {
  logInput: boolean;
  full: boolean;
  eps: number;
}

const TWO_PI = 2 * Math.PI;

/**
 * Poisson negative log-likelihood, as `torch.nn.functional.poisson_nll_loss`.
 *
 * `loss = exp(x) − y x` with `logInput` (gradients `exp(x) − y` and `−x`), else
 * `loss = x − y log(x + eps)` (gradients `1 − y / (x + eps)` and `−log(x + eps)`). With `full`,
 * `y log y − y + 0.5 log(2π y)` is added where `y > 1` (target gradient `log y + 1/(2y)` there).
 *
 * Shapes: `input` `[*]`, `target` (counts) the same; result `[]`, or `[*]` for `'none'`.
 *
 * @example
 * ```ts
 * console.log(poissonNllLoss([0, 1, 2], [1, 2, 3]).toString());
 * // tensor(1.0358)
 * ```
 * Differs from PyTorch: with `full`, the target gradient at a target of exactly 0 is 0 (the added
 * term is identically 0 there); PyTorch's autograd gives NaN (0 · log 0).
 */
export const poissonNllLoss = elementwiseLoss({
  name: 'poissonNllLoss',
  reference: 'torch.nn.functional.poisson_nll_loss',
  args: [{ name: 'input', shape: '[*]', differentiable: true }, { name: 'target', shape: 'like input', differentiable: true }],
  options: {
    logInput: { type: 'boolean', default: true, doc: 'the input is the log of the rate (false: the rate itself)' },
    full: { type: 'boolean', default: false, doc: 'add the Stirling approximation of log(target!)' },
    eps: { type: 'number', default: 1e-8, doc: 'added to a rate input before its log (logInput false)' },
  },
  plot: null,
  params: (options: PoissonNllLossOptions) => ({
    logInput: booleanOption('poissonNllLoss', 'logInput', options.logInput, true),
    full: booleanOption('poissonNllLoss', 'full', options.full, false),
    eps: numberOption('poissonNllLoss', 'eps', options.eps, 1e-8),
  }),
  pointwise(x, y, _, { logInput, full, eps }, out) {
    if (logInput) {
      const rate = Math.exp(x);
      out[0] = rate - y * x;
      out[1] = rate - y;
      out[2] = -x;
    } else {
      const logRate = Math.log(x + eps);
      out[0] = x - y * logRate;
      out[1] = 1 - y / (x + eps);
      out[2] = -logRate;
    }
    if (full && y > 1) {
      const logY = Math.log(y);
      out[0] += y * logY - y + 0.5 * Math.log(TWO_PI * y);
      out[2] += logY + 0.5 / y;
    }
  },
});
