// Losses of the overlap of a prediction and a target mask over groups of elements (Dice, Tversky).
import type { TensorArg } from './catalog.js';
import { axisGroups } from './keras.js';
import { defineLoss, resultDtype, type DefinitionOf, type KernelCall, type LossFor } from './loss.js';
import { checkReduction, Reducer } from './reduction.js';
import { gradBuffer, gradOf } from './grad-buffer.js';
import { assertSameShape } from './shape.js';

/**
 * The loss of one group from its sums I = Σ target·input, Sy = Σ target, Sp = Σ input: writes
 * the loss and its partial derivatives with respect to I, Sy, Sp to out[0..3].
 */
export type OverlapFormula<P> = (I: number, Sy: number, Sp: number, params: P, out: Float64Array) => void;

/**
 * Builds a loss of `(input, target, { axis, reduction, ... })` (its `definition`) whose per-sample
 * value depends on the three sums of each group of elements (Keras's `axis`: absent, one global
 * group). By the chain rule, ∂/∂input_k = ∂L/∂I · target_k + ∂L/∂Sp and
 * ∂/∂target_k = ∂L/∂I · input_k + ∂L/∂Sy.
 */
export function overlapLoss<P, O extends object, const A extends readonly TensorArg[]>(definition: DefinitionOf<O, A>, params: (options: O) => P, formula: OverlapFormula<P>): LossFor<A, O> {
  const { name } = definition;
  return defineLoss(definition, (call: KernelCall<O & { axis?: unknown; reduction?: unknown }>) => {
    const [x, y] = call.tensors;
    const { options, wantGrad } = call;
    const reduction = checkReduction(name, options.reduction, ['none', 'mean', 'sum'], 'mean');
    const p = params(options);
    assertSameShape(name, 'target', y, 'input', x);
    const { itemShape, block, item } = axisGroups(name, x.shape, options.axis);
    const reducer = new Reducer(name, reduction, itemShape, resultDtype([x]));
    if (wantGrad) reducer.setGradOutput(call.gradOutput);
    const m = reducer.itemShape.reduce((a, d) => a * d, 1);
    const [I, Sy, Sp] = [new Float64Array(m), new Float64Array(m), new Float64Array(m)];
    const [X, Y] = [x.data, y.data];
    if (item === null) {
      // Each item a block of consecutive elements: its sums in locals, in the same order.
      for (let k = 0, start = 0; k < m; k++, start += block) {
        let i = 0, sy = 0, sp = 0;
        for (let j = start; j < start + block; j++) {
          const xj = X[j], yj = Y[j];
          i += yj * xj;
          sy += yj;
          sp += xj;
        }
        I[k] = i;
        Sy[k] = sy;
        Sp[k] = sp;
      }
    } else {
      for (let i = 0; i < X.length; i++) {
        I[item[i]] += Y[i] * X[i];
        Sy[item[i]] += Y[i];
        Sp[item[i]] += X[i];
      }
    }
    const losses = new Float64Array(m);
    const partials = new Float64Array(3 * m); // upstream · (∂L/∂I, ∂L/∂Sy, ∂L/∂Sp) of each group
    const out = new Float64Array(4);
    for (let k = 0; k < m; k++) {
      formula(I[k], Sy[k], Sp[k], p, out);
      losses[k] = out[0];
      const u = wantGrad ? reducer.upstream(k) : 0;
      partials[3 * k] = u * out[1];
      partials[3 * k + 1] = u * out[2];
      partials[3 * k + 2] = u * out[3];
    }
    if (!wantGrad) return { loss: reducer.reduce(losses), grads: [] };
    // ∂/∂input = ∂L/∂I · target + ∂L/∂Sp, ∂/∂target = ∂L/∂I · input + ∂L/∂Sy, in the result's dtype.
    const [gx, gy] = [0, 1].map((k) => (call.wantGrads[k] ? gradBuffer(call, k, call.tensors[k], false) : null));
    const chainRule = (g: Float32Array | Float64Array, of: ArrayLike<number>, dI: number, dS: number) => {
      if (item === null) {
        for (let k = 0, start = 0; k < m; k++, start += block) {
          const a = partials[3 * k + dI], b = partials[3 * k + dS];
          for (let j = start; j < start + block; j++) g[j] = a * of[j] + b;
        }
      } else {
        for (let i = 0; i < of.length; i++) g[i] = partials[3 * item[i] + dI] * of[i] + partials[3 * item[i] + dS];
      }
    };
    if (gx) chainRule(gx, Y, 0, 2);
    if (gy) chainRule(gy, X, 0, 1);
    return { loss: reducer.reduce(losses), grads: [gradOf(gx, x), gradOf(gy, y)] };
  });
}
