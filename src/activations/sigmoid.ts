import type { Definition } from '../core/catalog.js';
import { describe, optionNamesOf } from '../core/loss.js';
import { checkArity, numberOption, readOptions } from '../core/options.js';
import { log1pExp, logSigmoidScalar, sigmoidScalar } from '../core/stable.js';
import { asTensor, Tensor, typedArrayOf, type FloatDType, type FloatDTypeOf, type TensorLike } from '../core/tensor.js';
import { kernelsFor } from '../kernels/backend.js';
import { pointwiseActivationWasm, resultArray, type ActivationKernel } from '../kernels/wasm.js';
import { gradArray, gradOutputOf, readGradCall, resultTensor, upstream, withGradResult, type ActivationGradOptions, type ActivationWithGrad } from './with-grad.js';

/** The options of a function that has none: only `{}` (or nothing) is accepted. */
type NoOptions = { [key: string]: never };

const elementwise = (name: string, reference: string, options: Definition['options']): Definition => ({
  name,
  reference,
  args: [{ name: 'input', shape: '[*]', differentiable: true }],
  options,
  kernels: [`${name}_f32`, `${name}_f64`],
  plot: null,
});
const SIGMOID = elementwise('sigmoid', 'torch.sigmoid', {});
const LOG_SIGMOID = elementwise('logSigmoid', 'torch.nn.functional.logsigmoid', {});
const SOFTPLUS = elementwise('softplus', 'torch.nn.functional.softplus', {
  beta: { type: 'number', default: 1, doc: 'the scale of x' },
  threshold: { type: 'number', default: 20, doc: 'above beta · x > threshold the result is x itself' },
});

/** The TypeScript reference of a pointwise activation: f of every element, in float64, rounded once. */
function map(t: Tensor, f: (v: number) => number): Tensor {
  const out = new Float64Array(t.size);
  for (let i = 0; i < t.size; i++) out[i] = f(t.data[i]);
  return new Tensor(typedArrayOf(t.dtype === 'int32' ? 'float32' : t.dtype, out), t.shape);
}

/**
 * The activation on the WebAssembly kernels (src/kernels/assembly/activations.ts, the formulas of
 * the withGrad loops below): its values, and with `grad` its VJP with g (null: ones) written
 * there; null where the reference computes it (int32 input, or below the kernels' threshold).
 */
function pointwiseKernel(kernel: ActivationKernel, t: Tensor, p1: number, p2: number, g: Tensor['data'] | null, grad: Float32Array | Float64Array | null): Float32Array | Float64Array | null {
  if (t.dtype === 'int32' || !kernelsFor(t.size)) return null;
  const value = resultArray(t.size, t.dtype);
  pointwiseActivationWasm({ kernel, dtype: t.dtype, x: t.data as Float32Array | Float64Array, g, p1, p2, value, grad });
  return value;
}

/**
 * softplus's β and threshold as the kernels take them: 2^-60 ≤ |β| ≤ 2^60 and |threshold| ≤ 2^60,
 * so that βx, 1/β and the threshold keep their meaning in float32 (β = 1e39 would round to inf).
 * Other values run the reference.
 */
function softplusFitsKernels(beta: number, threshold: number): boolean {
  return Math.abs(beta) >= 2 ** -60 && Math.abs(beta) <= 2 ** 60 && Math.abs(threshold) <= 2 ** 60;
}

/** The plain call of a pointwise activation: the kernel, or the reference `f`. */
function pointwiseCall(fn: ActivationKernel, x: TensorLike, f: (v: number) => number, p1 = 0, p2 = 0, kernel = true): Tensor {
  const t = asTensor(fn, 'input', x);
  const fast = kernel ? pointwiseKernel(fn, t, p1, p2, null, null) : null;
  return fast ? new Tensor(fast, [...t.shape]) : map(t, f);
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
  return pointwiseCall('sigmoid', x, sigmoidScalar);
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
  return pointwiseCall('logSigmoid', x, logSigmoidScalar);
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
  const beta = numberOption('softplus', 'beta', options.beta, 1);
  const threshold = numberOption('softplus', 'threshold', options.threshold, 20);
  return pointwiseCall('softplus', x, (v) => (v * beta > threshold ? v : log1pExp(v * beta) / beta), beta, threshold, softplusFitsKernels(beta, threshold));
}


/**
 * A withGrad call of a pointwise activation: on the kernel where it runs (`kernel` false: the
 * options do not fit it), else by `reference`, the loop that is the formulas' specification.
 */
function pointwiseWithGrad(
  fn: ActivationKernel,
  args: IArguments,
  optionNames: readonly string[],
  params: (options: Record<string, unknown>) => { p1: number; p2: number; kernel: boolean },
  reference: (x: ArrayLike<number>, g: ArrayLike<number>, value: Float64Array | Float32Array, grad: Float32Array | Float64Array, p1: number, p2: number) => void,
): ActivationWithGrad {
  const name = `${fn}.withGrad`;
  const { t, options, dtype } = readGradCall(name, args, optionNames);
  const { p1, p2, kernel } = params(options);
  const gradOutput = gradOutputOf(name, options, t.shape, dtype);
  const grad = gradArray(name, args, options, t, dtype);
  const fast = kernel ? pointwiseKernel(fn, t, p1, p2, gradOutput, grad) : null;
  if (fast) return withGradResult(new Tensor(fast, [...t.shape]) as Tensor<FloatDType>, grad, t.shape);
  const value = dtype === 'float64' ? new Float64Array(t.size) : new Float32Array(t.size);
  reference(t.data, gradOutput ?? upstream(name, options, t.shape, dtype), value, grad, p1, p2);
  return withGradResult(resultTensor(value, dtype, t.shape), grad, t.shape);
}

const noParams = () => ({ p1: 0, p2: 0, kernel: true });

/**
 * Sigmoid and its vector–Jacobian product with `gradOutput` (g): `grad = g · σ(x) σ(−x)`.
 *
 * With e = exp(−|x|) ≤ 1 (one exp, never overflowing): σ(|x|) = 1 / (1 + e) and
 * σ(−|x|) = e / (1 + e), so σ(x) is the one or the other by the sign of x and
 * σ'(x) = σ(x) σ(−x) = e / (1 + e)². PyTorch computes `g (1 − y) y` from the rounded y, which is
 * 0 once y rounds to 1 (x > 17 in float32): here the derivative keeps its value (2e-9 at x = 20),
 * within the golden tolerance of PyTorch's 0.
 *
 * Shapes: `x` any shape; `gradOutput`, `value` and `grad` shaped like it.
 *
 * @example
 * ```ts
 * const { value, grad } = sigmoid.withGrad([-1000, 0, 2]);
 * console.log(value.toString());
 * // tensor([0.0000, 0.5000, 0.8808])
 * console.log(grad.toString());
 * // tensor([0.0000, 0.2500, 0.1050])
 * ```
 */
sigmoid.withGrad = function withGrad<X extends TensorLike>(x: X, options?: NoOptions & ActivationGradOptions): ActivationWithGrad<FloatDTypeOf<X>> {
  return pointwiseWithGrad('sigmoid', arguments, optionNamesOf(SIGMOID, 'activation'), noParams, (data, g, value, grad) => {
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      const e = Math.exp(-Math.abs(v));
      const d = 1 + e;
      // sigmoidScalar's two branches, bit for bit: 1 / (1 + exp(−x)) and exp(x) / (1 + exp(x))
      value[i] = v >= 0 ? 1 / d : e / d;
      grad[i] = (g[i] * e) / (d * d);
    }
  }) as ActivationWithGrad<FloatDTypeOf<X>>;
};

/**
 * logSigmoid and its vector–Jacobian product with `gradOutput` (g): `grad = g · σ(−x)`, since
 * d/dx log σ(x) = 1 − σ(x) = σ(−x). With e = exp(−|x|): σ(−x) = e / (1 + e) for x ≥ 0 and
 * 1 / (1 + e) for x < 0 (PyTorch's `log_sigmoid_backward` takes the same two branches).
 *
 * Shapes: `x` any shape; `gradOutput`, `value` and `grad` shaped like it.
 *
 * @example
 * ```ts
 * const { value, grad } = logSigmoid.withGrad([-1000, 0, 2]);
 * console.log(value.toString());
 * // tensor([-1.0000e+03, -6.9315e-01, -1.2693e-01])
 * console.log(grad.toString());
 * // tensor([1.0000, 0.5000, 0.1192])
 * ```
 */
logSigmoid.withGrad = function withGrad<X extends TensorLike>(x: X, options?: NoOptions & ActivationGradOptions): ActivationWithGrad<FloatDTypeOf<X>> {
  return pointwiseWithGrad('logSigmoid', arguments, optionNamesOf(LOG_SIGMOID, 'activation'), noParams, (data, g, value, grad) => {
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      const e = Math.exp(-Math.abs(v));
      // min(x, 0) − log1p(e): logSigmoidScalar, with its e shared with the derivative
      value[i] = Math.min(v, 0) - Math.log1p(e);
      grad[i] = (g[i] * (v >= 0 ? e : 1)) / (1 + e);
    }
  }) as ActivationWithGrad<FloatDTypeOf<X>>;
};

/**
 * Softplus and its vector–Jacobian product with `gradOutput` (g): d/dx log(1 + exp(βx)) / β =
 * σ(βx), and 1 where the result is linear (`βx > threshold`), as PyTorch's `softplus_backward`
 * (which writes σ(βx) as z / (z + 1) with z = exp(βx)). σ(z) from e = exp(−|z|), as in sigmoid.
 *
 * Shapes: `x` any shape; `gradOutput`, `value` and `grad` shaped like it.
 *
 * @example
 * ```ts
 * const { value, grad } = softplus.withGrad([-2, 0, 30]);
 * console.log(value.toString());
 * // tensor([ 0.1269,  0.6931, 30.0000])
 * console.log(grad.toString());
 * // tensor([0.1192, 0.5000, 1.0000])
 * ```
 */
softplus.withGrad = function withGrad<X extends TensorLike>(x: X, options?: SoftplusOptions & ActivationGradOptions): ActivationWithGrad<FloatDTypeOf<X>> {
  const fn = 'softplus.withGrad';
  const params = (options: Record<string, unknown>) => {
    const beta = numberOption(fn, 'beta', options.beta, 1);
    const threshold = numberOption(fn, 'threshold', options.threshold, 20);
    return { p1: beta, p2: threshold, kernel: softplusFitsKernels(beta, threshold) };
  };
  return pointwiseWithGrad('softplus', arguments, optionNamesOf(SOFTPLUS, 'activation'), params, (data, g, value, grad, beta, threshold) => {
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      const z = v * beta;
      if (z > threshold) {
        value[i] = v;
        grad[i] = g[i];
        continue;
      }
      const e = Math.exp(-Math.abs(z));
      // log1pExp(z) / β, with its e shared with the derivative σ(z)
      value[i] = (Math.max(z, 0) + Math.log1p(e)) / beta;
      grad[i] = (g[i] * (z >= 0 ? 1 : e)) / (1 + e);
    }
  }) as ActivationWithGrad<FloatDTypeOf<X>>;
};

describe(sigmoid, SIGMOID, 'activation');
describe(logSigmoid, LOG_SIGMOID, 'activation');
describe(softplus, SOFTPLUS, 'activation');
