// Tolerances scaled by machine epsilon, and comparisons that name the failing element.
import assert from 'node:assert/strict';
import type { Tensor } from '../../src/index.js';

export const EPSILON = { float32: 2 ** -23, float64: 2 ** -52 } as const;

/**
 * The agreement the issue asks for: float32 2e-5 relative (≈ 168 ε32), float64 1e-9 relative.
 * The absolute floor is 8 ε of the result's largest magnitude (at least 1): where PyTorch rounds
 * an intermediate of order 1 in float32, an exact answer of 1e-27 and PyTorch's 0 are both right.
 */
export const TOLERANCE = {
  float32: { rtol: 2e-5, floor: 8 * EPSILON.float32 },
  float64: { rtol: 1e-9, floor: 8 * EPSILON.float64 },
} as const;

export function closeTo(actual: number, expected: number, rtol: number, atol: number): boolean {
  if (Number.isNaN(expected)) return Number.isNaN(actual);
  if (!Number.isFinite(expected)) return actual === expected;
  return Math.abs(actual - expected) <= rtol * Math.abs(expected) + atol;
}

/** Asserts shape, dtype and every element within the dtype's tolerance. */
export function assertTensorClose(actual: Tensor, expected: Tensor, label: string, scale?: number): void {
  assert.deepEqual(actual.shape, expected.shape, `${label}: shape`);
  assert.equal(actual.dtype, expected.dtype, `${label}: dtype`);
  const dtype = expected.dtype === 'float64' ? 'float64' : 'float32';
  const { rtol, floor } = TOLERANCE[dtype];
  let magnitude = scale ?? 1;
  for (const v of expected.data) if (Number.isFinite(v)) magnitude = Math.max(magnitude, Math.abs(v));
  for (let i = 0; i < expected.size; i++) {
    const a = actual.data[i];
    const e = expected.data[i];
    if (!closeTo(a, e, rtol, floor * magnitude)) {
      assert.fail(`${label}: element ${i} is ${a}, expected ${e} (rtol ${rtol}, atol ${floor * magnitude})`);
    }
  }
}

/**
 * How far losskit's float32 CTC may be from PyTorch's own float32 kernel, which runs its alpha/beta
 * recursions and the gradient's exponent `lcab + nll − lp` (a sum of terms the size of the loss) in
 * float32. losskit accumulates in float64 and meets PyTorch's float64 computation on the same values
 * at the float32 tolerance above. Measured (docs/opinfo.md, written by scripts/generate_opinfo.py
 * from PyTorch's own CTC cases, and test/fixtures/losses/ctc.json): losses within 3e-7 relative;
 * gradients within 2.2e-4 of the gradient's largest magnitude (elementwise, where exp(lp) and the
 * posterior cancel, a small element's relative difference reaches 0.07 on PyTorch's cases and 37 on
 * ctc.json's peaked log-probabilities: an absolute error, not a relative one).
 * Bounds with a 2–3× margin:
 */
export const CTC_FLOAT32_KERNEL = { loss: 1e-6, grad: 5e-4 } as const;

/**
 * Asserts `actual` within `bound` of PyTorch's float32 kernel's `expected`: relative per element
 * for a loss, relative to the largest magnitude for a gradient; NaN and ±Inf must match exactly.
 */
export function assertNearFloat32Kernel(actual: Tensor, expected: Tensor, kind: 'loss' | 'grad', label: string): void {
  const bound = CTC_FLOAT32_KERNEL[kind];
  let magnitude = 0;
  for (const v of expected.data) if (Number.isFinite(v)) magnitude = Math.max(magnitude, Math.abs(v));
  expected.data.forEach((e, i) => {
    const a = actual.data[i];
    const ok = Number.isNaN(e) ? Number.isNaN(a) : !Number.isFinite(e) ? a === e : Math.abs(a - e) <= bound * (kind === 'loss' ? Math.abs(e) : magnitude);
    assert.ok(ok, `${label}[${i}]: ${a} vs PyTorch float32 ${e} (${kind} bound ${bound}${kind === 'grad' ? ` × ${magnitude}` : ''})`);
  });
}
