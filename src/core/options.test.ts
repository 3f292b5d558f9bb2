// Options objects and argument counts: own properties of plain objects only, everything checked.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as L from '../index.js';
import { ALL_LOSSES } from '../../test/support/all-losses.js';

const x = [[1, 2, 3], [3, 1, 0]];

/** Every public function that takes options, called with `options` as its options argument. */
const withOptions: [string, (options: unknown) => unknown][] = [
  ['tensor', (o) => L.tensor(x, o as never)],
  ['softmax', (o) => L.softmax(x, o as never)],
  ['logSoftmax', (o) => L.logSoftmax(x, o as never)],
  ['logSumExp', (o) => L.logSumExp(x, o as never)],
  ['sigmoid', (o) => L.sigmoid(x, o as never)],
  ['logSigmoid', (o) => L.logSigmoid(x, o as never)],
  ['softplus', (o) => L.softplus(x, o as never)],
  ['logLoss', (o) => L.logLoss([0, 1], [0.2, 0.7], o as never)],
  ...ALL_LOSSES.flatMap((entry): [string, (options: unknown) => unknown][] => [
    [entry.fn.name, (o) => entry.fn(...entry.args(2, 1), o)],
    [entry.fn.name, (o) => entry.fn.withGrad(...entry.args(2, 1), o)],
  ]),
];

class Settings {
  reduction = 'sum';
}

test('options: a Map, a Date, a class instance, an array or an object inheriting its options is refused, naming the function', () => {
  const cases: [unknown, string][] = [
    [new Map([['reduction', 'sum']]), 'a Map'],
    [new Date(0), 'a Date'],
    [new Settings(), 'a Settings'],
    [['sum'], 'an array'],
    [Object.create({ reducton: 'sum' }), 'an object inheriting from another object'],
    [null, 'null'],
    ['sum', "the string 'sum'"],
    [0, 'the number 0'],
  ];
  for (const [name, call] of withOptions) {
    for (const [options, described] of cases) {
      assert.throws(
        () => call(options),
        (e: Error) => e.message.startsWith(`${name}: options must be an object such as {`) && e.message.endsWith(`got ${described}`),
        `${name} with ${described}`,
      );
    }
  }
});

test('options: unknown names throw everywhere, with the valid ones listed', () => {
  for (const [name, call] of withOptions) {
    assert.throws(() => call({ nonsense: 1 }), new RegExp(`^Error: ${name}: unknown option 'nonsense'; valid options: `), name);
  }
  assert.throws(() => L.sigmoid([1], { beta: 1 } as never), /^Error: sigmoid: unknown option 'beta'; valid options: none$/);
  assert.throws(() => L.softmax([1], { dims: 0 } as never), /^Error: softmax: unknown option 'dims' \(did you mean 'dim'\?\); valid options: dim$/);
  assert.throws(() => L.tensor([1], { dtyp: 'float64' } as never), /^Error: tensor: unknown option 'dtyp' \(did you mean 'dtype'\?\); valid options: dtype, shape$/);
  assert.throws(
    () => L.logLoss([0, 1], [0.2, 0.7], { normalise: false } as never),
    /^Error: logLoss: unknown option 'normalise' \(did you mean 'normalize'\?\); valid options: normalize, sampleWeight, labels$/,
  );
});

test('options: nothing on Object.prototype reaches a result', () => {
  const expected = withOptions.map(([, call]) => String(call({})));
  const proto = Object.prototype as Record<string, unknown>;
  const polluted = { reduction: 'sum', dim: 0, dtype: 'float64', shape: [6], beta: 3, keepdim: true, normalize: false, labelSmoothing: 0.5, margin: 7 };
  Object.assign(proto, polluted);
  try {
    withOptions.forEach(([name, call], i) => assert.equal(String(call({})), expected[i], name));
  } finally {
    for (const key of Object.keys(polluted)) delete proto[key];
  }
});

test('options: a null-prototype object is a plain object, and only its own properties count', () => {
  const options = Object.assign(Object.create(null) as object, { reduction: 'sum' as const });
  assert.equal(L.mseLoss([1, 2], [0, 0], options).item(), 5);
  // A getter is read once, like a value.
  let reads = 0;
  const counted = { get reduction() { reads++; return 'sum' as const; } };
  assert.equal(L.mseLoss.withGrad([1, 2], [0, 0], counted).loss.item(), 5);
  assert.equal(reads, 1);
});

test('arguments: extra arguments throw, naming the function and its parameters', () => {
  assert.throws(() => (L.softmax as (...a: unknown[]) => unknown)([1, 2], {}, 3), /^Error: softmax: expected at most 2 arguments \(input, options\), got 3$/);
  assert.throws(() => (L.logSumExp as (...a: unknown[]) => unknown)([1, 2], {}, 3), /^Error: logSumExp: expected at most 2 arguments \(input, options\), got 3$/);
  assert.throws(() => (L.softplus as (...a: unknown[]) => unknown)([1, 2], {}, 3), /^Error: softplus: expected at most 2 arguments \(input, options\), got 3$/);
  assert.throws(() => [1, 2].map(L.sigmoid as (v: number) => unknown), /^Error: sigmoid: expected at most 2 arguments \(input, options\), got 3$/);
  assert.throws(() => (L.tensor as (...a: unknown[]) => unknown)([1], {}, 1), /^Error: tensor: expected at most 2 arguments \(values, options\), got 3$/);
  assert.throws(() => (L.logLoss as (...a: unknown[]) => unknown)([0, 1], [0.2, 0.7], {}, 1), /^Error: logLoss: expected at most 3 arguments \(yTrue, yPred, options\), got 4$/);
  assert.throws(() => (L.mseLoss as (...a: unknown[]) => unknown)([1], [1], {}, 1), /^Error: mseLoss: expected at most 3 arguments \(input, target, options\), got 4$/);
  assert.throws(() => (L.ctcLoss as (...a: unknown[]) => unknown)([[0]], [], [1], [0], {}, {}), /^Error: ctcLoss: expected at most 5 arguments \(logProbs, targets, inputLengths, targetLengths, options\), got 6$/);
  // A trailing undefined is no argument.
  assert.equal(L.sigmoid([0], undefined).item(), 0.5);
  assert.equal((L.mseLoss as (...a: unknown[]) => L.Tensor)([1], [0], undefined, undefined).item(), 1);
});

test('logLoss: labels must be an array of numbers or strings', () => {
  assert.throws(() => L.logLoss([0, 1], [0.2, 0.7], { labels: new Set([0, 1]) as never }), /^Error: logLoss: labels must be an array of numbers or strings, got a Set$/);
});
