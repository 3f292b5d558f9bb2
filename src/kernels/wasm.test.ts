import assert from 'node:assert/strict';
import { test } from 'node:test';
import { random } from '../../test/support/random.js';
import { crossEntropy, getBackend, setBackend, tensor } from '../index.js';
import { mapWasm } from './wasm.js';

/** Distance in units in the last place between two float32 values (0 when both are NaN). */
function ulps(a: number, b: number): number {
  if (Number.isNaN(a) && Number.isNaN(b)) return 0;
  if (a === b) return 0;
  const view = new DataView(new ArrayBuffer(8));
  const ordered = (v: number) => {
    view.setFloat32(0, v);
    const bits = view.getInt32(0);
    return bits < 0 ? -2147483648 - bits : bits;
  };
  return Math.abs(ordered(a) - ordered(b));
}

function maxUlps(values: Float32Array, actual: Float32Array, reference: (x: number) => number) {
  let worst = 0;
  let at = 0;
  values.forEach((x, i) => {
    const u = ulps(actual[i], Math.fround(reference(x)));
    if (u > worst) [worst, at] = [u, x];
  });
  return { worst, at };
}

test('exp4: within 2 ulp of Math.exp over the whole float32 range it does not flush (measured: 1 on a dense grid)', () => {
  const next = random(7);
  const xs = Float32Array.from({ length: 400_000 }, (_, i) => (i < 200_000 ? -87.3 + (176 * i) / 200_000 : -87.3 + 176 * next()));
  const { worst, at } = maxUlps(xs, mapWasm('exp', xs), Math.exp);
  assert.ok(worst <= 2, `max ${worst} ulp at x = ${at}`);
  // The edges: -100 (a clamped log-probability), ±1e4 (extreme logits), the flush and overflow points, NaN.
  const edges = Float32Array.from([-1e4, -100, -87.4, 0, 1, 89, 1e4, NaN, -Infinity, Infinity]);
  assert.deepEqual(Array.from(mapWasm('exp', edges)), [0, 0, 0, 1, Math.fround(Math.E), Infinity, Infinity, NaN, 0, Infinity]);
});

test('log4: within 2 ulp of Math.log over every positive normal float32 (sampled by bit pattern; measured: 1)', () => {
  const next = random(8);
  const bits = new Int32Array(400_000).map(() => 0x00800000 + Math.floor(next() * (0x7f800000 - 0x00800000)));
  const xs = new Float32Array(bits.buffer);
  const { worst, at } = maxUlps(xs, mapWasm('log', xs), Math.log);
  assert.ok(worst <= 2, `max ${worst} ulp at x = ${at}`);
  assert.deepEqual(Array.from(mapWasm('log', Float32Array.from([0, -1, 1, Infinity, NaN]))), [-Infinity, NaN, 0, Infinity, NaN]);
  const smallestNormal = 2 ** -126;
  assert.ok(ulps(mapWasm('log', Float32Array.of(smallestNormal))[0], Math.fround(Math.log(smallestNormal))) <= 1);
});

test("backends: setBackend('wasm') and setBackend('ts') agree on large random cross-entropy within float32 tolerance", () => {
  const next = random(9);
  const [N, C] = [300, 1000];
  const logits = tensor(Float32Array.from({ length: N * C }, () => (next() - 0.5) * 20), { shape: [N, C] });
  const targets = Array.from({ length: N }, (_, i) => (i % 17 === 0 ? 5 : Math.floor(next() * C)));
  const weight = Float32Array.from({ length: C }, () => 0.5 + next());
  const gradOutput = Float32Array.from({ length: N }, () => next() - 0.5);
  const before = getBackend();
  try {
    const probabilities = tensor(Float32Array.from({ length: N * C }, () => next() / (C / 2)), { shape: [N, C] });
    const cases: [unknown, object][] = [
      [targets, {}],
      [targets, { labelSmoothing: 0.1, weight, ignoreIndex: 5 }],
      [targets, { reduction: 'sum' }],
      [targets, { reduction: 'none', gradOutput }],
      [probabilities, { labelSmoothing: 0.2, weight }],
      [probabilities, { reduction: 'none', gradOutput }],
    ];
    for (const [target, options] of cases) {
      const run = (backend: 'ts' | 'wasm') => {
        setBackend(backend);
        return crossEntropy.withGrad(logits, target as number[], options);
      };
      const a = run('ts');
      const b = run('wasm');
      const close = (x: ArrayLike<number>, y: ArrayLike<number>, what: string) => {
        let scale = 1;
        for (let i = 0; i < x.length; i++) scale = Math.max(scale, Math.abs(x[i]));
        for (let i = 0; i < x.length; i++) {
          assert.ok(Math.abs(x[i] - y[i]) <= 2e-5 * Math.abs(x[i]) + 8 * 2 ** -23 * scale, `${what}[${i}]: ts ${x[i]}, wasm ${y[i]} (${Object.keys(options).join(', ')})`);
        }
      };
      close(a.loss.data, b.loss.data, 'loss');
      close(a.grad!.data, b.grad!.data, 'grad');
      if (a.grads[1]) close(a.grads[1].data, b.grads[1]!.data, 'target grad');
    }
  } finally {
    setBackend(before);
  }
});

test('setBackend: bad input', () => {
  assert.throws(() => setBackend('gpu' as never), /^Error: setBackend: backend 'gpu' is not valid \(valid: 'auto', 'ts', 'wasm'\)$/);
});
