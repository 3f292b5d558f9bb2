import { elementwiseLoss } from '../core/elementwise.js';
import { numberOption } from '../core/options.js';
import type { Reduction } from '../core/reduction.js';
import { bceWithLogitsScalar, logSigmoidScalar, sigmoidScalar } from '../core/stable.js';

/** Options of {@link sigmoidFocalLoss}. */
export interface SigmoidFocalLossOptions {
  /** Weight of positives in [0, 1] (negatives get `1 − alpha`), or −1 for none; default 0.25. */
  alpha?: number;
  /** Focusing exponent; default 2 (0 gives alpha-weighted BCE with logits). */
  gamma?: number;
  /** `'none' | 'mean' | 'sum'`; default `'mean'` (torchvision's default is `'none'`). */
  reduction?: Reduction;
}

interface Params {
  alpha: number;
  gamma: number;
}

/**
 * Focal loss of RetinaNet on logits, as `torchvision.ops.sigmoid_focal_loss`.
 *
 * With `p = σ(x)`, `ce = (1 − y) x − log σ(x)` (BCE with logits), `p_t = p y + (1 − p)(1 − y)`,
 * `a = alpha y + (1 − alpha)(1 − y)`: `loss = a · ce · (1 − p_t)^gamma` — easy examples
 * (`p_t → 1`) are down-weighted. Gradients, with `m = 1 − p_t`:
 * `∂/∂x = a [(p − y) m^γ − ce γ m^(γ−1) (2y − 1) p (1 − p)]`,
 * `∂/∂y = (2 alpha − 1) ce m^γ + a [−x m^γ + ce γ m^(γ−1) (1 − 2p)]`.
 *
 * Shapes: `input` (logits) `[*]`, `target` the same; result `[]`, or `[*]` for `'none'`.
 *
 * @example
 * ```ts
 * console.log(sigmoidFocalLoss([3, -2, 0.5], [1, 0, 1]).toString());
 * // tensor(0.0061)
 * ```
 * Differs from torchvision: the default reduction is `'mean'` (as every losskit loss), not `'none'`.
 */
export const sigmoidFocalLoss = elementwiseLoss({
  name: 'sigmoidFocalLoss',
  reference: 'torchvision.ops.sigmoid_focal_loss',
  args: [{ name: 'input', shape: '[*]', differentiable: true }, { name: 'target', shape: 'like input', differentiable: true }],
  options: {
    alpha: { type: 'number', default: 0.25, range: { min: 0, max: 1, also: [-1] }, doc: 'weight of positives (negatives get 1 − alpha), or −1 for none' },
    gamma: { type: 'number', default: 2, doc: 'focusing exponent (0: alpha-weighted BCE with logits)' },
  },
  plot: { x: 'logit', range: [-6, 6], targets: [1, 0] },
  cliAliases: ['focal'],
  params(options: SigmoidFocalLossOptions) {
    const alpha = numberOption('sigmoidFocalLoss', 'alpha', options.alpha, 0.25);
    if (!(alpha >= 0 && alpha <= 1) && alpha !== -1) {
      throw new Error(`sigmoidFocalLoss: alpha must be in [0, 1] or -1 for none, got ${alpha}`);
    }
    return { alpha, gamma: numberOption('sigmoidFocalLoss', 'gamma', options.gamma, 2) };
  },
  wasm: { kernel: 'sigmoidFocalElements', params: ({ alpha, gamma }) => [alpha, gamma] },
  pointwise(x, y, _, { alpha, gamma }, out) {
    const p = sigmoidScalar(x);
    const q = sigmoidScalar(-x); // 1 − p without cancellation
    const ce = bceWithLogitsScalar(x, y, 1, logSigmoidScalar(x)); // without its cancellation
    // m = 1 − p_t = 1 − (p y + (1 − p)(1 − y)) = y q + (1 − y) p: no cancellation on a confident
    // logit, where torchvision's 1 − p_t loses the digits (it rounds to 0 in float32 at x = 20).
    const m = y * q + (1 - y) * p;
    const mGamma = m ** gamma;
    // dm/dx = (1 − 2y) p q and dm/dy = q − p enter as ce · γ m^(γ−1) · dm. For γ < 1, m^(γ−1) is
    // infinite where m = 0 while ce and dm vanish (PyTorch: 0 · inf = NaN). Written γ m^γ · (ce / m):
    // ce / m stays bounded (m = 0 only for y ∈ {0, 1} on a saturated logit, where ce / m → 1), so
    // the product takes its limit, 0. PyTorch's pow backward is 0 for γ = 0, and so is this.
    const chain = gamma === 0 ? 0 : gamma * mGamma * (m > 0 ? ce / m : 0);
    const a = alpha >= 0 ? alpha * y + (1 - alpha) * (1 - y) : 1;
    out[0] = a * ce * mGamma;
    // p − y = p (1 − y) − y q, again without cancellation
    out[1] = a * ((p * (1 - y) - y * q) * mGamma + chain * (1 - 2 * y) * p * q);
    out[2] = (alpha >= 0 ? 2 * alpha - 1 : 0) * ce * mGamma + a * (-x * mGamma + chain * (q - p));
  },
});
