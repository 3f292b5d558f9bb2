// Elementwise losses over n float32 elements, fused with their gradients. Every kernel takes:
// x, t (inputs), w (per-element weights or 0), aux (per-element pos weights or 0), n, two scalar
// parameters, the upstream gradient (a scalar, or per element at `upstreamPtr`), the gradient
// outputs gx and gt (0 = not wanted) and the per-element losses (0 = not wanted). Returns the sum
// of the weighted losses (f64). Formulas as in the TypeScript losses (src/losses/*.ts).
import { exp4, expNonPositive4, log4, madd } from './math';

let ZERO: v128 = f32x4.splat(0);
let ONE: v128 = f32x4.splat(1);
let TWO: v128 = f32x4.splat(2);
let HALF: v128 = f32x4.splat(0.5);
let SIGN_MASK: v128 = i32x4.splat(0x80000000);
let LOG_FLOOR: v128 = f32x4.splat(-100);
let BCE_EPS: v128 = f32x4.splat(1e-12); // PyTorch's EPSILON: 1e-12 as a float
let NEG_INF: v128 = f32x4.splat(-Infinity);
let ATANH_3: v128 = f32x4.splat(1.0 / 3);
let ATANH_5: v128 = f32x4.splat(1.0 / 5);
let ATANH_7: v128 = f32x4.splat(1.0 / 7);
let ATANH_9: v128 = f32x4.splat(1.0 / 9);
let ATANH_11: v128 = f32x4.splat(1.0 / 11);
let ATANH_13: v128 = f32x4.splat(1.0 / 13);
let ATANH_15: v128 = f32x4.splat(1.0 / 15);
let F64_ZERO: v128 = f64x2.splat(0);

@inline function sign4(d: v128): v128 {
  // sign(d): ±1, and 0 at 0 (and NaN for NaN, through the subtraction of the two masks' values)
  return f32x4.sub(v128.and(f32x4.gt(d, ZERO), ONE), v128.and(f32x4.lt(d, ZERO), ONE));
}

@inline function abs4(d: v128): v128 {
  return v128.andnot(d, SIGN_MASK);
}

/**
 * log(1 + e) for e in [0, 1] without a logarithm: log1p(e) = 2 atanh(s) with s = e / (2 + e) in
 * [0, 1/3], and atanh(s) = s (1 + s²/3 + s⁴/5 + ... + s¹⁴/15); the first term left out is below
 * s¹⁶/17 ≤ 3.5e-9 relative: exact to float32.
 */
@inline function log1pSmall4(e: v128): v128 {
  const s = f32x4.div(e, f32x4.add(TWO, e));
  const t = f32x4.mul(s, s);
  const t2 = f32x4.mul(t, t);
  const t4 = f32x4.mul(t2, t2);
  // Estrin's scheme: (1 + t/3) + t²(1/5 + t/7) + t⁴((1/9 + t/11) + t²(1/13 + t/15))
  const a = madd(t, ATANH_3, ONE);
  const b = madd(t, ATANH_7, ATANH_5);
  const c = madd(t, ATANH_11, ATANH_9);
  const d = madd(t, ATANH_15, ATANH_13);
  const p = madd(t4, madd(t2, d, c), madd(t2, b, a));
  return f32x4.mul(f32x4.add(s, s), p);
}

// Sums: the kernels accumulate in f64x2 (low and high halves of each f32x4), which keeps float32
// losses exact to the end without a serial chain of scalar adds per vector.
@inline function addLow(acc: v128, v: v128): v128 {
  return f64x2.add(acc, f64x2.promote_low_f32x4(v));
}

@inline function addHigh(acc: v128, v: v128): v128 {
  return f64x2.add(acc, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)));
}

@inline function total2(lo: v128, hi: v128): f64 {
  const s = f64x2.add(lo, hi);
  return f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
}

let INF: v128 = f32x4.splat(Infinity);

/**
 * (1 − y) x − (1 + (pw − 1) y) log σ(x) without its cancellation (see bceWithLogitsScalar in
 * src/core/stable.ts): x >= 0: (1 − y) x + ((1 − y) + pw y) l1p, x < 0: −pw y x + ((1 − y) + pw y) l1p,
 * with l1p = log1p(e^−|x|); PyTorch's form at x = ±inf (its NaN there).
 */
@inline function logitCrossEntropy(x: v128, y: v128, pw: v128, logSig: v128, l1p: v128): v128 {
  const oneMinusY = f32x4.sub(ONE, y);
  const pwy = f32x4.mul(pw, y);
  // pw (y x), not (pw y) x: a tiny target and pos weight would underflow before meeting a logit near 1e38.
  const linear = v128.bitselect(f32x4.mul(oneMinusY, x), f32x4.neg(f32x4.mul(pw, f32x4.mul(y, x))), f32x4.ge(x, ZERO));
  const stable = f32x4.add(linear, f32x4.mul(f32x4.add(oneMinusY, pwy), l1p));
  const plain = f32x4.sub(f32x4.mul(oneMinusY, x), f32x4.mul(f32x4.add(ONE, f32x4.sub(pwy, y)), logSig));
  return v128.bitselect(plain, stable, f32x4.eq(abs4(x), INF));
}

@inline function ld(p: usize, i: i32): v128 {
  return v128.load(p + (<usize>i << 2));
}

@inline function st(p: usize, i: i32, v: v128): void {
  v128.store(p + (<usize>i << 2), v);
}

/**
 * The end of every loop body: weights, upstream scale and the stores; returns what the total adds up. Each kernel's loop is an
 * @inline function that its export calls with literal zeros for the common case (no weights or
 * pos weights, one upstream scalar, no per-element losses; with and without the target gradient): Binaryen then folds
 * these branches away, since V8 does not unswitch loops (1.3x on MSE and BCE with logits, 4M elements).
 * `n` must be a multiple of 4 (the driver finishes the tail).
 */
@inline function finish(i: i32, loss: v128, gxv: v128, gtv: v128, w: usize, upstream: f32, upstreamPtr: usize, gx: usize, gt: usize, losses: usize): v128 {
  let l = loss;
  const scale = upstreamPtr ? ld(upstreamPtr, i) : f32x4.splat(upstream);
  // (g · u) · w, not g · (u · w): u · w can underflow to 0 (a mean's 1/n times a weight of
  // 1e-45) and turn an infinite g into NaN, or a large one into 0.
  let gxs = f32x4.mul(gxv, scale);
  let gts = f32x4.mul(gtv, scale);
  if (w) {
    const wv = ld(w, i);
    l = f32x4.mul(l, wv);
    gxs = f32x4.mul(gxs, wv);
    gts = f32x4.mul(gts, wv);
  }
  if (losses) st(losses, i, l);
  if (gx) st(gx, i, gxs);
  if (gt) st(gt, i, gts);
  // What is summed: the loss, plus g · 0 for every gradient written — 0, or NaN where a gradient is
  // not finite, which makes the total NaN and sends the call to the float64 path (a float32
  // intermediate overflowed: pos weights of 1e38, logits near float32's max).
  let sum = l;
  if (gx) sum = f32x4.add(sum, f32x4.mul(gxs, ZERO));
  if (gt) sum = f32x4.add(sum, f32x4.mul(gts, ZERO));
  return sum;
}

@inline function l1Loop(x: usize, t: usize, w: usize, aux: usize, n: i32, p1: f32, p2: f32, upstream: f32, upstreamPtr: usize, gx: usize, gt: usize, losses: usize): f64 {
  let lo = F64_ZERO;
  let hi = F64_ZERO;
  for (let i = 0; i < n; i += 4) {
    const d = f32x4.sub(ld(x, i), ld(t, i));
    const g = sign4(d);
    const l = finish(i, abs4(d), g, f32x4.neg(g), w, upstream, upstreamPtr, gx, gt, losses);
    lo = addLow(lo, l);
    hi = addHigh(hi, l);
  }
  return total2(lo, hi);
}

export function l1Elements(x: usize, t: usize, w: usize, aux: usize, n: i32, p1: f32, p2: f32, upstream: f32, upstreamPtr: usize, gx: usize, gt: usize, losses: usize): f64 {
  if (w | aux | upstreamPtr | losses) return l1Loop(x, t, w, aux, n, p1, p2, upstream, upstreamPtr, gx, gt, losses);
  return gt ? l1Loop(x, t, 0, 0, n, p1, p2, upstream, 0, gx, gt, 0) : l1Loop(x, t, 0, 0, n, p1, p2, upstream, 0, gx, 0, 0);
}

@inline function mseLoop(x: usize, t: usize, w: usize, aux: usize, n: i32, p1: f32, p2: f32, upstream: f32, upstreamPtr: usize, gx: usize, gt: usize, losses: usize): f64 {
  let lo = F64_ZERO;
  let hi = F64_ZERO;
  for (let i = 0; i < n; i += 4) {
    const d = f32x4.sub(ld(x, i), ld(t, i));
    const g = f32x4.mul(TWO, d);
    const l = finish(i, f32x4.mul(d, d), g, f32x4.neg(g), w, upstream, upstreamPtr, gx, gt, losses);
    lo = addLow(lo, l);
    hi = addHigh(hi, l);
  }
  return total2(lo, hi);
}

export function mseElements(x: usize, t: usize, w: usize, aux: usize, n: i32, p1: f32, p2: f32, upstream: f32, upstreamPtr: usize, gx: usize, gt: usize, losses: usize): f64 {
  if (w | aux | upstreamPtr | losses) return mseLoop(x, t, w, aux, n, p1, p2, upstream, upstreamPtr, gx, gt, losses);
  return gt ? mseLoop(x, t, 0, 0, n, p1, p2, upstream, 0, gx, gt, 0) : mseLoop(x, t, 0, 0, n, p1, p2, upstream, 0, gx, 0, 0);
}

/** smooth L1 (p1 = beta) — and Huber when p2 = 1: the same pieces scaled by delta = beta. */
@inline function smoothL1Loop(x: usize, t: usize, w: usize, aux: usize, n: i32, beta: f32, huber: f32, upstream: f32, upstreamPtr: usize, gx: usize, gt: usize, losses: usize): f64 {
  let lo = F64_ZERO;
  let hi = F64_ZERO;
  const b = f32x4.splat(beta);
  const halfB = f32x4.splat(0.5 * beta);
  for (let i = 0; i < n; i += 4) {
    const d = f32x4.sub(ld(x, i), ld(t, i));
    const z = abs4(d);
    const inside = f32x4.lt(z, b);
    let loss: v128;
    let g: v128;
    if (huber != 0) {
      // Huber(delta = beta): 0.5 d² inside, delta (|d| − 0.5 delta) outside; gradient clamp(d, −delta, delta).
      loss = v128.bitselect(f32x4.mul(HALF, f32x4.mul(d, d)), f32x4.mul(b, f32x4.sub(z, halfB)), inside);
      g = v128.bitselect(d, f32x4.mul(b, sign4(d)), inside);
    } else {
      loss = v128.bitselect(f32x4.div(f32x4.mul(HALF, f32x4.mul(d, d)), b), f32x4.sub(z, halfB), inside);
      g = v128.bitselect(f32x4.div(d, b), sign4(d), inside);
    }
    // sign4 is 0 at NaN; PyTorch's gradient there is NaN (except smooth L1 with beta = 0, which
    // PyTorch computes as the L1 loss, whose gradient is 0 at NaN).
    if (huber != 0 || beta != 0) g = v128.bitselect(d, g, f32x4.ne(d, d));
    const l = finish(i, loss, g, f32x4.neg(g), w, upstream, upstreamPtr, gx, gt, losses);
    lo = addLow(lo, l);
    hi = addHigh(hi, l);
  }
  return total2(lo, hi);
}

/**
 * The same in float64, for a beta (delta) beyond float32's range (it would round to +inf: 0.5 d² / inf
 * = 0, and NaN at an infinite d), as the TypeScript reference computes it. One element at a time:
 * only such parameters come here.
 */
function smoothL1Wide(x: usize, t: usize, w: usize, n: i32, beta: f64, huber: f32, upstream: f32, upstreamPtr: usize, gx: usize, gt: usize, losses: usize): f64 {
  let total: f64 = 0;
  for (let i = 0; i < n; i++) {
    const at = <usize>i << 2;
    const d = <f64>load<f32>(x + at) - <f64>load<f32>(t + at);
    const z = Math.abs(d);
    const sign: f64 = d > 0 ? 1 : d < 0 ? -1 : d; // NaN stays NaN
    let loss: f64, g: f64;
    if (z < beta) {
      loss = huber != 0 ? 0.5 * d * d : (0.5 * d * d) / beta;
      g = huber != 0 ? d : d / beta;
    } else {
      loss = huber != 0 ? beta * (z - 0.5 * beta) : z - 0.5 * beta;
      g = huber != 0 ? beta * sign : sign;
    }
    let scale = upstreamPtr ? <f64>load<f32>(upstreamPtr + at) : <f64>upstream;
    if (w) {
      const wi = <f64>load<f32>(w + at);
      loss *= wi;
      scale *= wi;
    }
    if (losses) store<f32>(losses + at, <f32>loss);
    if (gx) store<f32>(gx + at, <f32>(g * scale));
    if (gt) store<f32>(gt + at, <f32>(-g * scale));
    total += loss;
  }
  return total;
}

export function smoothL1Elements(x: usize, t: usize, w: usize, aux: usize, n: i32, beta: f64, huber: f32, upstream: f32, upstreamPtr: usize, gx: usize, gt: usize, losses: usize): f64 {
  if (<f32>beta == Infinity && beta != Infinity) return smoothL1Wide(x, t, w, n, beta, huber, upstream, upstreamPtr, gx, gt, losses);
  const b = <f32>beta;
  if (w | aux | upstreamPtr | losses) return smoothL1Loop(x, t, w, aux, n, b, huber, upstream, upstreamPtr, gx, gt, losses);
  return gt ? smoothL1Loop(x, t, 0, 0, n, b, huber, upstream, 0, gx, gt, 0) : smoothL1Loop(x, t, 0, 0, n, b, huber, upstream, 0, gx, 0, 0);
}

/** BCE with logits; aux = per-element pos weights (0: 1). */
@inline function bceWithLogitsLoop(x: usize, t: usize, w: usize, aux: usize, n: i32, p1: f32, p2: f32, upstream: f32, upstreamPtr: usize, gx: usize, gt: usize, losses: usize): f64 {
  let lo = F64_ZERO;
  let hi = F64_ZERO;
  for (let i = 0; i < n; i += 4) {
    const xv = ld(x, i);
    const y = ld(t, i);
    const e = expNonPositive4(f32x4.neg(abs4(xv))); // exp(−|x|) in (0, 1]
    const l1p = log1pSmall4(e);
    const logSig = f32x4.sub(f32x4.pmin(xv, ZERO), l1p);
    // σ(x) and σ(−x) = 1 − σ(x): 1 / (1 + e) and e / (1 + e), one for each sign of x
    const r = f32x4.div(ONE, f32x4.add(ONE, e));
    const er = f32x4.mul(e, r);
    const positive = f32x4.ge(xv, ZERO);
    const sig = v128.bitselect(r, er, positive);
    const sigNeg = v128.bitselect(er, r, positive);
    const oneMinusY = f32x4.sub(ONE, y);
    let loss: v128, g: v128, gtv: v128;
    if (aux) {
      const pw = ld(aux, i);
      // ∂/∂x = (1 − y) σ(x) − pw y σ(−x) (no σ(x) − 1 cancellation)
      loss = logitCrossEntropy(xv, y, pw, logSig, l1p);
      g = f32x4.sub(f32x4.mul(oneMinusY, sig), f32x4.mul(f32x4.mul(pw, y), sigNeg));
      // PyTorch's log σ(−x) − pw log σ(x) (= −x − (pw − 1) log σ(x), which is 0 · −inf = NaN at
      // x = −inf for pw = 1); log σ(−x) = min(−x, 0) − log1p(e) from the same e.
      gtv = f32x4.sub(f32x4.sub(f32x4.pmin(f32x4.neg(xv), ZERO), l1p), f32x4.mul(pw, logSig));
    } else {
      // pos weight 1: ∂/∂x = σ(x) − y = (1 − y) σ(x) − y σ(−x), ∂/∂y = −x
      loss = logitCrossEntropy(xv, y, ONE, logSig, l1p);
      g = f32x4.sub(f32x4.mul(oneMinusY, sig), f32x4.mul(y, sigNeg));
      gtv = f32x4.neg(xv);
    }
    const l = finish(i, loss, g, gtv, w, upstream, upstreamPtr, gx, gt, losses);
    lo = addLow(lo, l);
    hi = addHigh(hi, l);
  }
  return total2(lo, hi);
}

export function bceWithLogitsElements(x: usize, t: usize, w: usize, aux: usize, n: i32, p1: f32, p2: f32, upstream: f32, upstreamPtr: usize, gx: usize, gt: usize, losses: usize): f64 {
  if (w | aux | upstreamPtr | losses) return bceWithLogitsLoop(x, t, w, aux, n, p1, p2, upstream, upstreamPtr, gx, gt, losses);
  return gt ? bceWithLogitsLoop(x, t, 0, 0, n, p1, p2, upstream, 0, gx, gt, 0) : bceWithLogitsLoop(x, t, 0, 0, n, p1, p2, upstream, 0, gx, 0, 0);
}

/** BCE of probabilities: logs clamped at −100, gradient denominator at 1e-12. */
@inline function bceLoop(x: usize, t: usize, w: usize, aux: usize, n: i32, p1: f32, p2: f32, upstream: f32, upstreamPtr: usize, gx: usize, gt: usize, losses: usize): f64 {
  let lo = F64_ZERO;
  let hi = F64_ZERO;
  for (let i = 0; i < n; i += 4) {
    const p = ld(x, i);
    const y = ld(t, i);
    const logP = log4(p);
    // log1p(−p) = log(u) − ((u − 1) + p) / u with u = 1 − p (exact to float32 even for tiny p); −inf at p = 1.
    const u = f32x4.sub(ONE, p);
    const log1mP = v128.bitselect(NEG_INF, f32x4.sub(log4(u), f32x4.div(f32x4.add(f32x4.sub(u, ONE), p), u)), f32x4.eq(u, ZERO));
    const loss = f32x4.sub(f32x4.mul(f32x4.sub(y, ONE), f32x4.pmax(log1mP, LOG_FLOOR)), f32x4.mul(y, f32x4.pmax(logP, LOG_FLOOR)));
    const g = f32x4.div(f32x4.sub(p, y), f32x4.pmax(f32x4.mul(u, p), BCE_EPS));
    const l = finish(i, loss, g, f32x4.sub(log1mP, logP), w, upstream, upstreamPtr, gx, gt, losses);
    lo = addLow(lo, l);
    hi = addHigh(hi, l);
  }
  return total2(lo, hi);
}

export function bceElements(x: usize, t: usize, w: usize, aux: usize, n: i32, p1: f32, p2: f32, upstream: f32, upstreamPtr: usize, gx: usize, gt: usize, losses: usize): f64 {
  if (w | aux | upstreamPtr | losses) return bceLoop(x, t, w, aux, n, p1, p2, upstream, upstreamPtr, gx, gt, losses);
  return gt ? bceLoop(x, t, 0, 0, n, p1, p2, upstream, 0, gx, gt, 0) : bceLoop(x, t, 0, 0, n, p1, p2, upstream, 0, gx, 0, 0);
}

/**
 * torchvision's sigmoid focal loss (p1 = alpha, −1 for none; p2 = gamma), as the TypeScript
 * reference (src/losses/sigmoid-focal.ts) computes it: m = 1 − p_t = y q + (1 − y) p with
 * q = σ(−x) (no cancellation), and the chain terms ce · γ m^(γ−1) · dm written γ m^γ (ce / m) · dm,
 * finite where m = 0 (PyTorch: 0 · inf = NaN for γ < 1 on a saturated logit).
 */
@inline function sigmoidFocalLoop(x: usize, t: usize, w: usize, aux: usize, n: i32, alpha: f32, gamma: f32, upstream: f32, upstreamPtr: usize, gx: usize, gt: usize, losses: usize): f64 {
  let lo = F64_ZERO;
  let hi = F64_ZERO;
  const g4 = f32x4.splat(gamma);
  const halfG4 = f32x4.splat(gamma * 0.5);
  const a4 = f32x4.splat(alpha);
  const da = alpha >= 0 ? f32x4.splat(2 * alpha - 1) : ZERO;
  for (let i = 0; i < n; i += 4) {
    const xv = ld(x, i);
    const y = ld(t, i);
    const e = expNonPositive4(f32x4.neg(abs4(xv)));
    const l1p = log1pSmall4(e);
    const logSig = f32x4.sub(f32x4.pmin(xv, ZERO), l1p);
    // p = σ(x), q = σ(−x) = 1 − p: 1 / (1 + e) and e / (1 + e), one for each sign of x
    const r = f32x4.div(ONE, f32x4.add(ONE, e));
    const er = f32x4.mul(e, r);
    const positive = f32x4.ge(xv, ZERO);
    const p = v128.bitselect(r, er, positive);
    const q = v128.bitselect(er, r, positive);
    const oneMinusY = f32x4.sub(ONE, y);
    const ce = logitCrossEntropy(xv, y, ONE, logSig, l1p);
    const m = f32x4.add(f32x4.mul(y, q), f32x4.mul(oneMinusY, p));
    // m^γ and γ m^γ (ce / m) (0 at γ = 0, as PyTorch's pow backward); γ = 2, the default, and
    // γ = 1 need neither a logarithm nor the division.
    // dm/dx = (1 − 2y) p q, dm/dy = q − p; p − y = p (1 − y) − y q
    const pq = f32x4.mul(p, q);
    const pMinusY = f32x4.sub(f32x4.mul(p, oneMinusY), f32x4.mul(y, q));
    // The x chain term γ m^γ (ce / m) (1 − 2y) p q is taken as ce (1 − 2y) · γ m^γ (p q / m), whose
    // second factor is at most γ m^γ (p q <= m): ce of a logit near float32's max then meets a 0,
    // not an overflowed product (inf · 0).
    const ceSign = f32x4.mul(ce, f32x4.sub(ONE, f32x4.mul(TWO, y)));
    // m^γ = mA · mB, and a term v m^γ is taken as (v mA) mB: m² of a tiny m (a target of 1e-24 on a
    // logit of −3.4e38) underflows float32 where (ce m) m does not.
    let mA: v128;
    let mB = ONE;
    let chain: v128;
    let chainX: v128;
    if (gamma == 2) {
      mA = m;
      mB = m;
      chain = f32x4.mul(TWO, f32x4.mul(m, ce));
      chainX = f32x4.mul(ceSign, f32x4.mul(TWO, f32x4.mul(m, pq)));
    } else if (gamma == 1) {
      mA = m;
      chain = ce;
      chainX = f32x4.mul(ceSign, pq);
    } else if (gamma == 0) {
      mA = ONE;
      chain = ZERO;
      chainX = ZERO;
    } else {
      // m^(γ/2) twice: m^3.5 of m = 8e-17 underflows float32, its halves do not.
      mA = exp4(f32x4.mul(halfG4, log4(m)));
      mB = mA;
      const positive = f32x4.gt(m, ZERO); // the ratios are 0 where m = 0
      chain = f32x4.mul(g4, f32x4.mul(f32x4.mul(mA, v128.and(f32x4.div(ce, m), positive)), mB));
      chainX = f32x4.mul(ceSign, f32x4.mul(g4, f32x4.mul(f32x4.mul(mA, v128.and(f32x4.div(pq, m), positive)), mB)));
    }
    const a = alpha >= 0 ? f32x4.add(f32x4.mul(a4, y), f32x4.mul(f32x4.sub(ONE, a4), oneMinusY)) : ONE;
    const ceM = f32x4.mul(f32x4.mul(ce, mA), mB);
    const loss = f32x4.mul(a, ceM);
    const gxv = f32x4.mul(a, f32x4.add(f32x4.mul(f32x4.mul(pMinusY, mA), mB), chainX));
    const gtv = f32x4.add(
      f32x4.mul(da, ceM),
      f32x4.mul(a, f32x4.add(f32x4.mul(f32x4.mul(f32x4.neg(xv), mA), mB), f32x4.mul(chain, f32x4.sub(q, p)))),
    );
    const l = finish(i, loss, gxv, gtv, w, upstream, upstreamPtr, gx, gt, losses);
    lo = addLow(lo, l);
    hi = addHigh(hi, l);
  }
  return total2(lo, hi);
}

export function sigmoidFocalElements(x: usize, t: usize, w: usize, aux: usize, n: i32, alpha: f32, gamma: f32, upstream: f32, upstreamPtr: usize, gx: usize, gt: usize, losses: usize): f64 {
  if (w | aux | upstreamPtr | losses) return sigmoidFocalLoop(x, t, w, aux, n, alpha, gamma, upstream, upstreamPtr, gx, gt, losses);
  return gt ? sigmoidFocalLoop(x, t, 0, 0, n, alpha, gamma, upstream, 0, gx, gt, 0) : sigmoidFocalLoop(x, t, 0, 0, n, alpha, gamma, upstream, 0, gx, 0, 0);
}
