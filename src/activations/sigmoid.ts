import type { Definition } from '../core/catalog.js';
import { describe, optionNamesOf } from '../core/loss.js';
import { checkArity, numberOption, readOptions } from '../core/options.js';
import { log1pExp, logSigmoidScalar, sigmoidScalar } from '../core/stable.js';
import { asTensor, Tensor, typedArrayOf, type FloatDTypeOf, type TensorLike } from '../core/tensor.js';

/** The options of a function that has none: only `{}` (or nothing) is accepted. */
type NoOptions = { [key: string]: never };

const elementwise = (name: string, reference: string, options: Definition['options']): Definition => ({
  name,
  reference,
  args: [{ name: 'input', shape: '[*]', differentiable: true }],
  options,
  plot: null,
});
const SIGMOID = elementwise('sigmoid', 'torch.sigmoid', {});
const LOG_SIGMOID = elementwise('logSigmoid', 'torch.nn.functional.logsigmoid', {});
const SOFTPLUS = elementwise('softplus', 'torch.nn.functional.softplus', {
  beta: { type: 'number', default: 1, doc: 'the scale of x' },
  threshold: { type: 'number', default: 20, doc: 'above beta · x > threshold the result is x itself' },
});

function map(fn: string, x: TensorLike, f: (v: number) => number): Tensor {
  const t = asTensor(fn, 'input', x);
  const out = new Float64Array(t.size);
  for (let i = 0; i < t.size; i++) out[i] = f(t.data[i]);
  return new Tensor(typedArrayOf(t.dtype === 'int32' ? 'float32' : t.dtype, out), t.shape);
}

/**
 * Logistic sigmoid `1 / (1 + exp(−x))`, as `torch.sigmoid` (written so that exp never overflows).
 *
 * @example
 * ```ts
 * console.log(sigmoid([-1000, 0, 2]).toString());
 * // tensor([0.0000, 0.5000, 0.8808])
 * ```
 */
export function sigmoid<X extends TensorLike>(x: X, options?: NoOptions): Tensor<FloatDTypeOf<X>>;
export function sigmoid(x: TensorLike, options?: NoOptions): Tensor {
  checkArity('sigmoid', arguments, ['input', 'options']);
  readOptions('sigmoid', options, optionNamesOf(SIGMOID, 'activation'));
  return map('sigmoid', x, sigmoidScalar);
}

/**
 * `log(sigmoid(x))`, as `torch.nn.functional.logsigmoid`: `min(x, 0) − log1p(exp(−|x|))`, exact
 * where `log(sigmoid(x))` underflows to `−inf`.
 *
 * @example
 * ```ts
 * console.log(logSigmoid([-1000, 0, 2]).toString());
 * // tensor([-1.0000e+03, -6.9315e-01, -1.2693e-01])
 * ```
 */
export function logSigmoid<X extends TensorLike>(x: X, options?: NoOptions): Tensor<FloatDTypeOf<X>>;
export function logSigmoid(x: TensorLike, options?: NoOptions): Tensor {
  checkArity('logSigmoid', arguments, ['input', 'options']);
  readOptions('logSigmoid', options, optionNamesOf(LOG_SIGMOID, 'activation'));
  return map('logSigmoid', x, logSigmoidScalar);
}

/** Options of {@link softplus}. */
export interface SoftplusOptions {
  /** Default 1. */
  beta?: number;
  /** Above `beta · x > threshold` the result is `x` itself; default 20. */
  threshold?: number;
}

/**
 * `log(1 + exp(beta x)) / beta`, as `torch.nn.functional.softplus` (linear above the threshold),
 * computed as `max(z, 0) + log1p(exp(−|z|))` with `z = beta x`.
 *
 * @example
 * ```ts
 * console.log(softplus([-2, 0, 30]).toString());
 * // tensor([ 0.1269,  0.6931, 30.0000])
 * ```
 */
export function softplus<X extends TensorLike>(x: X, options?: SoftplusOptions): Tensor<FloatDTypeOf<X>>;
export function softplus(x: TensorLike, opts?: SoftplusOptions): Tensor {
  checkArity('softplus', arguments, ['input', 'options']);
  const options = readOptions('softplus', opts, optionNamesOf(SOFTPLUS, 'activation'));
  const beta = numberOption('softplus', 'beta', options.beta, SOFTPLUS.options.beta.default as number);
  const threshold = numberOption('softplus', 'threshold', options.threshold, SOFTPLUS.options.threshold.default as number);
  return map('softplus', x, (v) => (v * beta > threshold ? v : log1pExp(v * beta) / beta));
}

describe(sigmoid, SIGMOID, 'activation');
describe(logSigmoid, LOG_SIGMOID, 'activation');
describe(softplus, SOFTPLUS, 'activation');
