import type { Definition, TensorArg, TensorOptionSpec } from './catalog.js';
import { defineLoss, resultDtype, type DefinitionOf, type KernelCall, type KernelResult, type LossFor } from './loss.js';
import { gradOf } from './grad-buffer.js';
import { checkReduction, Reducer } from './reduction.js';
import { assertSameShape, broadcastMap, checkBroadcast, sameShape, shapeString } from './shape.js';
import { asTensor, numel, Tensor, type DType, type TensorLike } from './tensor.js';
import { kernelsFor, weightsFitKernels } from '../kernels/backend.js';
import { elementwiseWasm, resultArray, type ElementwiseKernel, type KernelDtype, type Operand } from '../kernels/wasm.js';

/**
 * One element of an elementwise loss: writes the loss to out[0] and its partial derivatives with
 * respect to the operands a, b, c to out[1], out[2], out[3] (only read where a gradient is wanted).
 * The derivative sits next to the value and reuses what the value computed.
 */
export type Pointwise<P> = (a: number, b: number, c: number, params: P, out: Float64Array) => void;

/**
 * An elementwise loss: its definition (the catalogue's metadata: name, reference, arguments, options
 * including `weight` and `posWeight`, reductions, plot; `items: 'rows'` where a loss item is the
 * mean of a row's element losses) and how to compute it.
 */
export interface ElementwiseSpec<P, O, A extends readonly TensorArg[]> extends Omit<DefinitionOf<O, A>, 'items' | 'kernels'> {
  /**
   * The loss items: the elements (default), or the rows of the last dimension, each the mean of
   * its elements' losses (`loss_n = Σ_c ℓ(x_nc, y_nc) / C`, as F.multilabel_soft_margin_loss): the
   * result is then shaped `[*]` for an input `[*, C]`.
   */
  items?: 'elements' | 'rows';
  /** For `items: 'rows'`: what the last axis is, in the error on a 0-d input (default 'classes on the last'). */
  axis?: string;
  /**
   * Validates the options and returns what `pointwise` needs (its parameter's type is the loss's
   * options type), from the tensors too where the formula depends on their values as a whole.
   */
  params: (options: O, tensors: readonly Tensor[]) => P;
  /** The reference: the specification of the loss, which the kernel must agree with (the differential suite checks it). */
  pointwise: Pointwise<P>;
  /** Shape rules for arguments that may broadcast to the input's shape (returns the shape to broadcast from). */
  broadcastArg?: (index: number, t: Tensor, input: Tensor) => readonly number[] | null;
  /**
   * Range checks on the tensors before anything is computed: they throw, naming the first element
   * out of range. `from`: the first element (of the input) to check; elements before it are known good.
   */
  check?: (tensors: readonly Tensor[], params: P, from: number) => void;
  /**
   * The WebAssembly SIMD kernel of this loss (float32 or float64 lanes, src/kernels/assembly/
   * elementwise.ts) and its two scalar parameters for a dtype, or null where the kernel cannot
   * take them (a parameter outside float32's normal range, say): the TypeScript path runs then.
   * `checks`: the kernel makes the loss of every element `check` refuses NaN, so its total is
   * not finite. A call that writes into no array of the caller's (no `gradInto`) then runs the
   * kernel first and `check` only where the total is not finite (and on the tail the kernel leaves
   * to the reference): the check is then one more comparison in the kernel's loop, not a scan.
   */
  wasm?: { kernel: ElementwiseKernel; params: (params: P, dtype: KernelDtype) => readonly [number, number] | null; checks?: boolean };
}

/** A spec as the paths read it (its options type no longer matters there). */
type Spec<P> = ElementwiseSpec<P, never, readonly TensorArg[]>;

/** What the engine reads from a spec's definition, derived once per loss. */
interface Derived {
  argNames: string[];
  differentiable: boolean[];
  /** `weight`: same shape as input (as F.l1_loss) or broadcast (as F.binary_cross_entropy), and what its 'mean' divides by. */
  weightRule: 'exact' | 'broadcast' | undefined;
  weightedMean: 'weightSum' | 'count';
  /** Another tensor option (posWeight), broadcast to the input and passed as operand c. */
  auxOption: { name: string; fallback: number } | undefined;
  rows: boolean;
  /** The error on a 0-d input of a loss over rows. */
  axis: string;
}

function derive(spec: { args: readonly TensorArg[]; options: Definition['options']; items?: 'elements' | 'rows'; axis?: string }): Derived {
  const specs = spec.options;
  const weightSpec = specs.weight as TensorOptionSpec | undefined;
  const auxName = Object.keys(specs).find((k) => k !== 'weight' && specs[k].type === 'tensor');
  return {
    argNames: spec.args.map((a) => a.name),
    differentiable: spec.args.map((a) => a.differentiable),
    weightRule: weightSpec ? (weightSpec.broadcast ? 'broadcast' : 'exact') : undefined,
    weightedMean: weightSpec?.mean === 'weights' ? 'weightSum' : 'count',
    auxOption: auxName ? { name: auxName, fallback: (specs[auxName] as TensorOptionSpec).default as number } : undefined,
    rows: spec.items === 'rows',
    axis: spec.axis ?? 'classes on the last',
  };
}

/** Whether a scalar parameter keeps its meaning in float32: 0, or a normal float32 (finite). */
export function fitsFloat32(v: number): boolean {
  const r = Math.abs(Math.fround(v));
  return v === 0 || (r >= 2 ** -126 && r !== Infinity);
}

/** A broadcast operand: its data and the shape it broadcasts from (its index map is built only where a path needs it). */
type OptionOperand = { data: ArrayLike<number>; shape: readonly number[] } | null;

/** Everything a call needs, whichever path computes it. */
interface Prepared<P> {
  tensors: Tensor[];
  input: Tensor;
  n: number;
  params: P;
  reduction: 'none' | 'mean' | 'sum' | 'batchmean';
  /** Per tensor argument: the shape it broadcasts from, or null (the input's shape). */
  from: (readonly number[] | null)[];
  /** Are the loss items rows (see ElementwiseSpec.items)? */
  rows: boolean;
  /** The length of a loss item: C for rows, else 1. */
  rowLength: number;
  /** Operand c where neither a third argument nor the aux option gives one (posWeight's 1). */
  cFallback: number;
  weight: OptionOperand;
  aux: OptionOperand;
  reducer: Reducer;
  dtype: DType;
  /** Per tensor argument: is its gradient computed? */
  wanted: boolean[];
  wantGrad: boolean;
  gradInto: Float32Array | Float64Array | undefined;
}

/**
 * How the WebAssembly kernels read a broadcast operand: whole; as a pattern along the last
 * dimensions (a weight per class, `[C]` or `[1, C]`); each element repeated over the last
 * dimensions (a variance per row, `[N, 1]`); or through its index map (any other broadcast).
 */
function asOperand(data: ArrayLike<number>, from: readonly number[] | null, input: Tensor): Operand {
  if (!from || sameShape(from, input.shape)) return { data, periodic: false, repeat: 1, map: null };
  const shape = [...from];
  while (shape.length > 0 && shape[0] === 1) shape.shift();
  if (shape.length > 0 && sameShape(shape, input.shape.slice(input.shape.length - shape.length))) return { data, periodic: true, repeat: 1, map: null };
  // [..., d_k, 1, ..., 1] against [..., d_k, D_k+1, ...]: element i is data[floor(i / repeat)].
  const aligned = [...Array<number>(input.shape.length - from.length).fill(1), ...from];
  let k = aligned.length;
  while (k > 0 && aligned[k - 1] === 1) k--;
  if (sameShape(aligned.slice(0, k), input.shape.slice(0, k))) return { data, periodic: false, repeat: numel(input.shape.slice(k)), map: null };
  return { data, periodic: false, repeat: 1, map: broadcastMap('', '', from, input.shape) };
}

/** Operand maps, option tensors, checks, the denominator and the reducer: shared by both paths. */
function prepare<P>(spec: Spec<P>, d: Derived, call: KernelCall<unknown>): Prepared<P> {
  const fn = spec.name;
  const reductions = spec.reductions ?? (['none', 'mean', 'sum'] as const);
  const { tensors, wantGrad } = call;
  const options = call.options as Record<string, unknown>;
  const input = tensors[0];
  const n = input.size;
  const reduction = checkReduction(fn, options.reduction, reductions, 'mean');
  if (d.rows && input.shape.length === 0) throw new Error(`${fn}: input must have at least 1 dimension (${d.axis}), got shape []`);
  // Operands b and c: same shape as the input, or broadcast where the loss allows it.
  const from: (readonly number[] | null)[] = tensors.map((t, k) => {
    if (k === 0) return null;
    const shape = spec.broadcastArg?.(k, t, input);
    if (shape) {
      checkBroadcast(fn, d.argNames[k], shape, input.shape);
      return sameShape(shape, input.shape) ? null : shape;
    }
    assertSameShape(fn, d.argNames[k], t, d.argNames[0], input);
    return null;
  });
  const params = spec.params(call.options as never, tensors);
  const weight = d.weightRule ? optionTensor(fn, 'weight', options.weight, input, d.weightRule) : null;
  const aux = d.auxOption ? optionTensor(fn, d.auxOption.name, options[d.auxOption.name], input, 'broadcast') : null;
  const dtype = resultDtype(tensors);
  let denominator: number | undefined;
  if (reduction === 'batchmean') denominator = input.shape.length > 0 ? input.shape[0] : 1;
  else if (weight && d.weightedMean === 'weightSum') {
    // 'exact' weights (the input's shape): summed in order, as the items are.
    denominator = 0;
    for (let i = 0; i < n; i++) denominator += weight.data[i];
  }
  const rowLength = d.rows ? input.shape[input.shape.length - 1] : 1;
  const itemShape = d.rows ? input.shape.slice(0, -1) : input.shape;
  const reducer = new Reducer(fn, reduction === 'batchmean' ? 'mean' : reduction, itemShape, dtype, denominator);
  if (wantGrad) reducer.setGradOutput(call.gradOutput);
  // int32 data is differentiated as float32 data (its gradient is float32, as gradTensor gives).
  const wanted = tensors.map((_, k) => call.wantGrads[k] && d.differentiable[k]);
  return { tensors, input, n, params, reduction, from, rows: d.rows, rowLength, cFallback: d.auxOption?.fallback ?? 0, weight, aux, reducer, dtype, wanted, wantGrad, gradInto: call.gradInto };
}

/**
 * The upstream gradient of each element: the reducer's (one number, or one per item), divided by
 * the row length for `rows` (each element is 1/C of its row's loss), one per element.
 */
function elementUpstreams(prep: Prepared<unknown>): number | ArrayLike<number> {
  const u = prep.reducer.upstreams();
  const C = prep.rowLength;
  if (C === 1) return u;
  if (typeof u === 'number') return u / C;
  const out = new Float64Array(prep.n);
  for (let r = 0; r < u.length; r++) out.fill(u[r] / C, r * C, r * C + C);
  return out;
}

/**
 * The per-item losses from the per-element ones: themselves, or for `rows` each row's mean (NaN
 * for rows of length 0, 0 / 0 as PyTorch's and Keras's means).
 */
function itemLosses(prep: Prepared<unknown>, elements: ArrayLike<number>): Float64Array {
  const C = prep.rowLength;
  if (C === 1) return elements instanceof Float64Array ? elements : new Float64Array(elements);
  const rows = new Float64Array(numel(prep.reducer.itemShape));
  for (let r = 0; r < rows.length; r++) {
    let sum = 0;
    for (let i = r * C; i < r * C + C; i++) sum += elements[i];
    rows[r] = sum / C;
  }
  return rows;
}

/** What the kernel path runs on: the kernel, its dtype and parameters, and the operands it reads. */
interface KernelPlan {
  kernel: ElementwiseKernel;
  dtype: KernelDtype;
  p1: number;
  p2: number;
  c: Operand | null;
  weight: Operand | null;
}

/**
 * The one decision whether a call runs a kernel: the loss has one; the input is float32 (every
 * tensor float32, since float32 lanes would round anything wider) or float64 (any other operand
 * converts exactly); the second argument has the input's shape; the parameters suit the dtype;
 * float32 weights within the kernels' range (KERNEL_WEIGHT_RANGE); and the backend chooses
 * WebAssembly for this size (backend.ts: kernelsFor).
 */
function canUseKernel<P>(spec: Spec<P>, prep: Prepared<P>): KernelPlan | null {
  if (!spec.wasm) return null;
  const { tensors, input, from, weight, aux } = prep;
  const dtype = input.dtype;
  if (dtype === 'int32' || from[1] !== null) return null;
  if (dtype === 'float32' && (!tensors.every((t) => t.dtype === 'float32') || !weightsFitKernels(weight?.data) || !weightsFitKernels(aux?.data))) return null;
  const params = spec.wasm.params(prep.params, dtype);
  if (params === null) return null;
  if (!kernelsFor(prep.n)) return null;
  let third = tensors.length > 2 ? asOperand(tensors[2].data, from[2], input) : aux ? asOperand(aux.data, aux.shape, input) : null;
  // A broadcast third argument's gradient is added up per element of it: through a map or a repeat, not a pattern.
  if (third?.periodic && tensors.length > 2) third = { ...third, periodic: false, map: broadcastMap('', '', from[2]!, input.shape) };
  return { kernel: spec.wasm.kernel, dtype, p1: params[0], p2: params[1], c: third, weight: weight ? asOperand(weight.data, weight.shape, input) : null };
}

/**
 * The kernel path: the kernel on the first n − (n mod 4) elements, the pointwise reference on the
 * rest, results written directly in the dtype (the first gradient into the caller's gradInto).
 * Returns null where the kernel's total is not finite — a NaN/inf among the operands, or a float32
 * intermediate that overflowed where float64 stays finite ((x − t)² past 3.4e38, inf · a zero
 * weight): the reference path then redoes the call in float64.
 */
function runKernel<P>(spec: Spec<P>, prep: Prepared<P>, plan: KernelPlan, kernelChecks: boolean): KernelResult | null {
  const { tensors, n, reducer, reduction, wanted, params } = prep;
  const { dtype } = plan;
  const upstream = !prep.wantGrad ? 0 : elementUpstreams(prep);
  // A mean's 1 / Σ w beyond float32 (weights of 1e-40) would be inf in the kernel.
  if (dtype === 'float32' && typeof upstream === 'number' && !Number.isFinite(Math.fround(upstream))) return null;
  const first = n & ~3;
  const c = plan.c;
  // The third argument's gradient, when it is broadcast, is added up (in float64) per element of it.
  const summedC = tensors.length > 2 && prep.from[2] !== null;
  const grads = tensors.map((t, k) => {
    if (!wanted[k]) return null;
    if (k === 2 && summedC) return new Float64Array(t.size);
    const into = prep.gradInto;
    if (k === 0 && into && (dtype === 'float32' ? into instanceof Float32Array : into instanceof Float64Array)) return into;
    return resultArray(t.size, dtype);
  });
  // Per-element losses: the result under 'none' (of rows: their means are taken below).
  const losses = reduction === 'none' ? (prep.rows ? new Float64Array(n) : resultArray(n, dtype)) : null;
  const total = elementwiseWasm({
    kernel: plan.kernel,
    dtype,
    x: tensors[0].data as Float32Array | Float64Array,
    t: tensors[1].data,
    c,
    weight: plan.weight,
    n: first,
    p1: plan.p1,
    p2: plan.p2,
    upstream,
    gx: grads[0],
    gt: grads[1],
    gc: grads[2] && c ? { into: grads[2], operand: c } : null,
    losses,
  });
  if (!Number.isFinite(total)) return null;
  // The tail (fewer than 4 elements): the reference, into the same results.
  if (kernelChecks && first < n) spec.check?.(tensors, params, first);
  const [A, B] = [tensors[0].data, tensors[1].data];
  const cFallback = prep.cFallback;
  const out = new Float64Array(4);
  let tail = 0;
  for (let i = first; i < n; i++) {
    const ci = c ? operandIndex(c, i) : 0;
    spec.pointwise(A[i], B[i], c ? c.data[ci] : cFallback, params, out);
    const w = plan.weight ? plan.weight.data[operandIndex(plan.weight, i)] : 1;
    if (losses) losses[i] = out[0] * w;
    else tail += out[0] * w;
    if (!prep.wantGrad) continue;
    const u = (typeof upstream === 'number' ? upstream : upstream[i]) * w;
    if (grads[0]) grads[0][i] = out[1] * u;
    if (grads[1]) grads[1][i] = out[2] * u;
    if (grads[2]) {
      if (summedC) grads[2][ci] += out[3] * u;
      else grads[2][i] = out[3] * u;
    }
  }
  if (!Number.isFinite(tail)) return null;
  let loss: Tensor;
  if (losses) loss = prep.rows ? reducer.reduce(itemLosses(prep, losses)) : new Tensor(losses, prep.input.shape);
  else loss = reducer.reduce(Float64Array.of((total + tail) / prep.rowLength));
  return { loss, grads: grads.map((g, k) => gradOf(g, tensors[k])) };
}

/** Where element i of the input reads a kernel operand. */
function operandIndex(op: Operand, i: number): number {
  if (op.map) return op.map[i];
  if (op.periodic) return i % op.data.length;
  return op.repeat === 1 ? i : Math.floor(i / op.repeat);
}

/**
 * An operand as the reference loop reads it, element i at i: the data itself, or a broadcast
 * one expanded through its index map (float64).
 */
function dense(data: ArrayLike<number>, from: readonly number[] | null, input: Tensor): ArrayLike<number> {
  if (!from) return data;
  const map = broadcastMap('', '', from, input.shape);
  if (!map) return data;
  const out = new Float64Array(map.length);
  for (let i = 0; i < map.length; i++) out[i] = data[map[i]];
  return out;
}

/**
 * The reference path, float64 throughout (results rounded once to the dtype): every operand read
 * element i at i (broadcast ones expanded first, so that no index map is read per element), one
 * loop over the elements calling the loss's `pointwise`; gradients of broadcast operands are added
 * up through their maps afterwards.
 */
function runReference<P>(spec: Spec<P>, prep: Prepared<P>): KernelResult {
  const { tensors, input, n, from, params, reducer, wanted, wantGrad } = prep;
  const A = tensors[0].data;
  const B = dense(tensors[1].data, from[1], input);
  const third = tensors.length > 2 ? dense(tensors[2].data, from[2], input) : prep.aux ? dense(prep.aux.data, prep.aux.shape, input) : null;
  const cFallback = prep.cFallback;
  const W = prep.weight ? dense(prep.weight.data, prep.weight.shape, input) : null;
  // Per-element gradients (a broadcast operand's are added up into its shape below).
  const [g0, g1, g2] = [0, 1, 2].map((k) => (wanted[k] ? new Float64Array(n) : null));
  const items = new Float64Array(n);
  const upstreams = wantGrad ? elementUpstreams(prep) : 0;
  const scalar = typeof upstreams === 'number' ? upstreams : 0;
  const perElement = typeof upstreams === 'number' ? null : upstreams;
  const pointwise = spec.pointwise;
  const out = new Float64Array(4);
  for (let i = 0; i < n; i++) {
    pointwise(A[i], B[i], third ? third[i] : cFallback, params, out);
    const w = W ? W[i] : 1;
    items[i] = out[0] * w;
    if (!wantGrad) continue;
    const u = (perElement ? perElement[i] : scalar) * w;
    if (g0) g0[i] = out[1] * u;
    if (g1) g1[i] = out[2] * u;
    if (g2) g2[i] = out[3] * u;
  }
  const grads = [g0, g1, g2].slice(0, tensors.length).map((g, k) => {
    if (!g) return null;
    const map = from[k] ? broadcastMap('', '', from[k]!, input.shape) : null;
    let full = g;
    if (map) {
      full = new Float64Array(tensors[k].size);
      for (let i = 0; i < n; i++) full[map[i]] += g[i];
    }
    return gradOf(full, tensors[k]);
  });
  return { loss: reducer.reduce(itemLosses(prep, items)), grads: wantGrad ? grads : [] };
}

/** Builds an elementwise loss (every element of the inputs contributes one loss item, or a share of its row's). */
export function elementwiseLoss<P, O extends object, const A extends readonly TensorArg[]>(spec: ElementwiseSpec<P, O, A>): LossFor<A, O> {
  const d = derive(spec);
  const kernels = spec.wasm ? [`${spec.wasm.kernel}_f32`, `${spec.wasm.kernel}_f64`] : [];
  const definition: DefinitionOf<O, A> = { ...spec, kernels, items: d.rows ? 'rows' : 'elements' };
  const paths = spec as unknown as Spec<P>;
  return defineLoss(definition, (call: KernelCall<O>) => {
    const prep = prepare(paths, d, call);
    const plan = canUseKernel(paths, prep);
    // Checked by the kernel (wasm.checks) unless the kernel would write into the caller's gradInto
    // before its total tells of a bad element: that array is left untouched when a call throws.
    const kernelChecks = plan !== null && paths.wasm?.checks === true && !prep.gradInto;
    if (!kernelChecks) paths.check?.(prep.tensors, prep.params, 0);
    const result = plan && runKernel(paths, prep, plan, kernelChecks);
    if (result) return result;
    if (kernelChecks) paths.check?.(prep.tensors, prep.params, 0);
    return runReference(paths, prep);
  });
}

/** An option tensor (weight, posWeight) with the index map that broadcasts it to the input. */
function optionTensor(fn: string, name: string, value: unknown, input: Tensor, rule: 'exact' | 'broadcast'): OptionOperand {
  if (value === undefined || value === null) return null;
  const t = asTensor(fn, name, value as TensorLike, resultDtype([input]));
  if (rule === 'exact' && !sameShape(t.shape, input.shape)) {
    throw new Error(`${fn}: ${name} shape ${shapeString(t.shape)} does not match input shape ${shapeString(input.shape)}`);
  }
  checkBroadcast(fn, name, t.shape, input.shape);
  return { data: t.data, shape: t.shape };
}
