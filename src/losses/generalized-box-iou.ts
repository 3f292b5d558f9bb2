import { defineBoxLoss } from '../core/box-iou.js';

export type { BoxIouLossOptions } from '../core/box-iou.js';

/**
 * Generalized IoU loss of two sets of boxes, as `torchvision.ops.generalized_box_iou_loss`
 * (Rezatofighi et al., 2019): the IoU loss with a penalty that keeps a gradient when the boxes do
 * not overlap.
 *
 * Boxes are `(x1, y1, x2, y2)` with `x1 ≤ x2`, `y1 ≤ y2`. With `I` the intersection area (0 unless
 * it has positive width and height), `U = area1 + area2 − I`, `C` the area of the smallest
 * enclosing box: `loss = 1 − I / (U + eps) + (C − U) / (C + eps)`. Gradients with respect to both
 * boxes: `∂/∂I = −1 / (U + eps)`, `∂/∂U = I / (U + eps)² − 1 / (C + eps)`,
 * `∂/∂C = (U + eps) / (C + eps)²`, through the areas, the intersection and enclosing corners
 * (a max/min shares its gradient between equal coordinates, as PyTorch's).
 *
 * Shapes: `boxes1`, `boxes2` `[N, 4]` or `[4]`; result `[]`, or `[N]` for `'none'`.
 *
 * @example
 * ```ts
 * console.log(generalizedBoxIouLoss([[0, 0, 2, 2], [0, 0, 1, 1]], [[1, 1, 3, 3], [2, 2, 3, 3]], { reduction: 'none' }).toString());
 * // tensor([1.0794, 1.7778])
 * ```
 * Differs from torchvision: the default reduction is `'mean'` (as every losskit loss), not `'none'`.
 */
export const generalizedBoxIouLoss = defineBoxLoss('generalizedBoxIouLoss', 'torchvision.ops.generalized_box_iou_loss', 'generalized', (pair, eps, grad) => {
  const { inter: I, union: U } = pair;
  const cw = pair.cx2 - pair.cx1;
  const ch = pair.cy2 - pair.cy1;
  const C = cw * ch;
  if (grad) {
    const gC = (U + eps) / (C + eps) ** 2;
    pair.backward(-1 / (U + eps), I / (U + eps) ** 2 - 1 / (C + eps), -gC * ch, -gC * cw, gC * ch, gC * cw, grad);
  }
  return 1 - (I / (U + eps) - (C - U) / (C + eps));
});
