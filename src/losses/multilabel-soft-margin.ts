import { defineLoss, gradTensor, resultDtype, type KernelCall } from '../core/loss.js';
import { checkReduction, Reducer, type Reduction } from '../core/reduction.js';
import { assertSameShape, broadcastMap } from '../core/shape.js';
import { logSigmoidScalar, sigmoidScalar } from '../core/stable.js';
import { asTensor, type TensorLike } from '../core/tensor.js';

/** Options of {@link multilabelSoftMarginLoss}. */
export interface MultilabelSoftMarginLossOptions {
  /** Weights broadcast to the input's shape, typically one per class `[C]`. */
  weight?: TensorLike;
  /** `'none' | 'mean' | 'sum'`; default `'mean'`. */
  reduction?: Reduction;
}

/**
 * Multi-label one-versus-all logistic loss, as `torch.nn.functional.multilabel_soft_margin_loss`.
 *
 * `loss_n = −Σ_c w_c [y_c log σ(x_c) + (1 − y_c) log σ(−x_c)] / C` (stable log-sigmoid).
 * Gradients: `∂/∂x_c = w_c (σ(x_c) − y_c) / C`, `∂/∂y_c = −w_c x_c / C`.
 *
 * Shapes: `input` `[*, C]`, `target` (0/1 or probabilities) the same; `weight` broadcastable;
 * result `[]`, or `[*]` for `'none'`.
 *
 * @example
 * ```ts
 * console.log(multilabelSoftMarginLoss([[2, -1, 0.5]], [[1, 0, 1]]).toString());
 * // tensor(0.3048)
 * ```
 */
export const multilabelSoftMarginLoss = defineLoss(
  {
    name: 'multilabelSoftMarginLoss',
    reference: 'torch.nn.functional.multilabel_soft_margin_loss',
    args: [
      { name: 'input', shape: '[*, C]', differentiable: true },
      { name: 'target', shape: 'like input (0/1 or probabilities)', differentiable: true },
    ],
    options: {
      weight: { type: 'tensor', default: 1, shape: 'broadcastable to input ([C])', broadcast: true, mean: 'count', doc: 'weights broadcast to the input, typically one per class' },
    },
    items: 'rows',
    plot: null,
  },
  (call: KernelCall<MultilabelSoftMarginLossOptions>) => {
    const fn = 'multilabelSoftMarginLoss';
    const [input, target] = call.tensors;
    const { options, wantGrad } = call;
    const reduction = checkReduction(fn, options.reduction, ['none', 'mean', 'sum'], 'mean');
    if (input.shape.length === 0) throw new Error(`${fn}: input must have a class dimension, got a 0-d tensor`);
    assertSameShape(fn, 'target', target, 'input', input);
    const weight = options.weight === undefined ? null : asTensor(fn, 'weight', options.weight, resultDtype([input]));
    const weightMap = weight ? broadcastMap(fn, 'weight', weight.shape, input.shape) : null;
    const C = input.shape[input.shape.length - 1];
    const rows = C === 0 ? 0 : input.size / C;
    const reducer = new Reducer(fn, reduction, input.shape.slice(0, -1), resultDtype([input]));
    if (wantGrad) reducer.setGradOutput(call.gradOutput);
    const losses = new Float64Array(rows);
    const gradInput = wantGrad ? new Float64Array(input.size) : null;
    const gradTarget = wantGrad ? new Float64Array(target.size) : null;
    for (let n = 0; n < rows; n++) {
      const u = gradInput ? reducer.upstream(n) / C : 0;
      let loss = 0;
      for (let c = 0; c < C; c++) {
        const k = n * C + c;
        const x = input.data[k];
        const y = target.data[k];
        const w = weight ? weight.data[weightMap ? weightMap[k] : k] : 1;
        loss -= w * (y * logSigmoidScalar(x) + (1 - y) * logSigmoidScalar(-x));
        if (gradInput) gradInput[k] = w * (sigmoidScalar(x) - y) * u;
        if (gradTarget) gradTarget[k] = -w * x * u;
      }
      losses[n] = loss / C;
    }
    return {
      loss: reducer.reduce(losses),
      grads: gradInput ? [gradTensor(gradInput, input), gradTarget ? gradTensor(gradTarget, target) : null] : [],
    };
  },
);
