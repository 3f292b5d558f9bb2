import { defineBoxLoss, type BoxPair } from '../core/box-iou.js';

/**
 * The distance-IoU loss of one pair and, with `grad`, its gradient scaled by `scale` added to it:
 * torchvision's `_diou_iou_loss`, which the complete IoU loss reuses. Returns `[loss, iou]`.
 */
export function diouPair(pair: BoxPair, eps: number, grad: Float64Array | null, scale = 1): [number, number] {
  const { inter: I, union: U, c } = pair;
  const cw = pair.cx2 - pair.cx1;
  const ch = pair.cy2 - pair.cy1;
  const diagonal = cw * cw + ch * ch + eps;
  // centre differences: (x1 + x2) / 2 − (X1 + X2) / 2
  const dx = (c[0] + c[2]) / 2 - (c[4] + c[6]) / 2;
  const dy = (c[1] + c[3]) / 2 - (c[5] + c[7]) / 2;
  const centres = dx * dx + dy * dy;
  const iou = I / (U + eps);
  if (grad) {
    // ∂/∂ρ² = 1 / c², ∂/∂c² = −ρ² / c⁴, c² = cw² + ch² + eps; ρ² = dx² + dy².
    const gRho = scale / diagonal;
    const gDiagonal = (-scale * centres) / (diagonal * diagonal);
    for (const [k, d] of [[0, dx], [1, dy]] as const) {
      grad[k] += gRho * d;
      grad[k + 2] += gRho * d;
      grad[k + 4] -= gRho * d;
      grad[k + 6] -= gRho * d;
    }
    const gw = 2 * gDiagonal * cw;
    const gh = 2 * gDiagonal * ch;
    pair.backward(-scale / (U + eps), (scale * I) / (U + eps) ** 2, -gw, -gh, gw, gh, grad);
  }
  return [1 - iou + centres / diagonal, iou];
}

/**
 * Distance-IoU loss of two sets of boxes, as `torchvision.ops.distance_box_iou_loss` (Zheng et
 * al., 2019): the IoU loss plus the squared distance of the boxes' centres over the squared
 * diagonal of their smallest enclosing box.
 *
 * Boxes are `(x1, y1, x2, y2)`. With `I`, `U` the intersection and union areas (see
 * {@link generalizedBoxIouLoss}), `ρ²` the squared distance of the centres, `c² = w_c² + h_c² + eps`
 * the enclosing box's squared diagonal: `loss = 1 − I / (U + eps) + ρ² / c²`. Gradients with
 * respect to both boxes: `∂/∂ρ² = 1 / c²`, `∂/∂c² = −ρ² / c⁴`, and the IoU's as in the
 * generalized loss.
 *
 * Shapes: `boxes1`, `boxes2` `[N, 4]` or `[4]`; result `[]`, or `[N]` for `'none'`.
 *
 * @example
 * ```ts
 * console.log(distanceBoxIouLoss([[0, 0, 2, 2], [0, 0, 1, 1]], [[1, 1, 3, 3], [2, 2, 3, 3]], { reduction: 'none' }).toString());
 * // tensor([0.9683, 1.4444])
 * ```
 * Differs from torchvision: the default reduction is `'mean'` (as every losskit loss), not `'none'`.
 */
export const distanceBoxIouLoss = defineBoxLoss('distanceBoxIouLoss', 'torchvision.ops.distance_box_iou_loss', (pair, eps, grad) => diouPair(pair, eps, grad)[0]);
