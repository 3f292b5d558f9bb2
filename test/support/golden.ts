// Runs a loss's golden fixture cases (values and every gradient) against the loss.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { catalog, setBackend, wasmReady, tensor, type AnyLoss, type Backend, type Tensor } from '../../src/index.js';
import { assertTensorClose } from './close.js';
import { decode, decodeOptions, lossCases, type LossCase } from './fixtures.js';
import { assertNearFloat32Kernel } from './close.js';

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

export interface GoldenOptions {
  /** A documented adjustment of PyTorch's values where losskit deliberately differs. */
  departure?: Departure;
  /**
   * Log-space losses (CTC): absolute errors scale with the log-likelihoods summed along the way, so
   * the absolute floor is also multiplied by the largest |loss| of the case.
   */
  scaleByLoss?: boolean;
  /**
   * Where a case carries a float64 reference (CTC: PyTorch's float32 kernel accumulates in float32),
   * losskit meets the float64 reference at the usual float32 tolerance, and PyTorch's own float32
   * numbers within the measured bounds of `CTC_FLOAT32_KERNEL` (close.ts).
   */
  float32Kernel?: boolean;
}

/**
 * Runs a loss's golden fixtures: with the default backend, then — when the catalogue lists a
 * WebAssembly kernel for it — again with `setBackend('wasm')`, so the kernels meet the same fixtures.
 */
export function goldenTests(name: string, loss: unknown, departureOrOptions?: Departure | GoldenOptions): void {
  const options = typeof departureOrOptions === 'function' ? ({ departure: departureOrOptions } as GoldenOptions) : departureOrOptions ?? {};
  const entry = catalog[name];
  assert.ok(entry && entry.fn === loss, `${name} is not the catalogue's name of this loss`);
  goldenSuite(name, loss as AnyLoss, options);
  if (entry.kernels.length > 0) goldenSuite(name, loss as AnyLoss, options, 'wasm');
}

function goldenSuite(name: string, fn: AnyLoss, { departure, scaleByLoss, float32Kernel }: GoldenOptions, backend?: Backend): void {
  const cases = lossCases(name);
  describe(`${name} matches PyTorch (golden fixtures)${backend ? `, backend '${backend}'` : ''}`, () => {
    if (backend) {
      before(async () => {
        await wasmReady(); // setBackend('wasm') needs the kernels loaded
        setBackend(backend);
      });
      after(() => setBackend('auto'));
    }
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
            const reference = c.reference64 ?? c;
            // Against a float64 reference, our float32 results are rounded float64 values.
            const asResult = (t: Tensor) => (c.reference64 ? tensor(t.data, { dtype: c.dtype, shape: t.shape }) : t);
            const expectedLoss = asResult(adjust(-1, decode(reference.loss)));
            let scale = 1;
            if (scaleByLoss) for (const v of expectedLoss.data) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
            assertTensorClose(fn(...args, options), expectedLoss, `${label} loss`, scale);
            const gradOutput = c.gradOutput ? decode(c.gradOutput) : undefined;
            const result = fn.withGrad(...args, { ...options, ...(gradOutput ? { gradOutput } : {}) });
            assertTensorClose(result.loss, expectedLoss, `${label} withGrad loss`, scale);
            assert.equal(result.grad, result.grads[0], `${label}: grad is grads[0]`);
            reference.grads.forEach((g, k) => {
              if (g === 'not-compared') return;
              if (g === null) assert.equal(result.grads[k], null, `${label}: grads[${k}] should be null (PyTorch gives none)`);
              else assertTensorClose(result.grads[k]!, asResult(adjust(k, decode(g))), `${label} grads[${k}]`, scale);
            });
            if (c.reference64 && float32Kernel) {
              assertNearFloat32Kernel(result.loss, decode(c.loss), 'loss', `${label} loss (PyTorch float32)`);
              c.grads.forEach((g, k) => {
                if (g && g !== 'not-compared') assertNearFloat32Kernel(result.grads[k]!, decode(g), 'grad', `${label} grads[${k}] (PyTorch float32)`);
              });
            }
          });
        });
      }
    }
  });
}
