// What defineLoss does for every loss: outputs that overlap anything read are refused; int32 data
// is differentiated as float32 data.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as L from '../index.js';
import { ALL_LOSSES } from '../../test/support/all-losses.js';

before(() => L.wasmReady());

const backends = ['ts', 'wasm'] as const;

function onBoth(name: string, body: () => void): void {
  for (const backend of backends) {
    test(`${name} (backend '${backend}')`, () => {
      L.setBackend(backend);
      try {
        body();
      } finally {
        L.setBackend('auto');
      }
    });
  }
}

/** A Float32Array of n elements starting `at` elements into `buffer`. */
const view = (buffer: ArrayBuffer, at: number, n: number) => new Float32Array(buffer, at * 4, n);

onBoth('aliasing: gradInto overlapping gradOutput, weight or posWeight is refused', () => {
  const x = new Float32Array([0.5, -1, 2, 0.25]);
  const y = new Float32Array([1, 0, 1, 0]);
  const shared = new ArrayBuffer(4 * 8);
  const fill = () => new Float32Array(shared).set([1, 2, 3, 4, 5, 6, 7, 8]);
  fill();
  const before = Array.from(new Float32Array(shared));
  const cases: [string, () => unknown][] = [
    ['gradOutput', () => L.mseLoss.withGrad(x, y, { reduction: 'none', gradOutput: view(shared, 2, 4), gradInto: view(shared, 0, 4) })],
    ['weight', () => L.mseLoss.withGrad(x, y, { weight: view(shared, 3, 4), gradInto: view(shared, 0, 4) })],
    ['posWeight', () => L.binaryCrossEntropyWithLogits.withGrad(x, y, { posWeight: L.tensor([2]) && new L.Tensor(view(shared, 0, 1), [1]), gradInto: view(shared, 0, 4) })],
    ['weight', () => L.crossEntropy.withGrad(new L.Tensor(x, [2, 2]), [0, 1], { weight: view(shared, 4, 2), gradInto: view(shared, 3, 4) })],
    ['gradOutput', () => L.crossEntropy.withGrad(new L.Tensor(x, [2, 2]), [0, 1], { reduction: 'none', gradOutput: { data: view(shared, 0, 2), shape: [2] }, gradInto: view(shared, 1, 4) })],
  ];
  for (const [what, call] of cases) {
    assert.throws(call, new RegExp(`^Error: (mseLoss|binaryCrossEntropyWithLogits|crossEntropy): gradInto shares memory with ${what}$`));
    assert.deepEqual(Array.from(new Float32Array(shared)), before, `nothing written (${what})`);
  }
  // Adjacent views of one buffer do not overlap: accepted, and the numbers are those of separate arrays.
  const apart = L.mseLoss.withGrad(x, y, { reduction: 'none', gradOutput: view(shared, 4, 4), gradInto: view(shared, 0, 4) });
  const reference = L.mseLoss.withGrad(x, y, { reduction: 'none', gradOutput: new Float32Array([5, 6, 7, 8]) });
  assert.deepEqual(Array.from(apart.grad.data), Array.from(reference.grad.data));
});

onBoth('aliasing: lossInto overlapping gradInto, an input or an option is refused; inputs stay untouched', () => {
  const x = new Float32Array([0.5, -1, 2, 0.25]);
  const y = new Float32Array([1, 0, 1, 0]);
  const g = new Float32Array(4);
  assert.throws(() => L.mseLoss.withGrad(x, y, { reduction: 'none', lossInto: g, gradInto: g }), /^Error: mseLoss: lossInto shares memory with gradInto$/);
  assert.throws(() => L.mseLoss(x, y, { reduction: 'none', lossInto: x }), /^Error: mseLoss: lossInto shares memory with input$/);
  assert.throws(() => L.l1Loss(x, { data: y, shape: [4] }, { reduction: 'none', lossInto: y }), /^Error: l1Loss: lossInto shares memory with target$/);
  assert.throws(() => L.mseLoss(x, y, { reduction: 'none', weight: g, lossInto: g }), /^Error: mseLoss: lossInto shares memory with weight$/);
  assert.throws(() => L.mseLoss.withGrad(x, y, { reduction: 'none', gradOutput: g, lossInto: g }), /^Error: mseLoss: lossInto shares memory with gradOutput$/);
  const scores = new Float32Array([1, 2, 3, 4, 5, 6]);
  assert.throws(
    () => L.crossEntropy(new L.Tensor(scores, [2, 3]), [0, 2], { reduction: 'none', lossInto: scores.subarray(4) }),
    /^Error: crossEntropy: lossInto shares memory with input$/,
  );
  assert.deepEqual(Array.from(x), [0.5, -1, 2, 0.25]);
  assert.deepEqual(Array.from(y), [1, 0, 1, 0]);
  assert.deepEqual(Array.from(scores), [1, 2, 3, 4, 5, 6]);
});

/** `t` with its values rounded to integers, as `dtype`. */
const rounded = (t: L.Tensor, dtype: 'float32' | 'int32') => L.tensor(Array.from(t.data, (v) => Math.round(v) + 0), { dtype, shape: t.shape }); // + 0: no -0, which int32 cannot hold

function outcome(run: () => L.LossWithGrad): { error: string } | { loss: number[]; grads: ({ dtype: string; data: number[] } | null)[] } {
  try {
    const r = run();
    assert.equal(r.grad, r.grads[0]);
    return { loss: Array.from(r.loss.data), grads: r.grads.map((g) => (g ? { dtype: g.dtype, data: Array.from(g.data) } : null)) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

test('int32 data is differentiated as float32 data, in every position of every loss', () => {
  let compared = 0;
  for (const entry of ALL_LOSSES) {
    const args = entry.args(3, 5);
    const float = args.map((a) => rounded(a, 'float32'));
    const expected = outcome(() => entry.fn.withGrad(...float, entry.options ?? {}));
    args.forEach((_, k) => {
      const mixed = float.map((a, j) => (j === k ? rounded(args[j], 'int32') : a));
      const actual = outcome(() => entry.fn.withGrad(...mixed, entry.options ?? {}));
      // PyTorch refuses integer probability targets; refusing them is the one other answer allowed.
      if ('error' in actual && /float32 or float64/.test(actual.error)) return;
      assert.deepEqual(actual, expected, `${entry.name}: argument ${k} as int32`);
      compared++;
    });
    if ('grads' in expected) assert.ok(expected.grads[0] !== null, `${entry.name}: a gradient for argument 0`);
  }
  assert.ok(compared >= 49, `${compared} comparisons`);
});

onBoth('int32 argument 0: a float32 gradient, written into a Float32Array gradInto', () => {
  const gradInto = new Float32Array(4);
  const r = L.mseLoss.withGrad(new Int32Array([1, 2, 3, 4]), [0, 0, 0, 0], { gradInto });
  assert.equal(r.grad.data, gradInto);
  assert.deepEqual(Array.from(gradInto), [0.5, 1, 1.5, 2]);
  const ce = L.crossEntropy.withGrad(L.tensor([[1, 2], [3, 4]], { dtype: 'int32' }), [0, 1]);
  assert.equal(ce.grad.dtype, 'float32');
  assert.equal(ce.loss.dtype, 'float32');
});

test('aliasing: on every loss, gradInto or lossInto sharing one element with any argument is refused, nothing written', () => {
  for (const entry of ALL_LOSSES) {
    const args = entry.args(3, 2);
    const size0 = args[0].size;
    args.forEach((arg, k) => {
      // Argument k at the start of a buffer; the output starts on its last element.
      const buffer = new Float64Array(arg.size + size0 + 1);
      buffer.set(arg.data);
      const shared = args.map((a, j) => (j === k ? new L.Tensor(buffer.subarray(0, arg.size), arg.shape) : a));
      const before = Array.from(buffer);
      const at = arg.size - 1;
      assert.throws(
        () => entry.fn.withGrad(...shared, { ...entry.options, gradInto: buffer.subarray(at, at + size0) }),
        new RegExp(`^Error: ${entry.fn.name}: gradInto shares memory with \\w+$`),
        `${entry.name}: gradInto over argument ${k}`,
      );
      assert.throws(
        () => entry.fn(...shared, { ...entry.options, lossInto: buffer.subarray(at, at + 1) }),
        new RegExp(`^Error: ${entry.fn.name}: lossInto shares memory with \\w+$`),
        `${entry.name}: lossInto over argument ${k}`,
      );
      assert.deepEqual(Array.from(buffer), before, `${entry.name}: argument ${k} untouched`);
    });
  }
});

test('plain-array targets keep integers float32 cannot hold (class indices beyond 2^24, an ignoreIndex of 2**32 + 1), on both backends', () => {
  for (const backend of ['ts', 'wasm'] as const) {
    L.setBackend(backend);
    try {
      const logits = L.tensor([[1, 2], [3, 1]]);
      const exact = L.crossEntropy(logits, Float64Array.of(2 ** 32 + 1, 0), { ignoreIndex: 2 ** 32 + 1 });
      assert.deepEqual(L.crossEntropy(logits, [2 ** 32 + 1, 0], { ignoreIndex: 2 ** 32 + 1 }).data, exact.data);
      assert.ok(Number.isNaN(L.crossEntropy([[1, 2]], [16777217], { ignoreIndex: 16777217 }).item()), 'the one row is ignored: a mean over nothing');
      assert.throws(() => L.crossEntropy([[1, 2]], [16777217]), /crossEntropy: target 16777217 is out of range for 2 classes/);
      // Targets float32 holds exactly stay float32, as before.
      assert.equal(L.mseLoss(new Float32Array([1, 2]), [0.1, 3]).dtype, 'float32');
      assert.equal(L.mseLoss(new Float32Array([1, 2]), [0.1, 3]).item(), L.mseLoss(new Float32Array([1, 2]), new Float32Array([0.1, 3])).item());
    } finally {
      L.setBackend('auto');
    }
  }
});
