// Losses over the last axis of two like-shaped tensors (input, target): the per-row scaffolding
// (checks, reducer, gradient arrays, the loop over rows) written once. The per-row losses over
// classes (categorical hinge, poly-1 cross-entropy) are built on it; Keras's means of a pointwise
// function over the last axis (log-cosh, squared hinge) are elementwise losses over rows
// (core/elementwise.ts, items 'rows'), with WebAssembly kernels.
import type { TensorArg } from './catalog.js';
import { gradBuffer, gradOf } from './grad-buffer.js';
import { defineLoss, resultDtype, type DefinitionOf, type KernelCall, type LossFor } from './loss.js';
import { checkReduction, Reducer } from './reduction.js';
import { assertSameShape, shapeString } from './shape.js';
import type { Tensor } from './tensor.js';

/**
 * One row, `X[base .. base + D)` and `Y[…]`: returns its loss and, where `gx`/`gy` are given,
 * writes its gradients there (same positions), times the row's upstream gradient `u`.
 */
export type LaneRow<P> = (X: ArrayLike<number>, Y: ArrayLike<number>, base: number, D: number, params: P, u: number, gx: Float32Array | Float64Array | null, gy: Float32Array | Float64Array | null) => number;

/**
 * Builds `f(input, target, options)` (its `definition`) whose per-sample value is `row` of each
 * row of the last axis: inputs `[*, D]`, per-sample losses `[*]`. `params` reads what the rows need
 * from the tensors and options (once per call); `axis` says what the last axis is, for the error
 * on a 0-d input.
 */
export function laneRowsLoss<P, O extends object, const A extends readonly TensorArg[]>(
  definition: DefinitionOf<O, A>,
  axis: string,
  params: (input: Tensor, target: Tensor, options: O) => P,
  row: LaneRow<P>,
): LossFor<A, O> {
  const { name } = definition;
  return defineLoss(definition, (call: KernelCall<O & { reduction?: unknown }>) => {
    const [x, y] = call.tensors;
    const { options, wantGrad } = call;
    const reduction = checkReduction(name, options.reduction, ['none', 'mean', 'sum'], 'mean');
    if (x.shape.length === 0) throw new Error(`${name}: input must have at least 1 dimension (${axis}), got shape ${shapeString(x.shape)}`);
    assertSameShape(name, 'target', y, 'input', x);
    const p = params(x, y, options);
    const D = x.shape[x.shape.length - 1];
    const reducer = new Reducer(name, reduction, x.shape.slice(0, -1), resultDtype([x]));
    if (wantGrad) reducer.setGradOutput(call.gradOutput);
    const [X, Y] = [x.data, y.data];
    const items = new Float64Array(reducer.itemShape.reduce((a, d) => a * d, 1));
    // In the result's dtype: every row writes all of its entries.
    const [gx, gy] = [0, 1].map((k) => (wantGrad && call.wantGrads[k] ? gradBuffer(call, k, call.tensors[k], false) : null));
    for (let n = 0; n < items.length; n++) items[n] = row(X, Y, n * D, D, p, wantGrad ? reducer.upstream(n) : 0, gx, gy);
    return { loss: reducer.reduce(items), grads: wantGrad ? [gradOf(gx, x), gradOf(gy, y)] : [] };
  });
}
