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
