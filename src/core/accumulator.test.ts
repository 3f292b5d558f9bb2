import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LossAccumulator } from './accumulator.js';
import { tensor } from './tensor.js';

// An exact reference, independent of the code under test: Number.prototype.toString(2) prints a
// double's exact binary expansion, read here as the integer x · 2^1074.
function exact(x: number): bigint {
  const negative = x < 0;
  const [whole, fraction = ''] = Math.abs(x).toString(2).split('.');
  const digits = whole + fraction.padEnd(1074, '0');
  const n = BigInt('0b' + digits);
  return negative ? -n : n;
}

const view = new DataView(new ArrayBuffer(8));
/** The next double away from zero (or towards it with -1), by stepping the bit pattern. */
function step(x: number, direction: 1 | -1): number {
  view.setFloat64(0, x);
  view.setBigUint64(0, view.getBigUint64(0) + BigInt(direction));
  return view.getFloat64(0);
}

/** Asserts that r is the double nearest to the exact sum of xs. */
function assertCorrectlyRounded(r: number, xs: number[]): void {
  const s = xs.reduce((a, x) => a + exact(x), 0n);
  const abs = (v: bigint) => (v < 0n ? -v : v);
  const error = abs(s - exact(r));
  for (const neighbour of [step(r, 1), step(r, -1)]) {
    if (Number.isFinite(neighbour)) assert.ok(error <= abs(s - exact(neighbour)), `${r} is not the nearest double to the exact sum`);
  }
}

/** A deterministic generator (mulberry32), for shuffles and random values. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Values over a wide range of magnitudes and signs, with cancellation. */
function wild(n: number, rand: () => number): number[] {
  return Array.from({ length: n }, () => (rand() < 0.5 ? -1 : 1) * rand() * 2 ** Math.floor(rand() * 200 - 100));
}

test('LossAccumulator: sums are correctly rounded where a float sum loses everything', () => {
  const xs = [1e16, 1, -1e16, 0.1, 0.2, -0.3, 2 ** -1074, 3 * 2 ** -1074];
  const acc = new LossAccumulator().add(xs);
  assert.notEqual(xs.reduce((a, b) => a + b, 0), acc.sum(), 'the naive sum differs (the case is a real test)');
  assertCorrectlyRounded(acc.sum(), xs);
  const rand = random(7);
  for (let trial = 0; trial < 20; trial++) {
    const values = wild(200, rand);
    assertCorrectlyRounded(new LossAccumulator().add(values).sum(), values);
  }
  // Powers of two over the whole range, one per exponent bucket.
  const spread = Array.from({ length: 2000 }, (_, k) => (k % 2 ? -1 : 1) * 2 ** (k - 1074));
  assertCorrectlyRounded(new LossAccumulator().add(spread).sum(), spread);
  // Subnormal results, and the sum of a single value, are exact.
  assert.equal(new LossAccumulator().add([2 ** -1074, 2 ** -1074]).sum(), 2 ** -1073);
  assert.equal(new LossAccumulator().add([Number.MAX_VALUE]).sum(), Number.MAX_VALUE);
});

test('LossAccumulator: the state is the exact sum for items of every exponent, many to a bucket, and beyond the buckets', () => {
  const rand = random(11);
  const fixed = (xs: ArrayLike<number>) => {
    const hex = new LossAccumulator().add(xs).toJSON().sum.fixed;
    return hex.startsWith('-') ? -BigInt(hex.slice(1)) : BigInt(hex);
  };
  const reference = (xs: ArrayLike<number>) => Array.from(xs).reduce((a, x) => a + exact(x), 0n);
  // Every biased exponent, subnormals included, with random mantissas and signs; and items whose
  // split constant would overflow (|x| ≥ 2^968) beside ones just below.
  const everywhere = Array.from({ length: 20000 }, () => (rand() < 0.5 ? -1 : 1) * (1 + rand()) * 2 ** Math.floor(rand() * 2098 - 1075));
  everywhere.push(2 ** 968, -(2 ** 967) * 1.75, Number.MAX_VALUE, -Number.MAX_VALUE * 0.75, 2 ** -1074, -(2 ** -1060) * 1.3);
  assert.equal(fixed(everywhere), reference(everywhere));
  // A million items in one bucket, each with 52 random mantissa bits, mostly of one sign: the
  // bucket's float sums stay exact. As float32 too (widened exactly).
  const mantissa = () => Math.floor(rand() * 2 ** 26) * 2 ** -26 + Math.floor(rand() * 2 ** 26) * 2 ** -52;
  const crowded = Float64Array.from({ length: 1 << 20 }, (_, i) => (i % 5 ? 1 : -1) * (1 + mantissa()));
  assert.equal(fixed(crowded), reference(crowded));
  const single = Float32Array.from(crowded);
  assert.equal(fixed(single), reference(single));
});

test('LossAccumulator: the result is bit-identical whatever the chunking, order and grouping of merges', () => {
  const rand = random(42);
  const values = wild(3000, rand);
  const reference = JSON.stringify(new LossAccumulator().add(values));
  const naiveResults = new Set<number>();
  for (let trial = 0; trial < 10; trial++) {
    const order = values.map((v) => v).sort(() => rand() - 0.5);
    const shards: LossAccumulator[] = [];
    for (let start = 0; start < order.length; ) {
      const end = Math.min(order.length, start + 1 + Math.floor(rand() * 400));
      shards.push(new LossAccumulator().add(Float64Array.from(order.slice(start, end))));
      start = end;
    }
    // Merge in a random tree: repeatedly merge two random pieces.
    while (shards.length > 1) {
      const a = shards.splice(Math.floor(rand() * shards.length), 1)[0];
      const b = shards.splice(Math.floor(rand() * shards.length), 1)[0];
      shards.push(rand() < 0.5 ? a.merge(b) : LossAccumulator.fromJSON(JSON.parse(JSON.stringify(b))).merge(a));
    }
    assert.equal(JSON.stringify(shards[0]), reference);
    naiveResults.add(order.reduce((a, b) => a + b, 0));
  }
  assert.ok(naiveResults.size > 1, 'a float sum of the same values does depend on the order');
});

test('LossAccumulator: no intermediate overflow; non-finite items as IEEE addition treats them', () => {
  const big = Number.MAX_VALUE;
  for (const xs of [[big, big, -big], [-big, big, big], [big, -big, big]]) assert.equal(new LossAccumulator().add(xs).sum(), big);
  assert.equal(new LossAccumulator().add([big, big]).sum(), Infinity);
  assert.equal(new LossAccumulator().add([-big, -big * 0.5]).sum(), -Infinity);
  assert.equal(new LossAccumulator().add([1, Infinity]).sum(), Infinity);
  assert.ok(Number.isNaN(new LossAccumulator().add([Infinity]).merge(new LossAccumulator().add([-Infinity])).sum()));
  assert.ok(Number.isNaN(new LossAccumulator().add([1, NaN, 2]).result('mean')));
  const inf = LossAccumulator.fromJSON(JSON.parse(JSON.stringify(new LossAccumulator().add([-Infinity, 3]))));
  assert.equal(inf.sum(), -Infinity);
});

test('LossAccumulator: mean divides by the summed denominators, batchmean by the rows', () => {
  // A weighted mean as PyTorch's: Σ w·loss / Σ w, here over two chunks.
  const acc = new LossAccumulator()
    .add(tensor([2, 6]), { denominator: [1, 3], rows: 2 })
    .add([4], { denominator: 0.5, rows: 1 });
  assert.equal(acc.result('sum'), 12);
  assert.equal(acc.result('mean'), 12 / 4.5);
  assert.equal(acc.result('batchmean'), 4);
  assert.deepEqual([acc.items, acc.rows], [3, 3]);
  assert.equal(new LossAccumulator().add([5, 7]).result(), 6);
  assert.ok(Number.isNaN(new LossAccumulator().result('mean')), 'a mean over nothing is NaN');
  assert.equal(new LossAccumulator().result('sum'), 0);
});

test('LossAccumulator: bad arguments and states are errors naming the field', () => {
  assert.throws(() => new LossAccumulator().add(3 as unknown as number[]), /^TypeError: LossAccumulator\.add: losses must be a Tensor or an array of numbers, got number$/);
  assert.throws(() => new LossAccumulator().add([1], { rows: -1 }), /^RangeError: LossAccumulator\.add: rows must be a non-negative integer, got -1$/);
  assert.throws(() => new LossAccumulator().result('none' as 'sum'), /reduction must be one of mean, sum, batchmean, got "none"/);
  const good = new LossAccumulator().add([1, 2]).toJSON();
  assert.throws(() => LossAccumulator.fromJSON({ ...good, format: 'x' }), /format must be 'losskit-accumulator'/);
  assert.throws(() => LossAccumulator.fromJSON({ ...good, items: 1.5 }), /items must be a non-negative integer, got 1\.5/);
  assert.throws(() => LossAccumulator.fromJSON({ ...good, sum: { ...good.sum, fixed: '12' } }), /sum\.fixed must be a signed hexadecimal string/);
  assert.throws(() => LossAccumulator.fromJSON({ ...good, denominator: { ...good.denominator, nan: 'no' } }), /denominator\.nan must be true or false/);
  assert.throws(() => LossAccumulator.fromJSON(null), /state must be an object, got null/);
  assert.equal(LossAccumulator.fromJSON(good).result('mean'), 1.5);
});
