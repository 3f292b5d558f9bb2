// Losses over the last axis of two like-shaped tensors (input, target): the per-row scaffolding
// (checks, reducer, gradient arrays, the loop over rows) written once. Keras's elementwise losses
// (the mean over the last axis of a pointwise function: log-cosh, squared hinge) and the per-row
// losses over classes (categorical hinge, poly-1 cross-entropy) are built on it.
import type { TensorArg } from './catalog.js';
import { defineLoss, gradTensor, resultDtype, type DefinitionOf, type KernelCall, type LossFor } from './loss.js';
import { checkReduction, Reducer } from './reduction.js';
import { assertSameShape, shapeString } from './shape.js';
import type { Tensor } from './tensor.js';

/**
 * One row, `X[base .. base + D)` and `Y[…]`: returns its loss and, where `gx`/`gy` are given,
 * writes its gradients there (same positions), times the row's upstream gradient `u`.
 */
export type LaneRow<P> = (X: ArrayLike<number>, Y: ArrayLike<number>, base: number, D: number, params: P, u: number, gx: Float64Array | null, gy: Float64Array | null) => number;

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
    const gx = wantGrad && call.wantGrads[0] ? new Float64Array(X.length) : null;
    const gy = wantGrad && call.wantGrads[1] ? new Float64Array(X.length) : null;
    for (let n = 0; n < items.length; n++) items[n] = row(X, Y, n * D, D, p, wantGrad ? reducer.upstream(n) : 0, gx, gy);
    return { loss: reducer.reduce(items), grads: wantGrad ? [gx && gradTensor(gx, x), gy && gradTensor(gy, y)] : [] };
  });
}

/** One element: writes f(input, target) and its partial derivatives with respect to both to out[0..2]. */
export type LanePointwise<P> = (input: number, target: number, params: P, out: Float64Array) => void;

/**
 * Builds `f(input, target, { reduction })` (its `definition`) whose per-sample value is
 * `mean(pointwise(input, target), axis=-1)`, as Keras's `ops.mean(..., axis=-1)`: inputs `[*, D]`,
 * per-sample losses `[*]`. `params` reads what the pointwise function needs from the tensors
 * (once per call).
 */
export function laneMeanLoss<P, O extends object, const A extends readonly TensorArg[]>(definition: DefinitionOf<O, A>, params: (input: Tensor, target: Tensor) => P, pointwise: LanePointwise<P>): LossFor<A, O> {
  const out = new Float64Array(3);
  return laneRowsLoss(definition, 'the loss is a mean over the last', params, (X, Y, base, D, p, upstream, gx, gy) => {
    let sum = 0;
    const u = upstream / D;
    for (let i = base; i < base + D; i++) {
      pointwise(X[i], Y[i], p, out);
      sum += out[0];
      if (gx) gx[i] = u * out[1];
      if (gy) gy[i] = u * out[2];
    }
    return sum / D; // a mean over an empty last axis is NaN, as Keras's (0 / 0)
  });
}
