import { defineBoxLoss, diouPair } from '../core/box-iou.js';

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
export const distanceBoxIouLoss = defineBoxLoss('distanceBoxIouLoss', 'torchvision.ops.distance_box_iou_loss', 'distance', (pair, eps, grad) => diouPair(pair, eps, grad)[0]);
