import { checkOptions } from './options.js';
import { asTensor, Tensor, typedArrayOf, type DType, type TensorLike } from './tensor.js';

/** Option of every loss call: where to put the result. */
export interface OutputOptions {
  /**
   * Copy the loss into this array (its size and the result's dtype: float32, or float64 for float64
   * inputs) and return it as the loss tensor's data: with `reduction: 'none'`, per-item losses land
   * in a buffer the caller reuses.
   */
  lossInto?: Float32Array | Float64Array;
}

/** Option of every `withGrad`: the upstream gradient, shaped like the loss (default: ones). */
export interface GradOptions extends OutputOptions {
  gradOutput?: TensorLike;
  /**
   * Write the gradient with respect to the first argument into this array (its size and dtype) and
   * return it as `grad`, instead of allocating one: for training loops that reuse their buffers.
   */
  gradInto?: Float32Array | Float64Array;
  /**
   * Positions of the tensor arguments to differentiate, as JAX's `argnums` (default: every one
   * PyTorch differentiates); `grads` holds `null` at the others. A training step needs only `[0]`:
   * the elementwise losses and cross-entropy with probabilities then skip the target's gradient
   * (a second array as large as the input).
   */
  argnums?: readonly number[];
}

/** What every `withGrad` returns. */
export interface LossWithGrad {
  /** The loss, exactly as the plain call returns it. */
  loss: Tensor;
  /** The gradient with respect to the first argument (`grads[0]`). */
  grad: Tensor | null;
  /**
   * `grads[i]`: gradient of `sum(loss * gradOutput)` with respect to the i-th tensor argument,
   * shaped and typed like it; `null` where PyTorch does not differentiate (class indices, labels).
   */
  grads: (Tensor | null)[];
}

/** A loss of two tensors, `f(input, target, options?)`, with `f.withGrad`. */
export interface Loss2<O> {
  (input: TensorLike, target: TensorLike, options?: O & OutputOptions): Tensor;
  withGrad(input: TensorLike, target: TensorLike, options?: O & GradOptions): LossWithGrad;
}

/** A loss of three tensors, `f(a, b, c, options?)`, with `f.withGrad`. */
export interface Loss3<O> {
  (a: TensorLike, b: TensorLike, c: TensorLike, options?: O & OutputOptions): Tensor;
  withGrad(a: TensorLike, b: TensorLike, c: TensorLike, options?: O & GradOptions): LossWithGrad;
}

/** The request a kernel receives: its tensors, its options and, for withGrad, the upstream gradient. */
export interface KernelCall<O> {
  tensors: Tensor[];
  options: O;
  /** true for withGrad: compute gradients in the same pass. */
  wantGrad: boolean;
  /** Per tensor argument: is its gradient wanted (withGrad and in `argnums`)? Kernels may skip the others. */
  wantGrads: boolean[];
  gradOutput: TensorLike | undefined;
  /** The caller's array for the first gradient (already checked), if any: kernels may write it directly. */
  gradInto: Float32Array | Float64Array | undefined;
}

export interface KernelResult {
  loss: Tensor;
  /** One entry per tensor argument (empty when gradients were not requested). */
  grads: (Tensor | null)[];
}

type Kernel<O> = (call: KernelCall<O>) => KernelResult;

/** The untyped shape of every loss; each loss file narrows it to {@link Loss2} or {@link Loss3}. */
export type AnyLoss = ((...args: unknown[]) => Tensor) & { withGrad: (...args: unknown[]) => LossWithGrad };

/** The dtype of a result: that of the first floating argument (float32 if none). */
export function resultDtype(tensors: readonly Tensor[]): DType {
  for (const t of tensors) if (t.dtype !== 'int32') return t.dtype;
  return 'float32';
}

/**
 * Checks a caller-provided output array: a Float32Array (Float64Array for float64 `dtype`) of
 * `size` elements; `what` names whose size and dtype it must have.
 */
function checkInto(fn: string, name: string, value: unknown, dtype: DType, size: number, what: string): Float32Array | Float64Array {
  const wide = dtype === 'float64';
  if (!(wide ? value instanceof Float64Array : value instanceof Float32Array) || (value as Float32Array).length !== size) {
    throw new Error(`${fn}: ${name} must be a ${wide ? 'Float64Array' : 'Float32Array'} of ${size} elements (${what} size and dtype)`);
  }
  return value as Float32Array | Float64Array;
}

/** Copies a result into the caller's array (size and dtype checked) and wraps it as the result. */
function intoArray(fn: string, name: string, into: unknown, result: Tensor): Tensor {
  const array = checkInto(fn, name, into, result.dtype, result.size, "the loss's");
  array.set(result.data);
  return new Tensor(array, result.shape);
}

function overlaps(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}

/** The `argnums` option as one flag per argument (all true when absent). */
function checkArgnums(fn: string, value: unknown, argNames: readonly string[]): boolean[] {
  if (value === undefined) return argNames.map(() => true);
  const valid = Array.isArray(value) && value.every((k) => Number.isInteger(k) && k >= 0 && k < argNames.length);
  if (!valid) {
    const positions = argNames.map((arg, k) => `${k} (${arg})`).join(', ');
    throw new Error(`${fn}: argnums must be an array of argument positions among ${positions}, got ${JSON.stringify(value)}`);
  }
  return argNames.map((_, k) => (value as number[]).includes(k));
}

function checkGradInto(fn: string, value: unknown, input: Tensor): Float32Array | Float64Array | undefined {
  if (value === undefined) return undefined;
  return checkInto(fn, 'gradInto', value, input.dtype === 'float64' ? 'float64' : 'float32', input.size, "the first argument's");
}

/** The floating dtype of the first tensor or typed array among `values`, else float32. */
export function callDtype(values: readonly unknown[]): DType {
  for (const v of values) {
    if (v instanceof Tensor && v.dtype !== 'int32') return v.dtype;
    if (v instanceof Float64Array) return 'float64';
    if (v instanceof Float32Array) return 'float32';
  }
  return 'float32';
}

/** A gradient buffer (float64) turned into a tensor shaped and typed like its argument. */
export function gradTensor(grad: Float64Array, like: Tensor): Tensor {
  return new Tensor(typedArrayOf(like.dtype === 'int32' ? 'float32' : like.dtype, grad), like.shape);
}

/**
 * Builds a public loss from its kernel: argument conversion with named errors, option checking
 * (unknown names throw), and the `withGrad` twin that returns `{ loss, grad, grads }`.
 */
export function defineLoss<O extends object>(
  name: string,
  argNames: readonly string[],
  optionNames: readonly string[],
  kernel: Kernel<O>,
): AnyLoss {
  const run = (args: unknown[], wantGrad: boolean): KernelResult => {
    if (args.length > argNames.length + 1) {
      throw new Error(`${name}: expected ${argNames.join(', ')} and an options object, got ${args.length} arguments`);
    }
    const options = (args[argNames.length] ?? {}) as O & GradOptions & OutputOptions;
    checkOptions(name, args[argNames.length], wantGrad ? [...optionNames, 'lossInto', 'gradOutput', 'gradInto', 'argnums'] : [...optionNames, 'lossInto']);
    // Plain numbers and arrays take the dtype of the first tensor or typed array among the
    // arguments (float32 if there is none), so a float64 input never meets a float32-rounded target.
    const plainDtype = callDtype(args.slice(0, argNames.length));
    const tensors = argNames.map((arg, i) => asTensor(name, arg, args[i] as TensorLike, plainDtype));
    const wantGrads = wantGrad ? checkArgnums(name, options.argnums, argNames) : argNames.map(() => false);
    const gradInto = wantGrad ? checkGradInto(name, options.gradInto, tensors[0]) : undefined;
    // The kernels write gradInto while they still read their inputs: it must not overlap one.
    tensors.forEach((t, k) => {
      if (gradInto && overlaps(gradInto, t.data)) throw new Error(`${name}: gradInto shares memory with ${argNames[k]}`);
    });
    if (gradInto && !wantGrads[0]) throw new Error(`${name}: gradInto is the gradient of argument 0, which argnums leaves out`);
    const result = kernel({ tensors, options, wantGrad, wantGrads, gradOutput: wantGrad ? options.gradOutput : undefined, gradInto });
    if (wantGrad) result.grads = result.grads.map((g, k) => (wantGrads[k] ? g : null));
    if (options.lossInto !== undefined) result.loss = intoArray(name, 'lossInto', options.lossInto, result.loss);
    const first = result.grads[0];
    if (gradInto && first && first.data !== gradInto) {
      gradInto.set(first.data);
      result.grads[0] = new Tensor(gradInto, first.shape);
    }
    return result;
  };
  const loss = Object.assign((...args: unknown[]) => run(args, false).loss, {
    withGrad: (...args: unknown[]): LossWithGrad => {
      const { loss: value, grads } = run(args, true);
      return { loss: value, grad: grads[0], grads };
    },
  });
  Object.defineProperty(loss, 'name', { value: name });
  return loss;
}
