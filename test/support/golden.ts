// Runs a loss's golden fixture cases (values and every gradient) against the loss.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LossWithGrad, Tensor } from '../../src/index.js';
import { assertTensorClose } from './close.js';
import { decode, decodeOptions, lossCases, type LossCase } from './fixtures.js';

type AnyLoss = ((...args: unknown[]) => Tensor) & { withGrad: (...args: unknown[]) => LossWithGrad };

/**
 * A documented departure from PyTorch: rewrites the reference value of gradient `argIndex` (or of
 * the loss, argIndex -1) where losskit deliberately differs, given the case's decoded arguments.
 */
export type Departure = (c: LossCase, args: unknown[], argIndex: number, expected: Tensor) => Tensor;

function describeCase(c: LossCase, index: number): string {
  const options = Object.entries(c.options)
    .map(([k, v]) => `${k}=${typeof v === 'object' ? 'tensor' : String(v)}`)
    .join(' ');
  const shapes = c.args.map((a) => (typeof a === 'number' ? 'number' : `[${a.shape.join(',')}]`)).join(' ');
  return `case ${index} (${shapes} ${options})`;
}

export function goldenTests(name: string, loss: unknown, departure?: Departure): void {
  const fn = loss as AnyLoss;
  const cases = lossCases(name);
  describe(`${name} matches PyTorch (golden fixtures)`, () => {
    test('has fixtures', () => assert.ok(cases.length >= 12, `only ${cases.length} cases for ${name}`));
    for (const dtype of ['float32', 'float64'] as const) {
      for (const range of ['small', 'typical', 'extreme'] as const) {
        const group = cases.filter((c) => c.dtype === dtype && c.range === range);
        if (group.length === 0) continue;
        test(`${dtype}, ${range} inputs: ${group.length} cases, values and gradients`, () => {
          group.forEach((c, index) => {
            const label = `${name} ${dtype} ${range} ${describeCase(c, index)}`;
            const args = c.args.map((a) => (typeof a === 'number' ? a : decode(a)));
            const options = decodeOptions(c.options);
            const adjust = (k: number, t: Tensor) => (departure ? departure(c, args, k, t) : t);
            const expectedLoss = adjust(-1, decode(c.loss));
            assertTensorClose(fn(...args, options), expectedLoss, `${label} loss`);
            const gradOutput = c.gradOutput ? decode(c.gradOutput) : undefined;
            const result = fn.withGrad(...args, { ...options, ...(gradOutput ? { gradOutput } : {}) });
            assertTensorClose(result.loss, expectedLoss, `${label} withGrad loss`);
            assert.equal(result.grad, result.grads[0], `${label}: grad is grads[0]`);
            c.grads.forEach((g, k) => {
              if (g === 'not-compared') return;
              if (g === null) assert.equal(result.grads[k], null, `${label}: grads[${k}] should be null (PyTorch gives none)`);
              else assertTensorClose(result.grads[k]!, adjust(k, decode(g)), `${label} grads[${k}]`);
            });
          });
        });
      }
    }
  });
}
