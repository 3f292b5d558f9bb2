// Keras's elementwise losses: the mean over the last axis of a pointwise function (log-cosh, squared hinge).
import type { TensorArg } from './catalog.js';
import { defineLoss, gradTensor, resultDtype, type DefinitionOf, type KernelCall, type LossFor } from './loss.js';
import { checkReduction, Reducer } from './reduction.js';
import { assertSameShape, shapeString } from './shape.js';
import type { Tensor } from './tensor.js';

/** One element: writes f(input, target) and its partial derivatives with respect to both to out[0..2]. */
export type LanePointwise<P> = (input: number, target: number, params: P, out: Float64Array) => void;

/**
 * Builds `f(input, target, { reduction })` (its `definition`) whose per-sample value is
 * `mean(pointwise(input, target), axis=-1)`, as Keras's `ops.mean(..., axis=-1)`: inputs `[*, D]`,
 * per-sample losses `[*]`. `params` reads what the pointwise function needs from the tensors
 * (once per call).
 */
export function laneMeanLoss<P, O extends object, const A extends readonly TensorArg[]>(definition: DefinitionOf<O, A>, params: (input: Tensor, target: Tensor) => P, pointwise: LanePointwise<P>): LossFor<A, O> {
  const { name } = definition;
  return defineLoss(definition, (call: KernelCall<O & { reduction?: unknown }>) => {
    const [x, y] = call.tensors;
    const { options, wantGrad } = call;
    const reduction = checkReduction(name, options.reduction, ['none', 'mean', 'sum'], 'mean');
    if (x.shape.length === 0) throw new Error(`${name}: input must have at least 1 dimension (the loss is a mean over the last), got shape ${shapeString(x.shape)}`);
    assertSameShape(name, 'target', y, 'input', x);
    const p = params(x, y);
    const D = x.shape[x.shape.length - 1];
    const reducer = new Reducer(name, reduction, x.shape.slice(0, -1), resultDtype([x]));
    if (wantGrad) reducer.setGradOutput(call.gradOutput);
    const [X, Y] = [x.data, y.data];
    const items = new Float64Array(D === 0 ? reducer.itemShape.reduce((a, d) => a * d, 1) : X.length / D);
    const gx = call.wantGrads[0] ? new Float64Array(X.length) : null;
    const gy = call.wantGrads[1] ? new Float64Array(X.length) : null;
    const out = new Float64Array(3);
    for (let n = 0; n < items.length; n++) {
      let sum = 0;
      const u = wantGrad ? reducer.upstream(n) / D : 0;
      for (let i = n * D; i < (n + 1) * D; i++) {
        pointwise(X[i], Y[i], p, out);
        sum += out[0];
        if (gx) gx[i] = u * out[1];
        if (gy) gy[i] = u * out[2];
      }
      items[n] = sum / D; // a mean over an empty last axis is NaN, as Keras's (0 / 0)
    }
    return { loss: reducer.reduce(items), grads: wantGrad ? [gx && gradTensor(gx, x), gy && gradTensor(gy, y)] : [] };
  });
}
