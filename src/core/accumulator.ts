// A mergeable loss accumulator: per-item losses added a chunk at a time, on any number of machines,
// merged in any order and grouping, and always giving the same float64 result — the correctly
// rounded sum of every item, divided by the correctly rounded sum of the denominators.
//
// Why exact sums. Floating-point addition is not associative: (a + b) + c ≠ a + (b + c) in general,
// so a running or pairwise sum depends on where the data was cut into chunks and shards and in which
// order the pieces are combined. Compensated sums (Kahan, Neumaier) shrink the error but not the
// dependence. The only order-independent choice is to add exactly: every finite float64 is an
// integer multiple of 2^-1074 (the smallest subnormal), so the sum of any of them is the integer
// N · 2^-1074 with N = Σ (mantissa · 2^(exponent + 1074)). Integers add associatively, so N — and
// the one rounding of N · 2^-1074 to float64 at the end — is the same whatever the order.
//
// Speed. A BigInt addition per item would cost about a microsecond. Instead a chunk is first summed
// exactly in float64, per binary exponent, and the few bucket sums go to the BigInt once per chunk
// (a few float operations per item and no inner loop: 10× faster than Shewchuk's partials, the sum of
// Python's math.fsum, which loop over every partial for every item). An item x of biased exponent
// e (E = e − 1023, so |x| < 2^(E+1) and x is a multiple of its ulp 2^(E−52)) is split as
// x = hi + lo by hi = (x + C) − C with C = 1.5 · 2^(E+27): x + C lies in [2^(E+27), 2^(E+28)),
// whose spacing is 2^(E−25), so hi is x rounded to a multiple of 2^(E−25) (|hi| ≤ 2^(E+1)), the
// subtraction is exact, and lo = x − hi is exact, a multiple of 2^(E−52) with |lo| ≤ 2^(E−26).
// Each bucket adds its his (multiples of 2^(E−25) below 2^(E+1)) and its los (multiples of
// 2^(E−52) below 2^(E−26)) in float64: m of either sum to at most m · 2^26 units of their
// multiple, exact while that fits 53 bits, m ≤ 2^27; the buckets are emptied every 2^26 items.
// Subnormals (e = 0) share the ulp 2^-1074 of e = 1 and its bucket constant. Items too large for
// C (|x| ≥ 2^968, where C or a bucket sum could overflow) go to the BigInt one by one, so no range
// is lost and there is no intermediate overflow.
//
// Non-finite items are counted apart, as IEEE addition treats them: any NaN, or +Infinity with
// −Infinity, makes the sum NaN; otherwise an infinite item makes it infinite.
import { Tensor } from './tensor.js';

/** The serialised form of one exact sum: N as signed hexadecimal (sum = N · 2^-1074) and the non-finite items seen. */
export interface ExactSumState {
  fixed: string;
  nan: boolean;
  posInf: boolean;
  negInf: boolean;
}

/** What {@link LossAccumulator.toJSON} returns and {@link LossAccumulator.fromJSON} takes. */
export interface AccumulatorState {
  format: 'losskit-accumulator';
  version: 1;
  /** Number of per-item losses added. */
  items: number;
  /** Number of rows (samples) added, the denominator of 'batchmean'. */
  rows: number;
  sum: ExactSumState;
  denominator: ExactSumState;
}

/** The reductions an accumulator can give ('none' keeps every item: there is nothing to accumulate). */
export type AccumulatorReduction = 'mean' | 'sum' | 'batchmean';

const REDUCTIONS: readonly AccumulatorReduction[] = ['mean', 'sum', 'batchmean'];

const bits = new DataView(new ArrayBuffer(8));

/** x (finite) as the integer x · 2^1074. */
function toFixed(x: number): bigint {
  if (x === 0) return 0n;
  bits.setFloat64(0, x);
  const hi = bits.getUint32(0);
  const exponent = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(bits.getUint32(4));
  // Subnormal: mantissa · 2^-1074. Normal: (2^52 + mantissa) · 2^(exponent − 1075).
  if (exponent !== 0) mantissa = (mantissa | (1n << 52n)) << BigInt(exponent - 1);
  return x < 0 ? -mantissa : mantissa;
}

/** n · 2^-1074 rounded to the nearest float64, ties to even (±Infinity beyond the range). */
function fromFixed(n: bigint): number {
  if (n === 0n) return 0;
  const negative = n < 0n;
  const a = negative ? -n : n;
  const length = a.toString(2).length;
  let value: number;
  if (length <= 53) {
    // Below 2^-1021 the float64 spacing is 2^-1074: a · 2^-1074 is exact.
    value = Number(a) * Number.MIN_VALUE;
  } else {
    // Keep 55 bits (53, a guard bit, and a sticky bit ORed from everything below) so that Number()
    // rounds exactly as rounding the whole integer would; scaling by a power of two is then exact
    // (the result is normal, at least 2^-1021) or overflows to Infinity as the true value does.
    const shift = Math.max(0, length - 55);
    let q = a >> BigInt(shift);
    if (shift > 0 && (a & ((1n << BigInt(shift)) - 1n)) !== 0n) q |= 1n;
    value = Number(q);
    let e = shift - 1074;
    while (e !== 0) {
      const step = Math.max(-1000, Math.min(1000, e));
      value *= 2 ** step;
      e -= step;
    }
  }
  return negative ? -value : value;
}

function parseFixed(text: unknown, where: string): bigint {
  if (typeof text !== 'string' || !/^-?0x[0-9a-f]+$/.test(text)) {
    throw new TypeError(`LossAccumulator.fromJSON: ${where}.fixed must be a signed hexadecimal string such as '0x1f' or '-0x3', got ${JSON.stringify(text)}`);
  }
  return text.startsWith('-') ? -BigInt(text.slice(1)) : BigInt(text);
}

/** Items added between two emptyings of the buckets (their sums are exact up to 2^27 items). */
const FLUSH = 1 << 26;
/** The largest biased exponent with a bucket: 1023 + 967 (larger items are converted one by one). */
const LAST_BUCKET = 1990;
/** Items copied at a time to a float64 scratch buffer, whose 32-bit words give each item's exponent. */
const BLOCK = 2048;
const scratch = new Float64Array(BLOCK);
const words = new Uint32Array(scratch.buffer);
/** The index of a double's high word (sign, exponent, top of the mantissa) in `words`: the platform's byte order. */
const HIGH = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
/** The split constant of each bucket, C = 1.5 · 2^(E+27) (the subnormals' bucket 0 has bucket 1's). */
const SPLIT = Float64Array.from({ length: LAST_BUCKET + 1 }, (_, e) => 1.5 * 2 ** (Math.max(e, 1) - 1023 + 27));
/** The buckets' sums of hi and lo parts (empty between calls of addAll: one set serves every sum). */
const HI = new Float64Array(LAST_BUCKET + 1);
const LO = new Float64Array(LAST_BUCKET + 1);

/** An exact, order-independent sum of float64 values. */
class ExactSum {
  private fixed = 0n;
  private nan = false;
  private posInf = false;
  private negInf = false;

  /** Adds every value of `values` exactly (the derivation is at the top of this file). */
  addAll(values: ArrayLike<number>): void {
    let low = LAST_BUCKET + 1;
    let high = -1;
    let unflushed = 0;
    for (let base = 0; base < values.length; base += BLOCK) {
      const m = Math.min(BLOCK, values.length - base);
      for (let i = 0; i < m; i++) scratch[i] = values[base + i];
      for (let i = 0; i < m; i++) {
        const x = scratch[i];
        const e = (words[2 * i + HIGH] >>> 20) & 0x7ff;
        if (e > LAST_BUCKET) {
          if (e === 0x7ff) {
            // NaN or ±Infinity.
            if (Number.isNaN(x)) this.nan = true;
            else if (x > 0) this.posInf = true;
            else this.negInf = true;
          } else this.fixed += toFixed(x);
          continue;
        }
        const c = SPLIT[e];
        const hi = x + c - c;
        HI[e] += hi;
        LO[e] += x - hi;
        if (e < low) low = e;
        if (e > high) high = e;
      }
      unflushed += m;
      if (unflushed >= FLUSH || base + m >= values.length) {
        for (let e = low; e <= high; e++) {
          if (HI[e] !== 0) this.fixed += toFixed(HI[e]);
          if (LO[e] !== 0) this.fixed += toFixed(LO[e]);
          HI[e] = 0;
          LO[e] = 0;
        }
        low = LAST_BUCKET + 1;
        high = -1;
        unflushed = 0;
      }
    }
  }

  merge(other: ExactSum): void {
    this.fixed += other.fixed;
    this.nan ||= other.nan;
    this.posInf ||= other.posInf;
    this.negInf ||= other.negInf;
  }

  value(): number {
    if (this.nan || (this.posInf && this.negInf)) return NaN;
    if (this.posInf) return Infinity;
    if (this.negInf) return -Infinity;
    return fromFixed(this.fixed);
  }

  toJSON(): ExactSumState {
    const hex = (this.fixed < 0n ? '-0x' : '0x') + (this.fixed < 0n ? -this.fixed : this.fixed).toString(16);
    return { fixed: hex, nan: this.nan, posInf: this.posInf, negInf: this.negInf };
  }

  static fromJSON(state: unknown, where: string): ExactSum {
    if (typeof state !== 'object' || state === null) throw new TypeError(`LossAccumulator.fromJSON: ${where} must be an object, got ${JSON.stringify(state)}`);
    const s = state as Record<string, unknown>;
    const sum = new ExactSum();
    sum.fixed = parseFixed(s.fixed, where);
    for (const flag of ['nan', 'posInf', 'negInf'] as const) {
      if (typeof s[flag] !== 'boolean') throw new TypeError(`LossAccumulator.fromJSON: ${where}.${flag} must be true or false, got ${JSON.stringify(s[flag])}`);
      sum[flag] = s[flag];
    }
    return sum;
  }
}

function valuesOf(x: Tensor | ArrayLike<number>, what: string): ArrayLike<number> {
  if (x instanceof Tensor) return x.data;
  if (x === null || typeof x !== 'object' || typeof (x as ArrayLike<number>).length !== 'number') {
    throw new TypeError(`LossAccumulator.add: ${what} must be a Tensor or an array of numbers, got ${x === null ? 'null' : typeof x}`);
  }
  return x;
}

function count(n: number, what: string): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`LossAccumulator.add: ${what} must be a non-negative integer, got ${n}`);
  return n;
}

/**
 * Accumulates per-item losses so that a 'mean', 'sum' or 'batchmean' over data seen in pieces —
 * chunks of a file, shards on other threads or machines — is exactly the one over all of it.
 *
 * result('sum') = fl(Σ losses), result('mean') = fl(Σ losses) / fl(Σ denominators),
 * result('batchmean') = fl(Σ losses) / rows, where Σ is exact and fl rounds once to float64.
 * The state is the same, bit for bit, whatever the order and grouping of add() and merge() calls.
 *
 * Shapes: `losses` holds one loss per item (a loss called with `reduction: 'none'`, any shape);
 * `denominator` is what 'mean' divides by — per item (PyTorch's weighted mean divides by the weights
 * of the items: pass `weight[target]` per row for a weighted cross-entropy) or one number for the
 * chunk; by default, one per item.
 *
 * @example
 * ```ts
 * const a = new LossAccumulator().add(mseLoss(tensor([1, 2]), tensor([0, 0]), { reduction: 'none' }));
 * const b = new LossAccumulator().add([9]);                     // another shard
 * const whole = LossAccumulator.fromJSON(JSON.parse(JSON.stringify(a))).merge(b);
 * console.log(whole.result('mean'), whole.result('sum'), whole.items);
 * // 4.666666666666667 14 3
 * ```
 *
 * Note: PyTorch sums a tensor in float32 for float32 inputs (pairwise, in blocks); the accumulator
 * sums the items' float32 values exactly in float64, which is at least as accurate and is what makes
 * the result independent of the chunking.
 */
export class LossAccumulator {
  private readonly total = new ExactSum();
  private readonly divisor = new ExactSum();
  private itemCount = 0;
  private rowCount = 0;

  /** Number of per-item losses added. */
  get items(): number {
    return this.itemCount;
  }

  /** Number of rows added ('batchmean' divides by it). */
  get rows(): number {
    return this.rowCount;
  }

  /**
   * Adds a chunk: its per-item losses, what 'mean' divides by (per item or in all; default: one
   * per item) and its number of rows (default: one per item).
   */
  add(losses: Tensor | ArrayLike<number>, options: { denominator?: number | Tensor | ArrayLike<number>; rows?: number } = {}): this {
    const values = valuesOf(losses, 'losses');
    const { denominator, rows } = options;
    const items = count(values.length, 'the number of losses');
    const rowsAdded = rows === undefined ? items : count(rows, 'rows');
    this.total.addAll(values);
    if (denominator === undefined) this.divisor.addAll([items]);
    else if (typeof denominator === 'number') this.divisor.addAll([denominator]);
    else this.divisor.addAll(valuesOf(denominator, 'denominator'));
    this.itemCount += items;
    this.rowCount += rowsAdded;
    return this;
  }

  /** Adds everything `other` accumulated (other is not changed). */
  merge(other: LossAccumulator): this {
    if (!(other instanceof LossAccumulator)) throw new TypeError('LossAccumulator.merge: other must be a LossAccumulator');
    this.total.merge(other.total);
    this.divisor.merge(other.divisor);
    this.itemCount += other.itemCount;
    this.rowCount += other.rowCount;
    return this;
  }

  /** The exact sum of the losses, rounded once. */
  sum(): number {
    return this.total.value();
  }

  /** The exact sum of the denominators, rounded once. */
  denominator(): number {
    return this.divisor.value();
  }

  /** The reduced loss; a 'mean' over nothing is NaN, as PyTorch's. */
  result(reduction: AccumulatorReduction = 'mean'): number {
    switch (reduction) {
      case 'sum':
        return this.sum();
      case 'mean':
        return this.sum() / this.denominator();
      case 'batchmean':
        return this.sum() / this.rowCount;
      default: {
        const never: never = reduction;
        throw new RangeError(`LossAccumulator.result: reduction must be one of ${REDUCTIONS.join(', ')}, got ${JSON.stringify(never)}`);
      }
    }
  }

  /** A plain JSON-serialisable state; exact (sums as integers), so a round trip loses nothing. */
  toJSON(): AccumulatorState {
    return { format: 'losskit-accumulator', version: 1, items: this.itemCount, rows: this.rowCount, sum: this.total.toJSON(), denominator: this.divisor.toJSON() };
  }

  /** The accumulator a {@link toJSON} state describes; throws naming the field that is wrong. */
  static fromJSON(state: unknown): LossAccumulator {
    if (typeof state !== 'object' || state === null) throw new TypeError(`LossAccumulator.fromJSON: state must be an object, got ${state === null ? 'null' : typeof state}`);
    const s = state as Record<string, unknown>;
    if (s.format !== 'losskit-accumulator') throw new TypeError(`LossAccumulator.fromJSON: format must be 'losskit-accumulator', got ${JSON.stringify(s.format)}`);
    if (s.version !== 1) throw new TypeError(`LossAccumulator.fromJSON: version must be 1, got ${JSON.stringify(s.version)}`);
    const accumulator = new LossAccumulator();
    for (const key of ['items', 'rows'] as const) {
      const v = s[key];
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new TypeError(`LossAccumulator.fromJSON: ${key} must be a non-negative integer, got ${JSON.stringify(v)}`);
    }
    accumulator.itemCount = s.items as number;
    accumulator.rowCount = s.rows as number;
    accumulator.total.merge(ExactSum.fromJSON(s.sum, 'sum'));
    accumulator.divisor.merge(ExactSum.fromJSON(s.denominator, 'denominator'));
    return accumulator;
  }
}
