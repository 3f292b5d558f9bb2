// Central finite differences in float64 to check analytic gradients.
import assert from 'node:assert/strict';
import { tensor, type AnyLoss, type Tensor } from '../../src/index.js';

/**
 * Checks every non-null gradient of `loss.withGrad(...args, options)` against
 * (f(x + h) − f(x − h)) / 2h of sum(loss · gradOutput), element by element, in float64.
 */
export function checkFiniteDifferences(loss: unknown, args: Tensor[], options: Record<string, unknown> = {}, label = ''): number {
  const fn = loss as AnyLoss;
  const plain = fn(...args, options);
  const gradOutput = tensor(
    Array.from({ length: plain.size }, (_, i) => 0.5 + ((i * 7) % 5) / 4),
    { dtype: 'float64', shape: plain.shape },
  );
  const objective = (xs: Tensor[]) => {
    const l = fn(...xs, options);
    let s = 0;
    for (let i = 0; i < l.size; i++) s += l.data[i] * gradOutput.data[i];
    return s;
  };
  const { grads } = fn.withGrad(...args, { ...options, gradOutput });
  let checked = 0;
  grads.forEach((g, k) => {
    if (g === null) return;
    for (let i = 0; i < args[k].size; i++) {
      const x = args[k].data[i];
      const h = 1e-6 * Math.max(1, Math.abs(x));
      const shifted = (delta: number) =>
        args.map((a, j) => {
          if (j !== k) return a;
          const data = Float64Array.from(a.data);
          data[i] += delta;
          return tensor(data, { shape: a.shape });
        });
      const numeric = (objective(shifted(h)) - objective(shifted(-h))) / (2 * h);
      const analytic = g.data[i];
      const tolerance = 1e-6 * Math.max(1, Math.abs(numeric)) + 1e-7;
      assert.ok(
        Math.abs(analytic - numeric) <= tolerance,
        `${label} grads[${k}][${i}]: analytic ${analytic}, finite difference ${numeric}`,
      );
      checked++;
    }
  });
  return checked;
}
