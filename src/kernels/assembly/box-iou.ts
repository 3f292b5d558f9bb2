// The box-IoU losses (torchvision's generalized, distance and complete IoU losses; src/core/box-iou.ts
// and src/losses/*-box-iou.ts are the TypeScript reference), for float32 and float64 boxes alike.
// Every term is computed in float64 with the reference's operations in the reference's order, and a
// gradient is rounded once on the store to the boxes' dtype: the kernel and the reference then agree
// to the last bit but for atan (AssemblyScript's musl port against V8's fdlibm, both within 1 ulp of
// float64). The differential suite pins them together in both dtypes (float64Kernel).
//
// A box is two f64x2 vectors, (x1, y1) and (x2, y2), so every max/min of the geometry is one
// f64x2.max/min (NaN-propagating, −0 < +0, as torch.max/min) and every max/min's backward (the
// winner takes the gradient, a tie halves it, a NaN gives it to both) is lane masks: no branch
// on the data. Scalar max/min and their ties' branches mispredict on random boxes; the branchy
// scalar version ran 100 ns a pair, the TypeScript loop 50-140 (measured, 1M pairs, loaded machine).
// Each gradient coordinate accumulates its terms in the reference's order (one term per step).


/** 4 / π², the normalisation of the complete IoU's aspect-ratio term. */
const ASPECT: f64 = 4.0 / (Math.PI * Math.PI);
/** torchvision's eps inside `_diou_iou_loss`, which the complete IoU loss calls with its default. */
const BOX_EPS: f64 = 1e-7;
let ZERO2: v128 = f64x2.splat(0);
let HALF2: v128 = f64x2.splat(0.5);

@inline function swap(v: v128): v128 {
  return v128.shuffle<f64>(v, v, 1, 0);
}
@inline function x(v: v128): f64 {
  return f64x2.extract_lane(v, 0);
}
@inline function y(v: v128): f64 {
  return f64x2.extract_lane(v, 1);
}

/**
 * The backward of m = max(a, b) lanewise (`sense` 1; min: −1) for gradient g: the part for `a`
 * (`first`) or for `b`. d = sense (a − b): a takes g where d > 0, b where d < 0, each g / 2 where
 * d = 0, both g where d is NaN (share in src/core/box-iou.ts; a zero g adds zeros, which change nothing).
 */
@inline function shareTo(a: v128, b: v128, g: v128, sense: f64, first: bool): v128 {
  const d = f64x2.mul(f64x2.splat(sense), f64x2.sub(a, b));
  const zero = ZERO2;
  const nan = f64x2.ne(d, d);
  const wins = v128.or(first ? f64x2.gt(d, zero) : f64x2.lt(d, zero), nan);
  return v128.or(v128.and(g, wins), v128.and(f64x2.mul(g, HALF2), f64x2.eq(d, zero)));
}

// The pair's coordinates (a's (x1, y1), (x2, y2), then b's), its geometry, and the gradient with
// respect to each coordinate vector: module globals, so that the steps below share them.
let aLo: v128 = ZERO2, aHi: v128 = ZERO2, bLo: v128 = ZERO2, bHi: v128 = ZERO2;
let gaLo: v128 = ZERO2, gaHi: v128 = ZERO2, gbLo: v128 = ZERO2, gbHi: v128 = ZERO2;
/** Intersection corners' differences (iw, ih), enclosing box (cw, ch), areas. */
let iwh: v128 = ZERO2, cwh: v128 = ZERO2, cLo: v128 = ZERO2, cHi: v128 = ZERO2, iLo: v128 = ZERO2, iHi: v128 = ZERO2;
let overlap: v128 = ZERO2;
let inter: f64 = 0, union: f64 = 0;

/** BoxPair.load: intersection (0 unless both of its sides are positive), union, enclosing box. */
@inline function geometry(): void {
  iLo = f64x2.max(aLo, bLo);
  iHi = f64x2.min(aHi, bHi);
  iwh = f64x2.sub(iHi, iLo);
  // both lanes ix2 > ix1, iy2 > iy1 (false next to a NaN, as torchvision's mask)
  const gt = f64x2.gt(iHi, iLo);
  overlap = v128.and(gt, swap(gt));
  inter = i64x2.extract_lane(overlap, 0) ? x(iwh) * y(iwh) : 0;
  const wa = f64x2.sub(aHi, aLo);
  const wb = f64x2.sub(bHi, bLo);
  union = x(wa) * y(wa) + x(wb) * y(wb) - inter;
  cLo = f64x2.min(aLo, bLo);
  cHi = f64x2.max(aHi, bHi);
  cwh = f64x2.sub(cHi, cLo);
}

/** BoxPair.backward: the gradient through the areas, the intersection and the enclosing box ((gcx1, gcy1), (gcx2, gcy2)). */
@inline function backward(gInter: f64, gUnion: f64, gc1: v128, gc2: v128): void {
  // union = w1 h1 + w2 h2 − inter: ∂/∂(x1, y1) = −gUnion (h1, w1), ∂/∂(x2, y2) = +gUnion (h1, w1)
  const gu = f64x2.splat(gUnion);
  const ua = f64x2.mul(gu, swap(f64x2.sub(aHi, aLo)));
  const ub = f64x2.mul(gu, swap(f64x2.sub(bHi, bLo)));
  gaLo = f64x2.sub(gaLo, ua);
  gaHi = f64x2.add(gaHi, ua);
  gbLo = f64x2.sub(gbLo, ub);
  gbHi = f64x2.add(gbHi, ub);
  // inter = iw ih where the boxes overlap: (ix1, iy1) = max(a, b) gets −gI (ih, iw), (ix2, iy2) = min gets +gI (ih, iw)
  const gI = gInter - gUnion;
  const hw = swap(iwh);
  const g1 = v128.and(f64x2.mul(f64x2.splat(-gI), hw), overlap);
  const g2 = v128.and(f64x2.mul(f64x2.splat(gI), hw), overlap);
  gaLo = f64x2.add(gaLo, shareTo(aLo, bLo, g1, 1, true));
  gbLo = f64x2.add(gbLo, shareTo(aLo, bLo, g1, 1, false));
  gaHi = f64x2.add(gaHi, shareTo(aHi, bHi, g2, -1, true));
  gbHi = f64x2.add(gbHi, shareTo(aHi, bHi, g2, -1, false));
  // the enclosing box: (cx1, cy1) = min(a, b), (cx2, cy2) = max(a, b)
  gaLo = f64x2.add(gaLo, shareTo(aLo, bLo, gc1, -1, true));
  gbLo = f64x2.add(gbLo, shareTo(aLo, bLo, gc1, -1, false));
  gaHi = f64x2.add(gaHi, shareTo(aHi, bHi, gc2, 1, true));
  gbHi = f64x2.add(gbHi, shareTo(aHi, bHi, gc2, 1, false));
}

/** The IoU of the last {@link diou} (the complete loss's α reads it). */
let lastIou: f64 = 0;

/** diouPair: the distance-IoU loss of the pair, its gradient added when `grad`. */
@inline function diou(eps: f64, grad: bool): f64 {
  const cw = x(cwh);
  const ch = y(cwh);
  const diagonal = cw * cw + ch * ch + eps;
  // centre differences (dx, dy) = (a1 + a2) / 2 − (b1 + b2) / 2
  const dxy = f64x2.sub(f64x2.div(f64x2.add(aLo, aHi), f64x2.splat(2)), f64x2.div(f64x2.add(bLo, bHi), f64x2.splat(2)));
  const dx = x(dxy);
  const dy = y(dxy);
  const centres = dx * dx + dy * dy;
  const iou = inter / (union + eps);
  if (grad) {
    // ∂/∂ρ² = 1 / c², ∂/∂c² = −ρ² / c⁴
    const r = f64x2.mul(f64x2.splat(1 / diagonal), dxy);
    gaLo = f64x2.add(gaLo, r);
    gaHi = f64x2.add(gaHi, r);
    gbLo = f64x2.sub(gbLo, r);
    gbHi = f64x2.sub(gbHi, r);
    const gDiagonal = -centres / (diagonal * diagonal);
    const gwh = f64x2.mul(f64x2.splat(2 * gDiagonal), cwh);
    const ue = union + eps;
    backward(-1 / ue, inter / (ue * ue), f64x2.neg(gwh), gwh);
  }
  lastIou = iou;
  return 1 - iou + centres / diagonal;
}

/** addAtanRatio: the gradient g of atan(w / h) into a box's (gLo, gHi), returned as the change to add to gLo (gHi gets its negation). */
@inline function atanRatio(w: f64, h: f64, g: f64): v128 {
  const r = w / h;
  const gr = g / (r * r + 1);
  const gw = gr / h;
  const gh = -gr * (r / h);
  return f64x2(-gw, -gh);
}

// atan of two doubles at once, branch-free (Cephes' atan: relative error ≤ 2.2e-16 on its
// reduced range, within 1-2 ulp of V8's fdlibm Math.atan; src/kernels/wasm.test.ts measures it).
// The scalar atan's range branches mispredict on random aspect ratios: 2 atans cost more than the
// rest of a complete-IoU pair. |x| > tan(3π/8): atan = π/2 + atan(−1/|x|); |x| > 0.66: π/4 +
// atan((|x| − 1) / (|x| + 1)); then t + t·z·P(z)/Q(z) with z = t², the sign copied back (−0 stays −0).
const T3P8: f64 = 2.41421356237309504880;
const MOREBITS: f64 = 6.123233995736765886130e-17;
let ATAN_P0: v128 = f64x2.splat(-8.750608600031904122785e-1);
let ATAN_P1: v128 = f64x2.splat(-1.615753718733365076637e1);
let ATAN_P2: v128 = f64x2.splat(-7.500855792314704667340e1);
let ATAN_P3: v128 = f64x2.splat(-1.228866684490136173410e2);
let ATAN_P4: v128 = f64x2.splat(-6.485021904942025371773e1);
let ATAN_Q0: v128 = f64x2.splat(2.485846490142306297962e1);
let ATAN_Q1: v128 = f64x2.splat(1.650270098316988542046e2);
let ATAN_Q2: v128 = f64x2.splat(4.328810604912902668951e2);
let ATAN_Q3: v128 = f64x2.splat(4.853903996359136964868e2);
let ATAN_Q4: v128 = f64x2.splat(1.945506571482613964425e2);
let SIGN2: v128 = i64x2.splat(0x8000000000000000);

/** atan of both lanes (NaN stays NaN, ±inf gives ±π/2). */
@inline function atan2x(v: v128): v128 {
  const a = f64x2.abs(v);
  const big = f64x2.gt(a, f64x2.splat(T3P8));
  const mid = v128.andnot(f64x2.gt(a, f64x2.splat(0.66)), big);
  const one = f64x2.splat(1);
  const num = v128.bitselect(f64x2.splat(-1), v128.bitselect(f64x2.sub(a, one), a, mid), big);
  const den = v128.bitselect(a, v128.bitselect(f64x2.add(a, one), one, mid), big);
  const t = f64x2.div(num, den);
  const base = v128.bitselect(f64x2.splat(Math.PI / 2), v128.and(f64x2.splat(Math.PI / 4), mid), big);
  const more = v128.bitselect(f64x2.splat(MOREBITS), v128.and(f64x2.splat(0.5 * MOREBITS), mid), big);
  const z = f64x2.mul(t, t);
  const p = f64x2.add(f64x2.mul(f64x2.add(f64x2.mul(f64x2.add(f64x2.mul(f64x2.add(f64x2.mul(ATAN_P0, z), ATAN_P1), z), ATAN_P2), z), ATAN_P3), z), ATAN_P4);
  const q = f64x2.add(f64x2.mul(f64x2.add(f64x2.mul(f64x2.add(f64x2.mul(f64x2.add(f64x2.mul(f64x2.add(z, ATAN_Q0), z), ATAN_Q1), z), ATAN_Q2), z), ATAN_Q3), z), ATAN_Q4);
  const r = f64x2.add(f64x2.mul(t, f64x2.div(f64x2.mul(z, p), q)), t);
  const result = f64x2.add(base, f64x2.add(r, more));
  // |atan| with the argument's sign (atan is odd)
  return v128.or(v128.andnot(result, SIGN2), v128.and(v, SIGN2));
}

/** atan of n doubles in place (for the accuracy tests of {@link atan2x}); n even. */
export function atanInPlace64(p: usize, n: i32): void {
  for (let i = 0; i + 2 <= n; i += 2) v128.store(p + (<usize>i << 3), atan2x(v128.load(p + (<usize>i << 3))));
}

/** One pair's loss (kind 0 generalized, 1 distance, 2 complete), its gradient added to the g vectors when `grad`. */
@inline function pairLoss(kind: i32, eps: f64, grad: bool): f64 {
  geometry();
  if (kind == 0) {
    const area = x(cwh) * y(cwh);
    const ue = union + eps;
    const ce = area + eps;
    if (grad) {
      const gC = ue / (ce * ce);
      const g = f64x2.mul(f64x2.splat(gC), swap(cwh)); // (gC ch, gC cw)
      backward(-1 / ue, inter / (ue * ue) - 1 / ce, f64x2.neg(g), g);
    }
    return 1 - (inter / ue - (area - union) / ce);
  }
  if (kind == 1) return diou(eps, grad);
  const d = diou(BOX_EPS, grad);
  const wa = f64x2.sub(aHi, aLo);
  const wb = f64x2.sub(bHi, bLo);
  // (atan(w2 / h2), atan(w1 / h1)) in one vector
  const angles = atan2x(f64x2.div(v128.shuffle<f64>(wb, wa, 0, 2), v128.shuffle<f64>(wb, wa, 1, 3)));
  const difference = x(angles) - y(angles);
  const v = ASPECT * difference * difference;
  const alpha = v / (1 - lastIou + v + eps);
  if (grad) {
    const k = alpha * 2 * ASPECT * difference;
    const db = atanRatio(x(wb), y(wb), k);
    gbLo = f64x2.add(gbLo, db);
    gbHi = f64x2.sub(gbHi, db);
    const da = atanRatio(x(wa), y(wa), -k);
    gaLo = f64x2.add(gaLo, da);
    gaHi = f64x2.sub(gaHi, da);
  }
  return d + alpha * v;
}

/** Coordinates j, j + 1 of T at p as float64 lanes. */
@inline function load2<T>(p: usize): v128 {
  if (sizeof<T>() == 4) return f64x2.promote_low_f32x4(v128.load64_zero(p));
  return v128.load(p);
}
/** A box's gradient u (lo, hi) stored as 4 coordinates of T at p (rounded once for f32). */
@inline function storeBox<T>(p: usize, u: v128, lo: v128, hi: v128): void {
  if (sizeof<T>() == 4) {
    v128.store(p, v128.shuffle<f32>(f32x4.demote_f64x2_zero(f64x2.mul(u, lo)), f32x4.demote_f64x2_zero(f64x2.mul(u, hi)), 0, 1, 4, 5));
  } else {
    v128.store(p, f64x2.mul(u, lo));
    v128.store(p, f64x2.mul(u, hi), 16);
  }
}

/**
 * `n` pairs of boxes (T: f32 or f64; 4 coordinates each at `a`, `b`): each pair's loss into
 * `losses` (doubles) and, where `ga` / `gb` are not 0, u · its gradient with respect to each box
 * (T, rounded once), u being `upstream` or the pair's double at `upstreamPerItem` (if not 0).
 */
@inline function boxIou<T>(
  a: usize, b: usize, n: i32, kind: i32, eps: f64, upstream: f64, upstreamPerItem: usize, ga: usize, gb: usize, losses: usize,
): void {
  const size = <usize>sizeof<T>();
  const grad = ga != 0 || gb != 0;
  for (let i = 0; i < n; i++) {
    const pa = a + <usize>i * 4 * size;
    const pb = b + <usize>i * 4 * size;
    aLo = load2<T>(pa);
    aHi = load2<T>(pa + 2 * size);
    bLo = load2<T>(pb);
    bHi = load2<T>(pb + 2 * size);
    if (!grad) {
      store<f64>(losses + (<usize>i << 3), pairLoss(kind, eps, false));
      continue;
    }
    gaLo = ZERO2;
    gaHi = ZERO2;
    gbLo = ZERO2;
    gbHi = ZERO2;
    store<f64>(losses + (<usize>i << 3), pairLoss(kind, eps, true));
    const u = f64x2.splat(upstreamPerItem ? load<f64>(upstreamPerItem + (<usize>i << 3)) : upstream);
    if (ga) storeBox<T>(ga + <usize>i * 4 * size, u, gaLo, gaHi);
    if (gb) storeBox<T>(gb + <usize>i * 4 * size, u, gbLo, gbHi);
  }
}

export function boxIou_f32(
  a: usize, b: usize, n: i32, kind: i32, eps: f64, upstream: f64, upstreamPerItem: usize, ga: usize, gb: usize, losses: usize,
): void {
  boxIou<f32>(a, b, n, kind, eps, upstream, upstreamPerItem, ga, gb, losses);
}

export function boxIou_f64(
  a: usize, b: usize, n: i32, kind: i32, eps: f64, upstream: f64, upstreamPerItem: usize, ga: usize, gb: usize, losses: usize,
): void {
  boxIou<f64>(a, b, n, kind, eps, upstream, upstreamPerItem, ga, gb, losses);
}
