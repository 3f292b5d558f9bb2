import { elementwiseLoss } from '../core/elementwise.js';
import { booleanOption } from '../core/options.js';

/** Options of {@link klDiv}. */
export interface KlDivOptions {
  /**
   * `'none' | 'batchmean' | 'sum' | 'mean'`; default `'mean'` (as PyTorch, which divides by the
   * element count; `'batchmean'`, the true KL divergence per sample, divides by the batch size).
   */
  reduction?: 'none' | 'batchmean' | 'sum' | 'mean';
  /** The target is given as log-probabilities; default false. */
  logTarget?: boolean;
}

/**
 * Kullback–Leibler divergence `KL(target ‖ input)`, as `torch.nn.functional.kl_div`, with
 * `input` the log-probabilities of the model.
 *
 * `loss = y (log y − x)` with `0 log 0 = 0` (gradients `−y` and `log y + 1 − x`; the target
 * gradient at `y = 0` is NaN, as PyTorch, where the derivative does not exist), or with
 * `logTarget`: `loss = exp(y) (y − x)` (gradients `−exp(y)` and `exp(y) (y − x + 1)`).
 *
 * Shapes: `input` `[N, *]`, `target` the same; result `[]`, or `[N, *]` for `'none'`.
 *
 * @example
 * ```ts
 * const logQ = logSoftmax([[1, 2, 3]]);
 * console.log(klDiv(logQ, [[0.2, 0.3, 0.5]], { reduction: 'batchmean' }).toString());
 * // tensor(0.0780)
 * ```
 */
export const klDiv = elementwiseLoss({
  name: 'klDiv',
  reference: 'torch.nn.functional.kl_div',
  args: [{ name: 'input', shape: '[N, *]', differentiable: true }, { name: 'target', shape: 'like input', differentiable: true }],
  options: {
    logTarget: { type: 'boolean', default: false, doc: 'the target is given as log-probabilities' },
  },
  reductions: ['none', 'batchmean', 'sum', 'mean'],
  plot: null,
  cliAliases: ['kl'],
  params: (options: KlDivOptions) => ({ logTarget: booleanOption('klDiv', 'logTarget', options.logTarget, false) }),
  pointwise(x, y, _, { logTarget }, out) {
    if (logTarget) {
      const p = Math.exp(y);
      out[0] = p * (y - x);
      out[1] = -p;
      out[2] = p * (y - x + 1);
    } else {
      // xlogy(y, y) - y x: y log y is 0 at y = 0 (unless the log is NaN), as torch.xlogy.
      const logY = Math.log(y);
      out[0] = (y === 0 ? 0 : y * logY) - y * x;
      out[1] = -y;
      out[2] = y === 0 ? NaN : logY + 1 - x;
    }
  },
});
