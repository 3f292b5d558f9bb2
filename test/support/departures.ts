// Documented departures from PyTorch (README, 'Where losskit deliberately differs'): how a
// PyTorch reference value becomes losskit's, shared by the golden and the OpInfo tests.
import { tensor, type Tensor } from '../../src/index.js';

/**
 * `poissonNllLoss({ full: true })`: PyTorch's target gradient at a target of exactly 0 is NaN
 * (autograd multiplies the masked-out Stirling term's zero gradient by log 0). That term is
 * identically 0 for targets <= 1, so losskit's target gradient there is the plain one, -input
 * (logInput) or -log(input + eps), times the upstream gradient.
 */
export function poissonFullTargetGradient(
  options: Record<string, unknown>,
  input: Tensor,
  target: Tensor,
  gradOutput: Tensor | null,
  expected: Tensor,
): Tensor {
  if (options.full !== true) return expected;
  const eps = (options.eps as number | undefined) ?? 1e-8;
  const reduction = (options.reduction as string | undefined) ?? 'mean';
  const g = gradOutput ? gradOutput.data : [1];
  const upstream = (i: number) => (reduction === 'none' ? g[i] : reduction === 'mean' ? g[0] / input.size : g[0]);
  const plain = (x: number) => (options.logInput === false ? -Math.log(x + eps) : -x);
  const data = Float64Array.from(expected.data, (v, i) => (target.data[i] === 0 && Number.isNaN(v) ? plain(input.data[i]) * upstream(i) : v));
  return tensor(expected.dtype === 'float32' ? Float32Array.from(data) : data, { shape: expected.shape });
}
