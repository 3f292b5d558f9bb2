import { BOX_EPS, defineBoxLoss, diouPair } from '../core/box-iou.js';

/** 4 / π², the normalisation of the aspect-ratio term. */
const ASPECT = 4 / Math.PI ** 2;

/**
 * Adds the gradient `g` of `atan(w / h)` to the box at `base` of `grad` (w = x2 − x1, h = y2 − y1),
 * by autograd's steps: atan' = 1 / (r² + 1), then the quotient's `1 / h` and `−(r / h)`. A zero
 * height makes both NaN (0 / 0), as in PyTorch.
 */
function addAtanRatio(grad: Float64Array, base: number, w: number, h: number, g: number): void {
  const r = w / h;
  const gr = g / (r * r + 1);
  const gw = gr / h;
  const gh = -gr * (r / h);
  grad[base] -= gw;
  grad[base + 2] += gw;
  grad[base + 1] -= gh;
  grad[base + 3] += gh;
}

/**
 * Complete-IoU loss of two sets of boxes, as `torchvision.ops.complete_box_iou_loss` (Zheng et
 * al., 2019): the distance-IoU loss plus an aspect-ratio term.
 *
 * Boxes are `(x1, y1, x2, y2)`, with widths `w` and heights `h`. With `diou` and `iou` those of
 * {@link distanceBoxIouLoss} (computed with torchvision's own eps, 1e-7, whatever `eps` is),
 * `v = (4 / π²) (atan(w₂ / h₂) − atan(w₁ / h₁))²` and `α = v / (1 − iou + v + eps)`:
 * `loss = diou + α v`. As in torchvision, `α` is a constant for the gradient (computed under
 * `no_grad`): `∂/∂v = α`, `∂v/∂atan(w₁/h₁) = −(8 / π²)(atan(w₂/h₂) − atan(w₁/h₁))`.
 * A zero-height box gives a NaN gradient (and a zero-area one a NaN loss), as in torchvision.
 *
 * Shapes: `boxes1`, `boxes2` `[N, 4]` or `[4]`; result `[]`, or `[N]` for `'none'`.
 *
 * @example
 * ```ts
 * console.log(completeBoxIouLoss([[0, 0, 2, 2], [0, 0, 1, 1]], [[1, 1, 4, 3], [2, 2, 3, 3]], { reduction: 'none' }).toString());
 * // tensor([1.0192, 1.4444])
 * ```
 * Differs from torchvision: the default reduction is `'mean'` (as every losskit loss), not `'none'`.
 */
export const completeBoxIouLoss = defineBoxLoss('completeBoxIouLoss', 'torchvision.ops.complete_box_iou_loss', 'complete', (pair, eps, grad) => {
  const [diou, iou] = diouPair(pair, BOX_EPS, grad);
  const { c } = pair;
  const w1 = c[2] - c[0];
  const h1 = c[3] - c[1];
  const w2 = c[6] - c[4];
  const h2 = c[7] - c[5];
  const difference = Math.atan(w2 / h2) - Math.atan(w1 / h1);
  const v = ASPECT * difference * difference;
  const alpha = v / (1 - iou + v + eps);
  if (grad) {
    const k = alpha * 2 * ASPECT * difference;
    addAtanRatio(grad, 4, w2, h2, k);
    addAtanRatio(grad, 0, w1, h1, -k);
  }
  return diou + alpha * v;
});
