// The differential suite: every loss and activation, on both backends, on generated inputs with
// special elements and rows, against each other and a float64 reference (test/support/differential.ts
// states the agreement rule). Small inputs run with setBackend('wasm') forced; large ones (at
// least WASM_THRESHOLD elements) under 'auto', as a user's call would. `npm test` runs this file
// under plain SIMD and again under relaxed SIMD (the fused multiply-add build).
//
// LOSSKIT_SOAK=N multiplies every run count by N (a longer soak, see DEVELOPERS.md);
// LOSSKIT_DIFF_SEED fixes fast-check's seed (printed with every failure) to replay a run.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import fc from 'fast-check';
import * as losskit from '../src/index.js';
import { WASM_THRESHOLD, wasmVariant } from '../src/index.js';
import { ALL_LOSSES } from './support/all-losses.js';
import { checkCase } from './support/differential.js';
import { TARGETS } from './support/differential-targets.js';
import { dims, largeCase, smallCase } from './support/differential-values.js';

const SOAK = Math.max(1, Number(process.env.LOSSKIT_SOAK ?? 1) || 1);
const SEED = process.env.LOSSKIT_DIFF_SEED === undefined ? undefined : Number(process.env.LOSSKIT_DIFF_SEED);
const SMALL_RUNS = 150 * SOAK;
const LARGE_RUNS = 4 * SOAK;

/** fast-check's report, with the shrunk case as checkCase printed it (loss, arguments, options, what each path gave). */
function run<T>(arb: fc.Arbitrary<T>, check: (c: T) => void, numRuns: number): void {
  const result = fc.check(fc.property(arb, (c) => check(c)), { numRuns, seed: SEED, endOnFailure: false });
  if (result.failed) {
    const reason = result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance);
    assert.fail(`${reason}\n  (seed ${result.seed}, path "${result.counterexamplePath}", after ${result.numRuns} runs and ${result.numShrinks} shrinks; kernels: ${wasmVariant()})`);
  }
}

// Where the kernels load asynchronously (a wasmReady() export), wait for them: until then 'auto'
// runs the TypeScript path and the comparison would be vacuous.
const ready = (losskit as unknown as { wasmReady?: () => Promise<unknown> }).wasmReady;
before(async () => {
  await ready?.();
});

describe('differential: ts and wasm against a float64 reference', () => {
  test('the WebAssembly kernels run here (else every comparison below would be ts against ts)', () => {
    assert.ok(wasmVariant() === 'simd' || wasmVariant() === 'relaxed-simd', `wasmVariant() is ${String(wasmVariant())}`);
  });

  for (const target of TARGETS) {
    test(`${target.name}: small inputs, setBackend('wasm')`, () => {
      run(dims.chain((d) => smallCase(target.recipe(d))), (c) => checkCase(target, c), SMALL_RUNS);
    });
    if (target.large) {
      const shapes = target.large;
      test(`${target.name}: inputs of at least ${WASM_THRESHOLD} elements, setBackend('auto')`, () => {
        run(fc.constantFrom(...shapes).chain((d) => largeCase(target.recipe(d))), (c) => checkCase(target, c, true), LARGE_RUNS * shapes.length);
      });
    }
  }

  test('every loss of the property tests is covered here', () => {
    const covered = new Set(TARGETS.map((t) => t.fn));
    for (const entry of ALL_LOSSES) assert.ok(covered.has(entry.fn as never), `${entry.name} has no differential target`);
    for (const t of TARGETS.filter((t) => t.large)) {
      for (const d of t.large!) assert.ok(d.N * d.C >= WASM_THRESHOLD, `${t.name}: large shape [${d.N}, ${d.C}] is below the threshold`);
    }
  });
});
