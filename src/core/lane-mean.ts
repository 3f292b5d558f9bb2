// Losses over the last axis of two like-shaped tensors (input, target): the per-row scaffolding
// (checks, reducer, gradient arrays, the loop over rows) written once. Keras's elementwise losses
// (the mean over the last axis of a pointwise function: log-cosh, squared hinge) and the per-row
// losses over classes (categorical hinge, poly-1 cross-entropy) are built on it.
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

/**
 * Builds `f(input, target, { reduction })` (its `definition`) whose per-sample value is the mean
 * of a pointwise function over the last axis, as Keras's `ops.mean(..., axis=-1)`: inputs `[*, D]`,
 * per-sample losses `[*]`. `sum` returns the row's Σ f(input, target) and, where `gx`/`gy` are
 * given, writes `u · ∂f/∂input` and `u · ∂f/∂target` there, with u the row's upstream gradient
 * over D (the mean's). Each loss writes its own loop over the elements: a callback per element
 * from here would be one call site shared by every such loss, which V8 stops inlining once two
 * of them have run (squared hinge, 4M elements: 154 ms through it, docs/benchmarks-notes.md).
 */
export function laneMeanLoss<P, O extends object, const A extends readonly TensorArg[]>(definition: DefinitionOf<O, A>, params: (input: Tensor, target: Tensor) => P, sum: LaneRow<P>): LossFor<A, O> {
  return laneRowsLoss(definition, 'the loss is a mean over the last', params, (X, Y, base, D, p, upstream, gx, gy) =>
    // A mean over an empty last axis is NaN, as Keras's (0 / 0).
    sum(X, Y, base, D, p, upstream / D, gx, gy) / D,
  );
}
