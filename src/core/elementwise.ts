import { defineLoss, resultDtype, type KernelCall, type KernelResult } from './loss.js';
import { checkReduction, Reducer } from './reduction.js';
import { assertSameShape, broadcastMap, sameShape, shapeString } from './shape.js';
import { asTensor, Tensor, typedArrayOf, type DType, type TensorLike } from './tensor.js';
import { kernelsFor, weightsFitKernels } from '../kernels/backend.js';
import { elementwiseWasm, resultArray, type ElementwiseKernel, type KernelDtype, type Operand } from '../kernels/wasm.js';

/**
 * One element of an elementwise loss: writes the loss to out[0] and its partial derivatives with
 * respect to the operands a, b, c to out[1], out[2], out[3] (only read where a gradient is wanted).
 * The derivative sits next to the value and reuses what the value computed.
 */
export type Pointwise<P> = (a: number, b: number, c: number, params: P, out: Float64Array) => void;

export interface ElementwiseSpec<P> {
  name: string;
  /** Names of the tensor arguments, in order (2 or 3). */
  args: readonly string[];
  /** Which tensor arguments PyTorch differentiates. */
  differentiable: readonly boolean[];
  /** Option names other than 'reduction' and 'weight' (those two are always accepted where applicable). */
  options: readonly string[];
  /** Validates the options and returns what `pointwise` needs. */
  params: (options: Record<string, unknown>) => P;
  /** The reference: the specification of the loss, which the kernel must agree with (the differential suite checks it). */
  pointwise: Pointwise<P>;
  /**
   * The `weight` option: 'exact' (same shape as input, as F.l1_loss), 'broadcast' (numpy
   * broadcasting to the input shape, as F.binary_cross_entropy), or absent.
   */
  weight?: 'exact' | 'broadcast';
  /** What a weighted 'mean' divides by: the element count (default) or the sum of the weights. */
  weightedMean?: 'count' | 'weightSum';
  /** An option tensor broadcast to the input shape and passed as operand c (posWeight). */
  auxOption?: { name: string; fallback: number };
  /** Shape rules for arguments that may broadcast to the input's shape (returns the shape to broadcast from). */
  broadcastArg?: (index: number, t: Tensor, input: Tensor) => readonly number[] | null;
  /** Accepts 'batchmean' (sum divided by the size of the first dimension), as F.kl_div. */
  batchmean?: boolean;
  /** Range checks on the tensors before anything is computed. */
  check?: (tensors: readonly Tensor[], params: P) => void;
  /**
   * The WebAssembly SIMD kernel of this loss (float32 or float64 lanes, src/kernels/assembly/
   * elementwise.ts) and its two scalar parameters for a dtype, or null where the kernel cannot
   * take them (a parameter outside float32's normal range, say): the TypeScript path runs then.
   */
  wasm?: { kernel: ElementwiseKernel; params: (params: P, dtype: KernelDtype) => readonly [number, number] | null };
}

/** Whether a scalar parameter keeps its meaning in float32: 0, or a normal float32 (finite). */
export function fitsFloat32(v: number): boolean {
  const r = Math.abs(Math.fround(v));
  return v === 0 || (r >= 2 ** -126 && r !== Infinity);
}

type OptionOperand = { data: ArrayLike<number>; map: Int32Array | null; shape: number[] } | null;

/** Everything a call needs, whichever path computes it. */
interface Prepared<P> {
  tensors: Tensor[];
  input: Tensor;
  n: number;
  params: P;
  reduction: 'none' | 'mean' | 'sum' | 'batchmean';
  /** Per tensor argument: the index map broadcasting it to the input, or null (same shape). */
  maps: (Int32Array | null)[];
  weight: OptionOperand;
  aux: OptionOperand;
  reducer: Reducer;
  dtype: DType;
  /** Per tensor argument: is its gradient computed? */
  wanted: boolean[];
  wantGrad: boolean;
  gradInto: Float32Array | Float64Array | undefined;
}

/** How the WebAssembly kernels can read an option tensor or third argument: whole, as a pattern along the last dimensions, or through its map. */
function asOperand(op: OptionOperand, input: Tensor): Operand | null {
  if (!op) return null;
  if (!op.map) return { data: op.data, periodic: false, map: null };
  const shape = [...op.shape];
  while (shape.length > 0 && shape[0] === 1) shape.shift();
  const suffix = input.shape.slice(input.shape.length - shape.length);
  if (shape.length > 0 && sameShape(shape, suffix)) return { data: op.data, periodic: true, map: null };
  return { data: op.data, periodic: false, map: op.map };
}

/** Operand maps, option tensors, checks, the denominator and the reducer: shared by both paths. */
function prepare<P>(spec: ElementwiseSpec<P>, call: KernelCall<Record<string, unknown>>, reductions: readonly ('none' | 'mean' | 'sum' | 'batchmean')[]): Prepared<P> {
  const fn = spec.name;
  const { tensors, options, wantGrad } = call;
  const input = tensors[0];
  const n = input.size;
  const params = spec.params(options);
  const reduction = checkReduction(fn, options.reduction, reductions, 'mean');
  // Operands b and c: same shape as the input, or broadcast where the loss allows it.
  const maps: (Int32Array | null)[] = tensors.map((t, k) => {
    if (k === 0) return null;
    const from = spec.broadcastArg?.(k, t, input);
    if (from) return broadcastMap(fn, spec.args[k], from, input.shape);
    assertSameShape(fn, spec.args[k], t, spec.args[0], input);
    return null;
  });
  const weight = spec.weight ? optionTensor(fn, 'weight', options.weight, input, spec.weight) : null;
  const aux = spec.auxOption ? optionTensor(fn, spec.auxOption.name, options[spec.auxOption.name], input, 'broadcast') : null;
  spec.check?.(tensors, params);
  const dtype = resultDtype(tensors);
  let denominator: number | undefined;
  if (reduction === 'batchmean') denominator = input.shape.length > 0 ? input.shape[0] : 1;
  else if (weight && spec.weightedMean === 'weightSum') {
    denominator = 0;
    for (let i = 0; i < n; i++) denominator += weight.data[weight.map ? weight.map[i] : i];
  }
  const reducer = new Reducer(fn, reduction === 'batchmean' ? 'mean' : reduction, input.shape, dtype, denominator);
  if (wantGrad) reducer.setGradOutput(call.gradOutput);
  // int32 data is differentiated as float32 data (its gradient is float32, as gradTensor gives).
  const wanted = tensors.map((_, k) => call.wantGrads[k] && spec.differentiable[k]);
  return { tensors, input, n, params, reduction, maps, weight, aux, reducer, dtype, wanted, wantGrad, gradInto: call.gradInto };
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
function canUseKernel<P>(spec: ElementwiseSpec<P>, prep: Prepared<P>): KernelPlan | null {
  if (!spec.wasm) return null;
  const { tensors, input, maps, weight, aux } = prep;
  const dtype = input.dtype;
  if (dtype === 'int32' || maps[1] !== null) return null;
  if (dtype === 'float32' && (!tensors.every((t) => t.dtype === 'float32') || !weightsFitKernels(weight?.data) || !weightsFitKernels(aux?.data))) return null;
  const params = spec.wasm.params(prep.params, dtype);
  if (params === null) return null;
  if (!kernelsFor(prep.n)) return null;
  // A broadcast third argument is read through its map (never as a pattern): its gradient is added up through the same map.
  const third = tensors.length > 2 ? { data: tensors[2].data, periodic: false, map: maps[2] } : asOperand(aux, input);
  return { kernel: spec.wasm.kernel, dtype, p1: params[0], p2: params[1], c: third, weight: asOperand(weight, input) };
}

/** A gradient array of the path's dtype as the gradient of `like` (float64 into float32 data rounds once). */
function gradOf(g: Float32Array | Float64Array, like: Tensor): Tensor {
  const dtype = like.dtype === 'int32' ? 'float32' : like.dtype;
  return new Tensor(dtype === 'float64' ? (g instanceof Float64Array ? g : Float64Array.from(g)) : g instanceof Float32Array ? g : (typedArrayOf('float32', g) as Float32Array), like.shape);
}

/**
 * The kernel path: the kernel on the first n − (n mod 4) elements, the pointwise reference on the
 * rest, results written directly in the dtype (the first gradient into the caller's gradInto).
 * Returns null where the kernel's total is not finite — a NaN/inf among the operands, or a float32
 * intermediate that overflowed where float64 stays finite ((x − t)² past 3.4e38, inf · a zero
 * weight): the reference path then redoes the call in float64.
 */
function runKernel<P>(spec: ElementwiseSpec<P>, prep: Prepared<P>, plan: KernelPlan): KernelResult | null {
  const { tensors, n, reducer, reduction, wanted, params } = prep;
  const { dtype } = plan;
  const upstream = !prep.wantGrad ? 0 : reducer.upstreams();
  // A mean's 1 / Σ w beyond float32 (weights of 1e-40) would be inf in the kernel.
  if (dtype === 'float32' && typeof upstream === 'number' && !Number.isFinite(Math.fround(upstream))) return null;
  const first = n & ~3;
  const mappedC = plan.c?.map ?? null;
  const grads = tensors.map((t, k) => {
    if (!wanted[k]) return null;
    if (k === 2 && mappedC) return new Float64Array(t.size); // added up per element of the broadcast operand
    const into = prep.gradInto;
    if (k === 0 && into && (dtype === 'float32' ? into instanceof Float32Array : into instanceof Float64Array)) return into;
    return resultArray(t.size, dtype);
  });
  const losses = reduction === 'none' ? resultArray(n, dtype) : null;
  const total = elementwiseWasm({
    kernel: plan.kernel,
    dtype,
    x: tensors[0].data as Float32Array | Float64Array,
    t: tensors[1].data,
    c: plan.c,
    weight: plan.weight,
    n: first,
    p1: plan.p1,
    p2: plan.p2,
    upstream,
    gx: grads[0],
    gt: grads[1],
    gc: grads[2] ? { into: grads[2], map: mappedC } : null,
    losses,
  });
  if (!Number.isFinite(total)) return null;
  // The tail (fewer than 4 elements): the reference, into the same results.
  const [A, B] = [tensors[0].data, tensors[1].data];
  const C = tensors.length > 2 ? tensors[2].data : prep.aux?.data ?? null;
  const mapC = tensors.length > 2 ? prep.maps[2] : prep.aux?.map ?? null;
  const W = prep.weight;
  const cFallback = spec.auxOption?.fallback ?? 0;
  const out = new Float64Array(4);
  let tail = 0;
  for (let i = first; i < n; i++) {
    spec.pointwise(A[i], B[i], C ? C[mapC ? mapC[i] : i] : cFallback, params, out);
    const w = W ? W.data[W.map ? W.map[i] : i] : 1;
    if (losses) losses[i] = out[0] * w;
    else tail += out[0] * w;
    if (!prep.wantGrad) continue;
    const u = reducer.upstream(i) * w;
    if (grads[0]) grads[0][i] = out[1] * u;
    if (grads[1]) grads[1][i] = out[2] * u;
    if (grads[2]) grads[2][mapC ? mapC[i] : i] += out[3] * u;
  }
  if (!Number.isFinite(tail)) return null;
  return {
    loss: losses ? new Tensor(losses, prep.input.shape) : reducer.reduce(Float64Array.of(total + tail)),
    grads: grads.map((g, k) => (g ? gradOf(g, tensors[k]) : null)),
  };
}

/** A float64 copy of an operand, broadcast through its map: the reference loop reads one kind of array, element i at i. */
function dense(data: ArrayLike<number>, map: Int32Array | null): Float64Array {
  if (!map) return data instanceof Float64Array ? data : Float64Array.from(data);
  const out = new Float64Array(map.length);
  for (let i = 0; i < map.length; i++) out[i] = data[map[i]];
  return out;
}

/**
 * The reference path, float64 throughout (results rounded once to the dtype): every operand as a
 * dense Float64Array (broadcast ones expanded), then one loop over the elements calling the loss's
 * `pointwise`; gradients of broadcast operands are added up through their maps afterwards.
 */
function runReference<P>(spec: ElementwiseSpec<P>, prep: Prepared<P>): KernelResult {
  const { tensors, n, maps, params, reducer, wanted, wantGrad } = prep;
  const A = dense(tensors[0].data, null);
  const B = dense(tensors[1].data, maps[1]);
  const third = tensors.length > 2 ? dense(tensors[2].data, maps[2]) : prep.aux ? dense(prep.aux.data, prep.aux.map) : null;
  const cFallback = spec.auxOption?.fallback ?? 0;
  const W = prep.weight ? dense(prep.weight.data, prep.weight.map) : null;
  // Per-element gradients (a broadcast operand's are added up into its shape below).
  const [g0, g1, g2] = [0, 1, 2].map((k) => (wanted[k] ? new Float64Array(n) : null));
  const items = new Float64Array(n);
  const upstreams = wantGrad ? reducer.upstreams() : 0;
  const scalar = typeof upstreams === 'number' ? upstreams : 0;
  const perItem = typeof upstreams === 'number' ? null : upstreams;
  const pointwise = spec.pointwise;
  const out = new Float64Array(4);
  for (let i = 0; i < n; i++) {
    pointwise(A[i], B[i], third ? third[i] : cFallback, params, out);
    const w = W ? W[i] : 1;
    items[i] = out[0] * w;
    if (!wantGrad) continue;
    const u = (perItem ? perItem[i] : scalar) * w;
    if (g0) g0[i] = out[1] * u;
    if (g1) g1[i] = out[2] * u;
    if (g2) g2[i] = out[3] * u;
  }
  const grads = [g0, g1, g2].slice(0, tensors.length).map((g, k) => {
    if (!g) return null;
    const map = maps[k];
    let full = g;
    if (map) {
      full = new Float64Array(tensors[k].size);
      for (let i = 0; i < n; i++) full[map[i]] += g[i];
    }
    return gradOf(full, tensors[k]);
  });
  return { loss: reducer.reduce(items), grads: wantGrad ? grads : [] };
}

/** Builds an elementwise loss (every element of the inputs contributes one loss item). */
export function elementwiseLoss<P>(spec: ElementwiseSpec<P>) {
  const optionNames = [
    'reduction',
    ...(spec.weight ? ['weight'] : []),
    ...(spec.auxOption ? [spec.auxOption.name] : []),
    ...spec.options,
  ];
  const reductions = spec.batchmean ? (['none', 'batchmean', 'sum', 'mean'] as const) : (['none', 'mean', 'sum'] as const);
  return defineLoss(spec.name, spec.args, optionNames, (call: KernelCall<Record<string, unknown>>) => {
    const prep = prepare(spec, call, reductions);
    const plan = canUseKernel(spec, prep);
    return (plan && runKernel(spec, prep, plan)) ?? runReference(spec, prep);
  });
}

/** An option tensor (weight, posWeight) with the index map that broadcasts it to the input. */
function optionTensor(fn: string, name: string, value: unknown, input: Tensor, rule: 'exact' | 'broadcast'): OptionOperand {
  if (value === undefined || value === null) return null;
  const t = asTensor(fn, name, value as TensorLike, resultDtype([input]));
  if (rule === 'exact' && !sameShape(t.shape, input.shape)) {
    throw new Error(`${fn}: ${name} shape ${shapeString(t.shape)} does not match input shape ${shapeString(input.shape)}`);
  }
  return { data: t.data, map: broadcastMap(fn, name, t.shape, input.shape), shape: t.shape };
}
