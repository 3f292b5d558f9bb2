// The float64 row helpers of the cross-entropy and softmax kernels (index.ts, activations.ts, through
// class-rows.ts): max, Σ exp(x − m) with the maxima counted apart, index of the maximum, in f64x2 lanes.
//
// The differential suite (test/support/differential-targets.ts, 'float64' targets) pins the kernels
// built on them to the TypeScript reference (src/losses/cross-entropy.ts, src/activations/softmax.ts)
// within 1e-9 relative.
import { exp2d } from './math64';

let NEG_INF2: v128 = f64x2.splat(-Infinity);
let ZERO2: v128 = f64x2.splat(0);

@inline function hmax2(v: v128): f64 {
  return max(f64x2.extract_lane(v, 0), f64x2.extract_lane(v, 1));
}

/** max of a row of C doubles (NaN is skipped: pmax keeps its first operand; it poisons the exp sum). */
export function rowMax64(row: usize, C: i32): f64 {
  const vector = C & ~1;
  let m0 = NEG_INF2, m1 = NEG_INF2, m2 = NEG_INF2, m3 = NEG_INF2;
  let c = 0;
  for (; c + 8 <= vector; c += 8) {
    const p = row + (<usize>c << 3);
    m0 = f64x2.pmax(m0, v128.load(p));
    m1 = f64x2.pmax(m1, v128.load(p, 16));
    m2 = f64x2.pmax(m2, v128.load(p, 32));
    m3 = f64x2.pmax(m3, v128.load(p, 48));
  }
  for (; c < vector; c += 2) m0 = f64x2.pmax(m0, v128.load(row + (<usize>c << 3)));
  let m = hmax2(f64x2.pmax(f64x2.pmax(m0, m1), f64x2.pmax(m2, m3)));
  if (c < C) {
    const v = load<f64>(row + (<usize>c << 3));
    if (v > m) m = v;
  }
  return m;
}

/** How many elements equalled the row's max in the last {@link expSumRow64}. */
let rowTies64: i32 = 0;

/** rowTies64, for the kernels of other files. */
export function lastTies64(): i32 {
  return rowTies64;
}

/**
 * Σ_c exp(x_c − m) over the elements below m (those equal to m counted in rowTies64), each exp
 * stored at `out` unless it is 0 (see expSumRow in index.ts for why the ties are kept apart).
 */
export function expSumRow64(row: usize, C: i32, m: f64, out: usize): f64 {
  const vector = C & ~1;
  const vm = f64x2.splat(m);
  let s0 = ZERO2, s1 = ZERO2;
  let ties = ZERO2; // −1 per tie, per lane (i64)
  let c = 0;
  for (; c + 4 <= vector; c += 4) {
    const p = row + (<usize>c << 3);
    const d0 = f64x2.sub(v128.load(p), vm);
    const d1 = f64x2.sub(v128.load(p, 16), vm);
    const e0 = exp2d(d0);
    const e1 = exp2d(d1);
    if (out) {
      v128.store(out + (<usize>c << 3), e0);
      v128.store(out + (<usize>c << 3), e1, 16);
    }
    const t0 = f64x2.eq(d0, ZERO2);
    const t1 = f64x2.eq(d1, ZERO2);
    s0 = f64x2.add(s0, v128.andnot(e0, t0));
    s1 = f64x2.add(s1, v128.andnot(e1, t1));
    ties = i64x2.add(ties, i64x2.add(t0, t1));
  }
  for (; c < vector; c += 2) {
    const d = f64x2.sub(v128.load(row + (<usize>c << 3)), vm);
    const e = exp2d(d);
    if (out) v128.store(out + (<usize>c << 3), e);
    const t = f64x2.eq(d, ZERO2);
    s0 = f64x2.add(s0, v128.andnot(e, t));
    ties = i64x2.add(ties, t);
  }
  const both = f64x2.add(s0, s1);
  let sum = f64x2.extract_lane(both, 0) + f64x2.extract_lane(both, 1);
  let count = -<i32>(i64x2.extract_lane(ties, 0) + i64x2.extract_lane(ties, 1));
  if (c < C) {
    const d = load<f64>(row + (<usize>c << 3)) - m;
    const e = f64x2.extract_lane(exp2d(f64x2.splat(d)), 0);
    if (d == 0) count++;
    else sum += e;
    if (out) store<f64>(out + (<usize>c << 3), e);
  }
  rowTies64 = count;
  return sum;
}

/** Index of the first of the C doubles at `row` equal to m. */
export function indexOf64(row: usize, C: i32, m: f64): i32 {
  for (let c = 0; c < C; c++) if (load<f64>(row + (<usize>c << 3)) == m) return c;
  return -1;
}
