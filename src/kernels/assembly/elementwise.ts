// Elementwise losses over n float32 elements, fused with their gradients. Every kernel takes:
// x, t (inputs), w (per-element weights or 0), aux (per-element pos weights or 0), n, two scalar
// parameters, the upstream gradient (a scalar, or per element at `upstreamPtr`), the gradient
// outputs gx and gt (0 = not wanted) and the per-element losses (0 = not wanted). Returns the sum
// of the weighted losses (f64). Formulas as in the TypeScript losses (src/losses/*.ts).
import { exp4, log4 } from './math';

let ZERO: v128 = f32x4.splat(0);
let ONE: v128 = f32x4.splat(1);
let TWO: v128 = f32x4.splat(2);
let HALF: v128 = f32x4.splat(0.5);
let SIGN_MASK: v128 = i32x4.splat(0x80000000);
let LOG_FLOOR: v128 = f32x4.splat(-100);
let BCE_EPS: v128 = f32x4.splat(1e-12); // PyTorch's EPSILON: 1e-12 as a float

@inline function sign4(d: v128): v128 {
  // sign(d): ±1, and 0 at 0 (and NaN for NaN, through the subtraction of the two masks' values)
  return f32x4.sub(v128.and(f32x4.gt(d, ZERO), ONE), v128.and(f32x4.lt(d, ZERO), ONE));
}

@inline function abs4(d: v128): v128 {
  return v128.andnot(d, SIGN_MASK);
}

/** log(1 + e) for e in [0, 1], with the classic correction: log(u) − ((u − 1) − e) / u, u = 1 + e. */
@inline function log1pSmall4(e: v128): v128 {
  const u = f32x4.add(ONE, e);
  return f32x4.sub(log4(u), f32x4.div(f32x4.sub(f32x4.sub(u, ONE), e), u));
}

// f64 accumulation of f32x4 lanes
@inline function add4(acc: f64, v: v128): f64 {
  return acc + <f64>f32x4.extract_lane(v, 0) + <f64>f32x4.extract_lane(v, 1) + <f64>f32x4.extract_lane(v, 2) + <f64>f32x4.extract_lane(v, 3);
}

@inline function ld(p: usize, i: i32): v128 {
  return v128.load(p + (<usize>i << 2));
}

@inline function st(p: usize, i: i32, v: v128): void {
  v128.store(p + (<usize>i << 2), v);
}

/** The shared loop: `n` must be a multiple of 4 (the driver pads the tail with neutral values and ignores it). */
@inline function finish(i: i32, loss: v128, gxv: v128, gtv: v128, w: usize, upstream: f32, upstreamPtr: usize, gx: usize, gt: usize, losses: usize): v128 {
  let l = loss;
  let scale = upstreamPtr ? ld(upstreamPtr, i) : f32x4.splat(upstream);
  if (w) {
    const wv = ld(w, i);
    l = f32x4.mul(l, wv);
    scale = f32x4.mul(scale, wv);
  }
  if (losses) st(losses, i, l);
  if (gx) st(gx, i, f32x4.mul(gxv, scale));
  if (gt) st(gt, i, f32x4.mul(gtv, scale));
  return l;
}

export function l1Elements(x: usize, t: usize, w: usize, aux: usize, n: i32, p1: f32, p2: f32, upstream: f32, upstreamPtr: usize, gx: usize, gt: usize, losses: usize): f64 {
  let total: f64 = 0;
  for (let i = 0; i < n; i += 4) {
    const d = f32x4.sub(ld(x, i), ld(t, i));
    const g = sign4(d);
    total = add4(total, finish(i, abs4(d), g, f32x4.neg(g), w, upstream, upstreamPtr, gx, gt, losses));
  }
  return total;
}

export function mseElements(x: usize, t: usize, w: usize, aux: usize, n: i32, p1: f32, p2: f32, upstream: f32, upstreamPtr: usize, gx: usize, gt: usize, losses: usize): f64 {
  let total: f64 = 0;
  for (let i = 0; i < n; i += 4) {
    const d = f32x4.sub(ld(x, i), ld(t, i));
    const g = f32x4.mul(TWO, d);
    total = add4(total, finish(i, f32x4.mul(d, d), g, f32x4.neg(g), w, upstream, upstreamPtr, gx, gt, losses));
  }
  return total;
}

/** smooth L1 (p1 = beta) — and Huber when p2 = 1: the same pieces scaled by delta = beta. */
export function smoothL1Elements(x: usize, t: usize, w: usize, aux: usize, n: i32, beta: f32, huber: f32, upstream: f32, upstreamPtr: usize, gx: usize, gt: usize, losses: usize): f64 {
  let total: f64 = 0;
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
    total = add4(total, finish(i, loss, g, f32x4.neg(g), w, upstream, upstreamPtr, gx, gt, losses));
  }
  return total;
}

/** BCE with logits; aux = per-element pos weights (0: 1). */
export function bceWithLogitsElements(x: usize, t: usize, w: usize, aux: usize, n: i32, p1: f32, p2: f32, upstream: f32, upstreamPtr: usize, gx: usize, gt: usize, losses: usize): f64 {
  let total: f64 = 0;
  for (let i = 0; i < n; i += 4) {
    const xv = ld(x, i);
    const y = ld(t, i);
    const pw = aux ? ld(aux, i) : ONE;
    const e = exp4(f32x4.neg(abs4(xv))); // exp(−|x|) in (0, 1]
    const logSig = f32x4.sub(f32x4.pmin(xv, ZERO), log1pSmall4(e)); // log σ(x)
    const sig = v128.bitselect(f32x4.div(ONE, f32x4.add(ONE, e)), f32x4.div(e, f32x4.add(ONE, e)), f32x4.ge(xv, ZERO));
    const pwm1 = f32x4.sub(pw, ONE);
    const loss = f32x4.sub(f32x4.mul(f32x4.sub(ONE, y), xv), f32x4.mul(f32x4.add(ONE, f32x4.mul(pwm1, y)), logSig));
    const pwy = f32x4.mul(pw, y);
    const g = f32x4.sub(f32x4.mul(f32x4.sub(f32x4.add(pwy, ONE), y), sig), pwy);
    const gtv = f32x4.sub(f32x4.neg(xv), f32x4.mul(pwm1, logSig));
    total = add4(total, finish(i, loss, g, gtv, w, upstream, upstreamPtr, gx, gt, losses));
  }
  return total;
}

/** BCE of probabilities: logs clamped at −100, gradient denominator at 1e-12. */
export function bceElements(x: usize, t: usize, w: usize, aux: usize, n: i32, p1: f32, p2: f32, upstream: f32, upstreamPtr: usize, gx: usize, gt: usize, losses: usize): f64 {
  let total: f64 = 0;
  for (let i = 0; i < n; i += 4) {
    const p = ld(x, i);
    const y = ld(t, i);
    const logP = log4(p);
    // log1p(−p) = log(u) − ((u − 1) + p) / u with u = 1 − p (exact to float32 even for tiny p); −inf at p = 1.
    const u = f32x4.sub(ONE, p);
    const log1mP = v128.bitselect(f32x4.splat(-Infinity), f32x4.sub(log4(u), f32x4.div(f32x4.add(f32x4.sub(u, ONE), p), u)), f32x4.eq(u, ZERO));
    const loss = f32x4.sub(f32x4.mul(f32x4.sub(y, ONE), f32x4.pmax(log1mP, LOG_FLOOR)), f32x4.mul(y, f32x4.pmax(logP, LOG_FLOOR)));
    const g = f32x4.div(f32x4.sub(p, y), f32x4.pmax(f32x4.mul(u, p), BCE_EPS));
    total = add4(total, finish(i, loss, g, f32x4.sub(log1mP, logP), w, upstream, upstreamPtr, gx, gt, losses));
  }
  return total;
}

/** torchvision's sigmoid focal loss (p1 = alpha, −1 for none; p2 = gamma). */
export function sigmoidFocalElements(x: usize, t: usize, w: usize, aux: usize, n: i32, alpha: f32, gamma: f32, upstream: f32, upstreamPtr: usize, gx: usize, gt: usize, losses: usize): f64 {
  let total: f64 = 0;
  const g4 = f32x4.splat(gamma);
  const gm1 = f32x4.splat(gamma - 1);
  const a4 = f32x4.splat(alpha);
  const da = alpha >= 0 ? f32x4.splat(2 * alpha - 1) : ZERO;
  for (let i = 0; i < n; i += 4) {
    const xv = ld(x, i);
    const y = ld(t, i);
    const e = exp4(f32x4.neg(abs4(xv)));
    const logSig = f32x4.sub(f32x4.pmin(xv, ZERO), log1pSmall4(e));
    const p = v128.bitselect(f32x4.div(ONE, f32x4.add(ONE, e)), f32x4.div(e, f32x4.add(ONE, e)), f32x4.ge(xv, ZERO));
    const ce = f32x4.sub(f32x4.mul(f32x4.sub(ONE, y), xv), logSig);
    const oneMinusP = f32x4.sub(ONE, p);
    const m = f32x4.sub(ONE, f32x4.add(f32x4.mul(p, y), f32x4.mul(oneMinusP, f32x4.sub(ONE, y))));
    const logM = log4(m);
    // m^γ (1 at γ = 0) and γ m^(γ−1) (0 at γ = 0, γ at γ = 1), as PyTorch's pow and its backward.
    const mGamma = gamma == 0 ? ONE : exp4(f32x4.mul(g4, logM));
    const dmGamma = gamma == 0 ? ZERO : gamma == 1 ? ONE : f32x4.mul(g4, exp4(f32x4.mul(gm1, logM)));
    const a = alpha >= 0 ? f32x4.add(f32x4.mul(a4, y), f32x4.mul(f32x4.sub(ONE, a4), f32x4.sub(ONE, y))) : ONE;
    const dmdx = f32x4.neg(f32x4.mul(f32x4.sub(f32x4.mul(TWO, y), ONE), f32x4.mul(p, oneMinusP)));
    const loss = f32x4.mul(a, f32x4.mul(ce, mGamma));
    const gxv = f32x4.mul(a, f32x4.add(f32x4.mul(f32x4.sub(p, y), mGamma), f32x4.mul(ce, f32x4.mul(dmGamma, dmdx))));
    const gtv = f32x4.add(
      f32x4.mul(da, f32x4.mul(ce, mGamma)),
      f32x4.mul(a, f32x4.add(f32x4.mul(f32x4.neg(xv), mGamma), f32x4.mul(ce, f32x4.mul(dmGamma, f32x4.sub(ONE, f32x4.mul(TWO, p)))))),
    );
    total = add4(total, finish(i, loss, gxv, gtv, w, upstream, upstreamPtr, gx, gt, losses));
  }
  return total;
}
