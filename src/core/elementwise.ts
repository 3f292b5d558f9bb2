import type { Definition, TensorArg, TensorOptionSpec } from './catalog.js';
import { defineLoss, gradTensor, resultDtype, type DefinitionOf, type KernelCall, type LossFor } from './loss.js';
import { checkReduction, Reducer } from './reduction.js';
import { assertSameShape, broadcastMap, sameShape, shapeString } from './shape.js';
import { asTensor, Tensor, type TensorLike } from './tensor.js';
import { useWasm, weightsFitKernels } from '../kernels/backend.js';
import { elementwiseWasm, resultArray, type ElementwiseKernel, type Operand } from '../kernels/wasm.js';

/**
 * One element of an elementwise loss: writes the loss to out[0] and its partial derivatives with
 * respect to the operands a, b, c to out[1], out[2], out[3] (only read where a gradient is wanted).
 * The derivative sits next to the value and reuses what the value computed.
 */
export type Pointwise<P> = (a: number, b: number, c: number, params: P, out: Float64Array) => void;

/**
 * An elementwise loss: its definition (the catalogue's metadata: name, reference, arguments, options
 * including `weight` and `posWeight`, reductions, plot) and how to compute it.
 */
export interface ElementwiseSpec<P, O, A extends readonly TensorArg[]> extends Omit<DefinitionOf<O, A>, 'items' | 'kernels'> {
  /** Validates the options and returns what `pointwise` needs (its parameter's type is the loss's options type). */
  params: (options: O) => P;
  pointwise: Pointwise<P>;
  /** Shape rules for arguments that may broadcast to the input's shape (returns the shape to broadcast from). */
  broadcastArg?: (index: number, t: Tensor, input: Tensor) => readonly number[] | null;
  /** Range checks on the tensors before anything is computed. */
  check?: (tensors: readonly Tensor[], params: P) => void;
  /**
   * The WebAssembly SIMD kernel of this loss (two float32 tensors of one shape, weights of that
   * shape or of a trailing part of it), and its two scalar parameters.
   */
  wasm?: { kernel: ElementwiseKernel; params: (params: P) => [number, number] };
}

type OptionOperand = { data: ArrayLike<number>; map: Int32Array | null; shape: number[] } | null;

/** How the WebAssembly kernels can read an option tensor: whole, or as a pattern along the last dimensions. */
function asOperand(op: OptionOperand, input: Tensor): Operand | null | false {
  if (!op) return null;
  if (!op.map) return { data: op.data, periodic: false };
  const shape = [...op.shape];
  while (shape.length > 0 && shape[0] === 1) shape.shift();
  const suffix = input.shape.slice(input.shape.length - shape.length);
  return shape.length > 0 && sameShape(shape, suffix) ? { data: op.data, periodic: true } : false;
}

/** Builds an elementwise loss (every element of the inputs contributes one loss item). */
export function elementwiseLoss<P, O extends object, const A extends readonly TensorArg[]>(spec: ElementwiseSpec<P, O, A>): LossFor<A, O> {
  const fn = spec.name;
  // From the definition: `weight` (same shape as input, as F.l1_loss, or broadcast, as
  // F.binary_cross_entropy) and what its 'mean' divides by; another tensor option (posWeight) is
  // broadcast to the input and passed as operand c.
  const specs: Definition['options'] = spec.options;
  const weightSpec = specs.weight as TensorOptionSpec | undefined;
  const weightRule = weightSpec ? (weightSpec.broadcast ? 'broadcast' : 'exact') : undefined;
  const weightedMean = weightSpec?.mean === 'weights' ? 'weightSum' : 'count';
  const auxName = Object.keys(specs).find((k) => k !== 'weight' && specs[k].type === 'tensor');
  const auxOption = auxName ? { name: auxName, fallback: (specs[auxName] as TensorOptionSpec).default } : undefined;
  const reductions = spec.reductions ?? (['none', 'mean', 'sum'] as const);
  const argNames = spec.args.map((a) => a.name);
  const differentiable = spec.args.map((a) => a.differentiable);
  const definition: DefinitionOf<O, A> = { ...spec, kernels: spec.wasm ? [spec.wasm.kernel] : [], items: 'elements' };

  return defineLoss(definition, (call: KernelCall<O>) => {
    const { tensors, wantGrad } = call;
    const options = call.options as Record<string, unknown>;
    const input = tensors[0];
    const n = input.size;
    const params = spec.params(call.options);
    const reduction = checkReduction(fn, options.reduction, reductions, 'mean');

    // Operands b and c: same shape as the input, or broadcast where the loss allows it.
    const maps: (Int32Array | null)[] = tensors.map((t, k) => {
      if (k === 0) return null;
      const from = spec.broadcastArg?.(k, t, input);
      if (from) return broadcastMap(fn, argNames[k], from, input.shape);
      assertSameShape(fn, argNames[k], t, argNames[0], input);
      return null;
    });
    const weight = weightRule ? optionTensor(fn, 'weight', options.weight, input, weightRule) : null;
    const aux = auxOption ? optionTensor(fn, auxOption.name, options[auxOption.name], input, 'broadcast') : null;
    spec.check?.(tensors, params);
    const weightOperand = asOperand(weight, input);
    const auxOperand = asOperand(aux, input);
    const viaWasm =
      spec.wasm !== undefined && tensors.length === 2 && tensors.every((t) => t.dtype === 'float32') && maps[1] === null &&
      weightOperand !== false && auxOperand !== false &&
      weightsFitKernels(weight?.data) && weightsFitKernels(aux?.data) && useWasm('float32', n);

    const dtype = resultDtype(tensors);
    let denominator: number | undefined;
    if (reduction === 'batchmean') denominator = input.shape.length > 0 ? input.shape[0] : 1;
    else if (weight && weightedMean === 'weightSum') {
      denominator = 0;
      for (let i = 0; i < n; i++) denominator += weight.data[weight.map ? weight.map[i] : i];
    }
    const reducer = new Reducer(fn, reduction === 'batchmean' ? 'mean' : reduction, input.shape, dtype, denominator);
    if (wantGrad) reducer.setGradOutput(call.gradOutput);

    // The WebAssembly path writes float32 results directly, into the caller's gradInto for the
    // first, else into unfilled arrays; the TypeScript loop below accumulates the tail the kernel
    // leaves (fewer than 4 elements), so that is zeroed first. The TypeScript path accumulates in float64.
    const grads = tensors.map((t, k) => {
      // int32 data is differentiated as float32 data (its gradient is float32, as gradTensor gives).
      if (!call.wantGrads[k] || !differentiable[k]) return null;
      if (!viaWasm) return new Float64Array(t.size);
      const grad = k === 0 && call.gradInto instanceof Float32Array ? call.gradInto : resultArray(t.size);
      return grad.fill(0, n & ~3);
    });
    const items = viaWasm ? new Float32Array(reduction === 'none' ? n : 0) : new Float64Array(n);
    let first = 0; // the TypeScript loop starts here: 0, or after the elements the kernel handled
    let kernelTotal = 0;
    if (viaWasm && spec.wasm) {
      first = n & ~3;
      const [p1, p2] = spec.wasm.params(params);
      const upstream = !wantGrad ? 0 : reducer.upstreams();
      // A mean's 1 / Σ w beyond float32 (weights of 1e-40) would be inf in the kernel: NaN sends the call to float64 below.
      kernelTotal = typeof upstream === 'number' && !Number.isFinite(Math.fround(upstream)) ? NaN : elementwiseWasm({
        kernel: spec.wasm.kernel,
        x: tensors[0].data as Float32Array,
        t: tensors[1].data as Float32Array,
        n: first,
        weight: weightOperand || null,
        aux: auxOperand || null,
        p1,
        p2,
        upstream,
        gx: grads[0] as Float32Array | null,
        gt: grads[1] as Float32Array | null,
        losses: reduction === 'none' ? (items as Float32Array) : null,
      });
      // A non-finite total: a NaN/inf in the operands, or a float32 intermediate that overflowed
      // ((x − t)² past 3.4e38, inf · a zero weight) where float64 stays finite. The TypeScript loop
      // below then redoes every element in float64, into the same float32 results.
      if (!Number.isFinite(kernelTotal)) {
        for (const g of grads) g?.fill(0);
        [first, kernelTotal] = [0, 0];
      }
    }
    const [A, B] = [tensors[0].data, tensors[1].data];
    const C = tensors.length > 2 ? tensors[2].data : null;
    const [, mapB, mapC] = maps;
    const cFallback = auxOption?.fallback ?? 0;
    const out = new Float64Array(4);
    let tailTotal = 0;
    for (let i = first; i < n; i++) {
      const b = B[mapB ? mapB[i] : i];
      const c = C ? C[mapC ? mapC[i] : i] : aux ? aux.data[aux.map ? aux.map[i] : i] : cFallback;
      spec.pointwise(A[i], b, c, params, out);
      const w = weight ? weight.data[weight.map ? weight.map[i] : i] : 1;
      if (viaWasm) {
        if (reduction === 'none') items[i] = out[0] * w;
        else tailTotal += out[0] * w;
      } else items[i] = out[0] * w;
      if (wantGrad) {
        const u = reducer.upstream(i) * w;
        for (let k = 0; k < grads.length; k++) {
          const g = grads[k];
          if (g) g[maps[k] ? maps[k]![i] : i] += out[k + 1] * u;
        }
      }
    }
    if (viaWasm) {
      return {
        loss: reduction === 'none' ? new Tensor(items, input.shape) : reducer.reduce(Float64Array.of(kernelTotal + tailTotal)),
        grads: grads.map((g, k) => (g ? new Tensor(g, tensors[k].shape) : null)),
      };
    }
    return {
      loss: reducer.reduce(items as Float64Array),
      grads: grads.map((g, k) => (g ? gradTensor(g as Float64Array, tensors[k]) : null)),
    };
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
