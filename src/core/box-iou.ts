// What the box-IoU losses (torchvision's generalized, distance and complete IoU losses) share: the
// geometry of a pair of boxes (x1, y1, x2, y2), the backward pass of that geometry, and the loss
// definition (shapes, options, reductions, gradients with respect to both boxes).
import { kernelsFor } from '../kernels/backend.js';
import { boxIouWasm, type BoxIouRequest } from '../kernels/wasm.js';
import { gradBuffer, gradOf } from './grad-buffer.js';
import { defineLoss, resultDtype, type KernelCall } from './loss.js';
import { numberOption } from './options.js';
import { checkReduction, Reducer, type Reduction } from './reduction.js';
import { assertSameShape, shapeString } from './shape.js';
import { Tensor, typedArrayOf } from './tensor.js';

/** Options of the box-IoU losses. */
export interface BoxIouLossOptions {
  /** `'none' | 'mean' | 'sum'`; default `'mean'` (torchvision's default is `'none'`). */
  reduction?: Reduction;
  /** Added to denominators against division by zero; default 1e-7. */
  eps?: number;
}

/** torchvision's default eps, also the one `_diou_iou_loss` uses inside the complete IoU loss. */
export const BOX_EPS = 1e-7;

/**
 * The geometry of boxes `a = (x1, y1, x2, y2)` and `b`, as torchvision's `_loss_inter_union` and
 * the enclosing box: intersection corners `ix1 = max(x1, X1)`..., `inter` (0 unless the
 * intersection has positive width and height: torchvision's strict mask), `union = area(a) +
 * area(b) − inter`, and the smallest enclosing box `cx1 = min(x1, X1)`, ..., `cx2 = max(x2, X2)`.
 */
export class BoxPair {
  ix1 = 0;
  iy1 = 0;
  ix2 = 0;
  iy2 = 0;
  overlap = false;
  inter = 0;
  union = 0;
  cx1 = 0;
  cy1 = 0;
  cx2 = 0;
  cy2 = 0;
  /** The eight coordinates: a's x1, y1, x2, y2, then b's. */
  readonly c = new Float64Array(8);

  load(a: ArrayLike<number>, b: ArrayLike<number>, base: number): this {
    const c = this.c;
    for (let k = 0; k < 4; k++) {
      c[k] = a[base + k];
      c[4 + k] = b[base + k];
    }
    this.ix1 = Math.max(c[0], c[4]);
    this.iy1 = Math.max(c[1], c[5]);
    this.ix2 = Math.min(c[2], c[6]);
    this.iy2 = Math.min(c[3], c[7]);
    // NaN-propagating as torch.max/min; a NaN comparison leaves the mask false, as torchvision's.
    this.overlap = this.iy2 > this.iy1 && this.ix2 > this.ix1;
    this.inter = this.overlap ? (this.ix2 - this.ix1) * (this.iy2 - this.iy1) : 0;
    this.union = (c[2] - c[0]) * (c[3] - c[1]) + (c[6] - c[4]) * (c[7] - c[5]) - this.inter;
    this.cx1 = Math.min(c[0], c[4]);
    this.cy1 = Math.min(c[1], c[5]);
    this.cx2 = Math.max(c[2], c[6]);
    this.cy2 = Math.max(c[3], c[7]);
    return this;
  }

  /**
   * Adds to `grad` (8 entries) the gradient of a loss whose partial derivatives with respect to
   * `inter`, `union` and the enclosing box's corners are given. `inter` and `union` depend on the
   * coordinates through the areas and the intersection corners (only where the boxes overlap).
   * Every max/min passes its gradient to the larger/smaller argument and halves it between equal
   * ones (PyTorch's maximum/minimum backward; both get all of it next to a NaN).
   */
  backward(gInter: number, gUnion: number, gcx1: number, gcy1: number, gcx2: number, gcy2: number, grad: Float64Array): void {
    const c = this.c;
    // union = (x2 − x1)(y2 − y1) + (X2 − X1)(Y2 − Y1) − inter
    const w1 = c[2] - c[0];
    const h1 = c[3] - c[1];
    const w2 = c[6] - c[4];
    const h2 = c[7] - c[5];
    grad[0] -= gUnion * h1;
    grad[2] += gUnion * h1;
    grad[1] -= gUnion * w1;
    grad[3] += gUnion * w1;
    grad[4] -= gUnion * h2;
    grad[6] += gUnion * h2;
    grad[5] -= gUnion * w2;
    grad[7] += gUnion * w2;
    const gI = gInter - gUnion;
    if (this.overlap) {
      // inter = (ix2 − ix1)(iy2 − iy1), only where the boxes overlap (torchvision's mask)
      const iw = this.ix2 - this.ix1;
      const ih = this.iy2 - this.iy1;
      share(c, grad, 0, 4, -gI * ih, 1); // ix1 = max(x1, X1)
      share(c, grad, 1, 5, -gI * iw, 1); // iy1 = max(y1, Y1)
      share(c, grad, 2, 6, gI * ih, -1); // ix2 = min(x2, X2)
      share(c, grad, 3, 7, gI * iw, -1); // iy2 = min(y2, Y2)
    }
    share(c, grad, 0, 4, gcx1, -1); // cx1 = min(x1, X1)
    share(c, grad, 1, 5, gcy1, -1);
    share(c, grad, 2, 6, gcx2, 1); // cx2 = max(x2, X2)
    share(c, grad, 3, 7, gcy2, 1);
  }
}

/**
 * Adds gradient `g` of `max(c[i], c[j])` (`sense` 1) or `min` (`sense` −1) to the argument that
 * wins, half to each on a tie, all to both when a NaN makes neither comparison true.
 */
function share(c: Float64Array, grad: Float64Array, i: number, j: number, g: number, sense: 1 | -1): void {
  if (g === 0) return; // PyTorch adds a zero there, which changes nothing, NaN coordinates included
  const d = sense * (c[i] - c[j]);
  if (d === 0) {
    grad[i] += g / 2;
    grad[j] += g / 2;
  } else if (d > 0) grad[i] += g;
  else if (d < 0) grad[j] += g;
  else {
    grad[i] += g;
    grad[j] += g;
  }
}

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
 * One box pair's loss: returns it and, when `grad` is given (8 zeros), adds its partial
 * derivatives with respect to the eight coordinates.
 */
export type BoxPairLoss = (pair: BoxPair, eps: number, grad: Float64Array | null) => number;

/**
 * A box-IoU loss of `boxes1`, `boxes2` (`[N, 4]` or `[4]`, more leading dimensions allowed as
 * torchvision's `unbind(-1)`), with its reductions and its gradients with respect to both boxes.
 * A `'mean'` over zero boxes is 0, as torchvision's (`0.0 * loss.sum()`), not NaN. `reference` is
 * the torchvision function (the catalogue's entry).
 */
export function defineBoxLoss(name: string, reference: string, kind: BoxIouRequest['kind'], pairLoss: BoxPairLoss) {
  return defineLoss(
    {
      name,
      reference,
      args: [
        { name: 'boxes1', shape: '[N, 4] or [4] (x1, y1, x2, y2)', differentiable: true },
        { name: 'boxes2', shape: 'like boxes1', differentiable: true },
      ],
      options: { eps: { type: 'number', default: BOX_EPS, doc: 'added to the denominators against division by zero' } },
      items: 'rows',
      plot: null,
    },
    (call: KernelCall<BoxIouLossOptions>) => {
      const [boxes1, boxes2] = call.tensors;
      const { options, wantGrad } = call;
      const reduction = checkReduction(name, options.reduction, ['none', 'mean', 'sum'], 'mean');
      const eps = numberOption(name, 'eps', options.eps, BOX_EPS);
      const shape = boxes1.shape;
      if (shape.length === 0 || shape[shape.length - 1] !== 4) {
        throw new Error(`${name}: boxes1 must be [N, 4] or [4] boxes (x1, y1, x2, y2), got shape ${shapeString(shape)}`);
      }
      assertSameShape(name, 'boxes2', boxes2, 'boxes1', boxes1);
      const itemShape = shape.slice(0, -1);
      const count = boxes1.size / 4;
      const dtype = resultDtype([boxes1, boxes2]);
      const reducer = new Reducer(name, reduction, itemShape, dtype);
      if (wantGrad) reducer.setGradOutput(call.gradOutput);
      const losses = new Float64Array(count);
      const result = (losses: Float64Array) => {
        const loss = count === 0 && reduction === 'mean' ? new Tensor(typedArrayOf(dtype, [0]), []) : reducer.reduce(losses);
        return { loss, grads: grads ? grads.map((g, k) => gradOf(g, call.tensors[k])) : [] };
      };
      // Written in the dtype (float64 values rounded once on the store), into gradInto where given.
      const grads = wantGrad ? [0, 1].map((k) => (call.wantGrads[k] ? gradBuffer(call, k, call.tensors[k], false) : null)) : null;
      const [A, B] = [boxes1.data, boxes2.data];
      // The kernel (src/kernels/assembly/box-iou.ts) computes the same float64 terms in the same order.
      if (boxes1.dtype !== 'int32' && boxes1.dtype === boxes2.dtype && kernelsFor(boxes1.size)) {
        const [boxesA, boxesB] = [A, B] as (Float32Array | Float64Array)[];
        boxIouWasm({ boxes1: boxesA, boxes2: boxesB, kind, eps, upstream: grads ? reducer.upstreams() : 0, grad1: grads?.[0] ?? null, grad2: grads?.[1] ?? null, losses });
        return result(losses);
      }
      const pair = new BoxPair();
      const g = new Float64Array(8);
      for (let n = 0; n < count; n++) {
        pair.load(A, B, 4 * n);
        if (!grads) {
          losses[n] = pairLoss(pair, eps, null);
          continue;
        }
        g.fill(0);
        losses[n] = pairLoss(pair, eps, g);
        const u = reducer.upstream(n);
        for (let k = 0; k < 4; k++) {
          if (grads[0]) grads[0][4 * n + k] = u * g[k];
          if (grads[1]) grads[1][4 * n + k] = u * g[4 + k];
        }
      }
      return result(losses);
    },
  );
}
