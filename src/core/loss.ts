import type { Definition, OptionSpec, TensorArg } from './catalog.js';
import { checkArity, readOptions } from './options.js';
import {
  asTensor,
  floatDtypeOf,
  memoryOf,
  Tensor,
  typedArrayKind,
  typedArrayOf,
  type DType,
  type FloatDType,
  type IntegerArray,
  type NestedNumbers,
  type TensorLike,
} from './tensor.js';

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

/** What every `withGrad` returns: `D` is the loss's dtype, `G` the type of `grad`, `T` that of `loss`. */
export interface LossWithGrad<D extends FloatDType = FloatDType, G extends Tensor | null = Tensor | null, T extends Tensor<D> = Tensor<D>> {
  /** The loss, exactly as the plain call returns it. */
  loss: T;
  /**
   * The gradient with respect to the first argument (`grads[0]`): never null unless `argnums`
   * leaves argument 0 out (an int32 first argument is differentiated as float32 data).
   */
  grad: G;
  /**
   * `grads[i]`: gradient of `sum(loss * gradOutput)` with respect to the i-th tensor argument,
   * shaped and typed like it; `null` where PyTorch does not differentiate (class indices, labels).
   */
  grads: (Tensor | null)[];
}

/** How an argument's type decides the dtypes of a call (see {@link ResultDType}). */
type ArgKind<V> = [V] extends [Float64Array | Tensor<'float64'>]
  ? 'float64'
  : [V] extends [Float32Array | Tensor<'float32'>]
    ? 'float32'
    : [V] extends [Int32Array | Tensor<'int32'> | IntegerArray]
      ? 'int'
      : [V] extends [NestedNumbers]
        ? 'plain'
        : 'unknown';

/** The dtype plain arrays take in a call: that of the first floating tensor or typed array (float32 if none). */
type PlainDType<A extends readonly unknown[]> = A extends readonly [infer H, ...infer R]
  ? ArgKind<H> extends 'float64' | 'float32'
    ? ArgKind<H>
    : ArgKind<H> extends 'unknown'
      ? FloatDType
      : PlainDType<R>
  : 'float32';

/**
 * The dtype of a loss called with arguments of types `A`: that of a float32 or float64 first
 * argument; for plain numbers and arrays, that of the first floating tensor or typed array among
 * the arguments (float32 if none); `FloatDType` when the types do not say (int32 data, `TensorLike`).
 */
export type ResultDType<A extends readonly unknown[]> = ArgKind<A[0]> extends 'float64' | 'float32'
  ? ArgKind<A[0]>
  : ArgKind<A[0]> extends 'plain'
    ? PlainDType<A>
    : FloatDType;

/** The dtype of the gradient with respect to argument 0: its own (float32 for int32 data). */
export type GradDType<A extends readonly unknown[]> = ArgKind<A[0]> extends 'int' ? 'float32' : ResultDType<A>;

/**
 * The type of `grad` for an `argnums` of type `N`: a tensor when `argnums` is absent or starts
 * with 0 (written in the call, e.g. `[0]`), else possibly null.
 */
export type GradOf<D extends FloatDType, N> = [N] extends [undefined]
  ? Tensor<D>
  : N extends readonly [0, ...number[]]
    ? Tensor<D>
    : Tensor<D> | null;

/** A 0-d tensor: what a loss returns under `'mean'`, `'sum'` and `'batchmean'`. */
export type Scalar<D extends DType = DType> = Tensor<D> & { readonly shape: [] };

/**
 * The loss tensor for a `reduction` of type `R`: 0-d when it is absent (the default `'mean'`) or
 * a reducing one written in the call, else (`'none'`, or a `Reduction` variable) any shape.
 */
export type LossOf<D extends FloatDType, R> = [R] extends [undefined]
  ? Scalar<D>
  : [R] extends ['mean' | 'sum' | 'batchmean']
    ? Scalar<D>
    : Tensor<D>;

/** `reduction` as a type parameter (`const`, so that `'none'` is seen as the literal it is). */
type ReductionParam = string | undefined;

/** `argnums` as a type parameter (a `const` one, so that `[0]` is seen as the tuple it is). */
type Argnums = readonly number[] | undefined;

/** A loss of two tensors, `f(input, target, options?)`, with `f.withGrad`. */
export interface Loss2<O> {
  <I extends TensorLike, T extends TensorLike, const R extends ReductionParam = undefined>(
    input: I,
    target: T,
    options?: O & OutputOptions & { reduction?: R },
  ): LossOf<ResultDType<[I, T]>, R>;
  withGrad<I extends TensorLike, T extends TensorLike, const N extends Argnums = undefined, const R extends ReductionParam = undefined>(
    input: I,
    target: T,
    options?: O & GradOptions & { argnums?: N; reduction?: R },
  ): LossWithGrad<ResultDType<[I, T]>, GradOf<GradDType<[I, T]>, N>, LossOf<ResultDType<[I, T]>, R>>;
}

/** A loss of three tensors, `f(a, b, c, options?)`, with `f.withGrad`. */
export interface Loss3<O> {
  <A extends TensorLike, B extends TensorLike, C extends TensorLike, const R extends ReductionParam = undefined>(
    a: A,
    b: B,
    c: C,
    options?: O & OutputOptions & { reduction?: R },
  ): LossOf<ResultDType<[A, B, C]>, R>;
  withGrad<A extends TensorLike, B extends TensorLike, C extends TensorLike, const N extends Argnums = undefined, const R extends ReductionParam = undefined>(
    a: A,
    b: B,
    c: C,
    options?: O & GradOptions & { argnums?: N; reduction?: R },
  ): LossWithGrad<ResultDType<[A, B, C]>, GradOf<GradDType<[A, B, C]>, N>, LossOf<ResultDType<[A, B, C]>, R>>;
}

/** A loss of four tensors (ctcLoss), `f(a, b, c, d, options?)`, with `f.withGrad`. */
export interface Loss4<O> {
  <A extends TensorLike, B extends TensorLike, C extends TensorLike, D extends TensorLike, const R extends ReductionParam = undefined>(
    a: A,
    b: B,
    c: C,
    d: D,
    options?: O & OutputOptions & { reduction?: R },
  ): LossOf<ResultDType<[A, B, C, D]>, R>;
  withGrad<A extends TensorLike, B extends TensorLike, C extends TensorLike, D extends TensorLike, const N extends Argnums = undefined, const R extends ReductionParam = undefined>(
    a: A,
    b: B,
    c: C,
    d: D,
    options?: O & GradOptions & { argnums?: N; reduction?: R },
  ): LossWithGrad<ResultDType<[A, B, C, D]>, GradOf<GradDType<[A, B, C, D]>, N>, LossOf<ResultDType<[A, B, C, D]>, R>>;
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

/** The untyped shape of every loss (what code that takes any loss, such as the command line's, calls). */
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
  if (typedArrayKind(value) !== (wide ? 'Float64Array' : 'Float32Array') || (value as Float32Array).length !== size) {
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

/**
 * Refuses outputs that share memory with anything the call reads or writes: the kernels write
 * `gradInto` while they still read the inputs and option arrays (gradOutput, weight, posWeight...),
 * and a `lossInto` over an input would overwrite the caller's data. Every typed array reachable
 * from the arguments and the options counts, whatever the loss does with it.
 */
function checkOutputsApart(
  fn: string,
  argNames: readonly string[],
  args: readonly unknown[],
  tensors: readonly Tensor[],
  options: Record<string, unknown>,
): void {
  const read: [string, ArrayBufferView][] = [];
  argNames.forEach((arg, k) => {
    read.push([arg, tensors[k].data]);
    for (const view of memoryOf(args[k])) read.push([arg, view]);
  });
  for (const key of Object.keys(options)) {
    if (key === 'gradInto' || key === 'lossInto') continue;
    for (const view of memoryOf(options[key])) read.push([key, view]);
  }
  const outputs = (['gradInto', 'lossInto'] as const).filter((key) => memoryOf(options[key]).length > 0);
  for (const out of outputs) {
    const view = options[out] as ArrayBufferView;
    for (const [what, other] of read) {
      if (overlaps(view, other)) throw new Error(`${fn}: ${out} shares memory with ${what}`);
    }
  }
  if (outputs.length === 2 && overlaps(options.gradInto as ArrayBufferView, options.lossInto as ArrayBufferView)) {
    throw new Error(`${fn}: lossInto shares memory with gradInto`);
  }
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

/** The floating dtype of the first tensor, typed array or tensor-like object among `values` that has one, else float32. */
function callDtype(values: readonly unknown[]): DType {
  for (const v of values) {
    const dtype = floatDtypeOf(v);
    if (dtype !== undefined) return dtype;
  }
  return 'float32';
}

/** A gradient buffer (float64) turned into a tensor shaped and typed like its argument. */
export function gradTensor(grad: Float64Array, like: Tensor): Tensor {
  return new Tensor(typedArrayOf(like.dtype === 'int32' ? 'float32' : like.dtype, grad), like.shape);
}

/**
 * An argument as a tensor. Plain numbers and arrays become `plainDtype`, except that a target-side
 * argument (not the first) holding an integer float32 cannot represent stays float64: class indices
 * beyond 2^24 or a target equal to an `ignoreIndex` of 2**32 + 1 would otherwise round onto another
 * index (PyTorch holds them as int64).
 */
function plainArgument(fn: string, arg: string, value: TensorLike, position: number, plainDtype: DType): Tensor {
  if (position === 0 || plainDtype !== 'float32' || !(typeof value === 'number' || Array.isArray(value))) return asTensor(fn, arg, value, plainDtype);
  const wide = asTensor(fn, arg, value, 'float64');
  const data = wide.data;
  for (let i = 0; i < data.length; i++) if (Number.isInteger(data[i]) && Math.fround(data[i]) !== data[i]) return wide;
  return new Tensor(Float32Array.from(data), wide.shape);
}

/** The definitions functions were built from (read by the catalogue), and whether each is a loss or an activation. */
const DEFINITIONS = new WeakMap<object, { definition: Definition; kind: 'loss' | 'activation' }>();

/** Records the definition of an activation (or of a loss not built by defineLoss) and returns the function. */
export function describe<F extends object>(fn: F, definition: Definition, kind: 'loss' | 'activation'): F {
  DEFINITIONS.set(fn, { definition, kind });
  return fn;
}

/** The definition a function was built from, if it is one of losskit's. */
export function definitionOf(fn: object): { definition: Definition; kind: 'loss' | 'activation' } | undefined {
  return DEFINITIONS.get(fn);
}

/** The option names a definition accepts: `reduction` (where it has reductions), then its own. */
export function optionNamesOf(definition: Definition, kind: 'loss' | 'activation' = 'loss'): string[] {
  const reductions = definition.reductions ?? (kind === 'loss' ? ['none'] : []);
  return [...(reductions.length > 0 ? ['reduction'] : []), ...Object.keys(definition.options)];
}

/**
 * A loss's definition typed by its options type `O` and its arguments `A`: the definition lists
 * exactly the options of `O` (besides `reduction`), so the options interface and the catalogue
 * cannot drift apart.
 */
export type DefinitionOf<O, A extends readonly TensorArg[]> = Omit<Definition, 'args' | 'options'> & {
  args: A;
  options: { readonly [K in Exclude<keyof O, 'reduction'>]-?: OptionSpec };
};

/** The type of a loss of the tensor arguments `A` and options `O`: {@link Loss2}, {@link Loss3} or {@link Loss4}. */
export type LossFor<A extends readonly unknown[], O> = A['length'] extends 2 ? Loss2<O> : A['length'] extends 3 ? Loss3<O> : A['length'] extends 4 ? Loss4<O> : never;

/**
 * Builds a public loss from its definition (name, arguments, options: the catalogue's metadata) and
 * its kernel: argument conversion with named errors, option checking (unknown names throw), and the
 * `withGrad` twin that returns `{ loss, grad, grads }`.
 */
export function defineLoss<O extends object, const A extends readonly TensorArg[]>(definition: DefinitionOf<O, A>, kernel: Kernel<O>): LossFor<A, O> {
  const { name } = definition;
  const argNames = definition.args.map((a) => a.name);
  const optionNames = optionNamesOf(definition);
  const run = (args: unknown[], wantGrad: boolean): KernelResult => {
    checkArity(name, args, [...argNames, 'options']);
    const valid = wantGrad ? [...optionNames, 'lossInto', 'gradOutput', 'gradInto', 'argnums'] : [...optionNames, 'lossInto'];
    const options = readOptions(name, args[argNames.length], valid) as O & GradOptions & OutputOptions;
    // Plain numbers and arrays take the dtype of the first tensor or typed array among the
    // arguments (float32 if there is none), so a float64 input never meets a float32-rounded target.
    const plainDtype = callDtype(args.slice(0, argNames.length));
    const tensors = argNames.map((arg, i) => plainArgument(name, arg, args[i] as TensorLike, i, plainDtype));
    const wantGrads = wantGrad ? checkArgnums(name, options.argnums, argNames) : argNames.map(() => false);
    const gradInto = wantGrad ? checkGradInto(name, options.gradInto, tensors[0]) : undefined;
    checkOutputsApart(name, argNames, args, tensors, options as Record<string, unknown>);
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
      return { loss: value as Tensor<FloatDType>, grad: grads[0], grads };
    },
  });
  Object.defineProperty(loss, 'name', { value: name });
  // The one cast of a loss's type: run() checked the arguments and options the signature promises.
  return describe(loss, definition as Definition, 'loss') as unknown as LossFor<A, O>;
}
