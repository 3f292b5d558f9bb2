// losskit's WebAssembly SIMD kernels (AssemblyScript, compiled by scripts/build-wasm.mjs in `npm run build`).
// Every kernel works on buffers in this module's memory, placed by the TypeScript driver
// (src/kernels/wasm.ts), which streams rows through a small scratch area so that the data stays in
// cache between the copy in, the kernel and the copy out. Loss totals are accumulated in f64; a
// row's Σ exp in f32 lanes (each term is in [0, 1]), added up in f64.
import {
  EXP_MIN_ARG, EXP_P0, EXP_P1, EXP_P2, EXP_P3, EXP_P4, EXP_P5, LN2_HI, LN2_LO, LOG2E, ONE, ROUND_MAGIC_BIASED,
  exp4, expNonPositive4, expNonPositiveWith, log4,
} from './math';

// Loop constants in globals (see math.ts: V8 rematerialises v128.const in loops).
let NEG_INF4: v128 = f32x4.splat(-Infinity);
let ZERO4: v128 = f32x4.splat(0);

/** First free byte of linear memory (16-byte aligned): the driver's scratch area starts here. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~15;
}

/** exp and log of n floats in place (for the accuracy tests of the approximations). */
export function expInPlace(p: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(p + (<usize>i << 2), exp4(v128.load(p + (<usize>i << 2))));
  for (; i < n; i++) store<f32>(p + (<usize>i << 2), f32x4.extract_lane(exp4(f32x4.splat(load<f32>(p + (<usize>i << 2)))), 0));
}

/** exp of n floats <= 0 in place, through the cross-entropy and softmax kernels' exp-sum loop. */
export function expNonPositiveInPlace(p: usize, n: i32): void {
  expSumRow(p, n, 0, p);
}

export function logInPlace(p: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(p + (<usize>i << 2), log4(v128.load(p + (<usize>i << 2))));
  for (; i < n; i++) store<f32>(p + (<usize>i << 2), f32x4.extract_lane(log4(f32x4.splat(load<f32>(p + (<usize>i << 2)))), 0));
}

@inline function hmax(v: v128): f32 {
  const a = f32x4.pmax(v, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
  return max(f32x4.extract_lane(a, 0), f32x4.extract_lane(a, 1));
}

/**
 * max of a row of C floats (NaN is skipped: pmax keeps its first operand). Four accumulators:
 * one chain of pmax is latency-bound, 3.4x slower (measured).
 */
@inline function rowMax(row: usize, C: i32): f32 {
  const vector = C & ~3;
  let m0 = NEG_INF4, m1 = NEG_INF4, m2 = NEG_INF4, m3 = NEG_INF4;
  let c = 0;
  for (; c + 16 <= vector; c += 16) {
    const p = row + (<usize>c << 2);
    m0 = f32x4.pmax(m0, v128.load(p));
    m1 = f32x4.pmax(m1, v128.load(p, 16));
    m2 = f32x4.pmax(m2, v128.load(p, 32));
    m3 = f32x4.pmax(m3, v128.load(p, 48));
  }
  for (; c < vector; c += 4) m0 = f32x4.pmax(m0, v128.load(row + (<usize>c << 2)));
  let m = hmax(f32x4.pmax(f32x4.pmax(m0, m1), f32x4.pmax(m2, m3)));
  for (; c < C; c++) m = max(m, load<f32>(row + (<usize>c << 2)));
  return m;
}

@inline function hsum(v: v128): f64 {
  return <f64>f32x4.extract_lane(v, 0) + <f64>f32x4.extract_lane(v, 1) + <f64>f32x4.extract_lane(v, 2) + <f64>f32x4.extract_lane(v, 3);
}

/** exp(x − m) of the 4 floats at `p`, the constants passed in from the caller's locals. */
@inline function expShifted(
  p: usize, vm: v128, minArg: v128, log2e: v128, magic: v128, ln2Hi: v128, ln2Lo: v128,
  p0: v128, p1: v128, p2: v128, p3: v128, p4: v128, p5: v128, one: v128,
): v128 {
  return expNonPositiveWith(f32x4.sub(v128.load(p), vm), minArg, log2e, magic, ln2Hi, ln2Lo, p0, p1, p2, p3, p4, p5, one);
}

/**
 * Σ_c exp(x_c − m) over a row of C floats (m >= every x_c), storing each exp at `out` unless it is 0.
 * Eight vectors per iteration summed as a tree into one accumulator, the exp constants in locals,
 * and the loop specialised on `out` by hand (V8 does not unswitch loops): V8 then keeps the
 * accumulator in a register, 2.2x faster than two vectors per iteration (measured, 4M floats).
 */
function expSumRow(row: usize, C: i32, m: f32, out: usize): f64 {
  const mn = EXP_MIN_ARG, l2e = LOG2E, mag = ROUND_MAGIC_BIASED, hi = LN2_HI, lo = LN2_LO;
  const p0 = EXP_P0, p1 = EXP_P1, p2 = EXP_P2, p3 = EXP_P3, p4 = EXP_P4, p5 = EXP_P5, one = ONE;
  const vector = C & ~3;
  const vm = f32x4.splat(m);
  let vsum = ZERO4;
  let c = 0;
  if (out) {
    for (; c + 32 <= vector; c += 32) {
      const p = row + (<usize>c << 2);
      const o = out + (<usize>c << 2);
      const e0 = expShifted(p, vm, mn, l2e, mag, hi, lo, p0, p1, p2, p3, p4, p5, one);
      v128.store(o, e0);
      const e1 = expShifted(p + 16, vm, mn, l2e, mag, hi, lo, p0, p1, p2, p3, p4, p5, one);
      v128.store(o, e1, 16);
      const e2 = expShifted(p + 32, vm, mn, l2e, mag, hi, lo, p0, p1, p2, p3, p4, p5, one);
      v128.store(o, e2, 32);
      const e3 = expShifted(p + 48, vm, mn, l2e, mag, hi, lo, p0, p1, p2, p3, p4, p5, one);
      v128.store(o, e3, 48);
      const e4 = expShifted(p + 64, vm, mn, l2e, mag, hi, lo, p0, p1, p2, p3, p4, p5, one);
      v128.store(o, e4, 64);
      const e5 = expShifted(p + 80, vm, mn, l2e, mag, hi, lo, p0, p1, p2, p3, p4, p5, one);
      v128.store(o, e5, 80);
      const e6 = expShifted(p + 96, vm, mn, l2e, mag, hi, lo, p0, p1, p2, p3, p4, p5, one);
      v128.store(o, e6, 96);
      const e7 = expShifted(p + 112, vm, mn, l2e, mag, hi, lo, p0, p1, p2, p3, p4, p5, one);
      v128.store(o, e7, 112);
      vsum = f32x4.add(vsum, f32x4.add(f32x4.add(f32x4.add(e0, e1), f32x4.add(e2, e3)), f32x4.add(f32x4.add(e4, e5), f32x4.add(e6, e7))));
    }
    for (; c < vector; c += 4) {
      const e = expShifted(row + (<usize>c << 2), vm, mn, l2e, mag, hi, lo, p0, p1, p2, p3, p4, p5, one);
      v128.store(out + (<usize>c << 2), e);
      vsum = f32x4.add(vsum, e);
    }
  } else {
    for (; c + 32 <= vector; c += 32) {
      const p = row + (<usize>c << 2);
      const e0 = expShifted(p, vm, mn, l2e, mag, hi, lo, p0, p1, p2, p3, p4, p5, one);
      const e1 = expShifted(p + 16, vm, mn, l2e, mag, hi, lo, p0, p1, p2, p3, p4, p5, one);
      const e2 = expShifted(p + 32, vm, mn, l2e, mag, hi, lo, p0, p1, p2, p3, p4, p5, one);
      const e3 = expShifted(p + 48, vm, mn, l2e, mag, hi, lo, p0, p1, p2, p3, p4, p5, one);
      const e4 = expShifted(p + 64, vm, mn, l2e, mag, hi, lo, p0, p1, p2, p3, p4, p5, one);
      const e5 = expShifted(p + 80, vm, mn, l2e, mag, hi, lo, p0, p1, p2, p3, p4, p5, one);
      const e6 = expShifted(p + 96, vm, mn, l2e, mag, hi, lo, p0, p1, p2, p3, p4, p5, one);
      const e7 = expShifted(p + 112, vm, mn, l2e, mag, hi, lo, p0, p1, p2, p3, p4, p5, one);
      vsum = f32x4.add(vsum, f32x4.add(f32x4.add(f32x4.add(e0, e1), f32x4.add(e2, e3)), f32x4.add(f32x4.add(e4, e5), f32x4.add(e6, e7))));
    }
    for (; c < vector; c += 4) vsum = f32x4.add(vsum, expShifted(row + (<usize>c << 2), vm, mn, l2e, mag, hi, lo, p0, p1, p2, p3, p4, p5, one));
  }
  let sum = hsum(vsum);
  for (; c < C; c++) {
    const e = f32x4.extract_lane(expNonPositive4(f32x4.splat(load<f32>(row + (<usize>c << 2)) - m)), 0);
    sum += <f64>e;
    if (out) store<f32>(out + (<usize>c << 2), e);
  }
  return sum;
}

/**
 * Cross-entropy of `rows` rows of C logits with class-index targets, fused with its gradient.
 * Coefficients per row: a_c = (1 − ε) w_t [c = t] + (ε / C) w_c; loss = Σ a_c (lse − x_c);
 * gradient = u (softmax · A − a) with A = Σ a_c. `weights` = 0: all ones (weightSum = C).
 * `grad` = 0: forward only. `losses` = 0: no per-row output. Returns Σ of the row losses.
 */
export function crossEntropyRows(
  x: usize, rows: i32, C: i32, targets: usize, weights: usize, weightSum: f32, ignoreIndex: i32,
  smoothing: f32, upstream: f32, upstreamPerRow: usize, grad: usize, losses: usize,
): f64 {
  let total: f64 = 0;
  const uniform = smoothing / <f32>C;
  const vector = C & ~3;
  for (let r = 0; r < rows; r++) {
    const row = x + (<usize>r * <usize>C << 2);
    const g = grad ? grad + (<usize>r * <usize>C << 2) : 0;
    const t = load<i32>(targets + (<usize>r << 2));
    if (t == ignoreIndex) {
      if (losses) store<f32>(losses + (<usize>r << 2), 0);
      if (g) memory.fill(g, 0, <usize>C << 2);
      continue;
    }
    // Pass 1: max, and Σ w_c x_c for label smoothing.
    let m = rowMax(row, C);
    let dot: f64 = 0;
    let c = 0;
    if (smoothing != 0) {
      let vdot = ZERO4;
      for (; c < vector; c += 4) {
        const v = v128.load(row + (<usize>c << 2));
        vdot = f32x4.add(vdot, weights ? f32x4.mul(v, v128.load(weights + (<usize>c << 2))) : v);
      }
      dot = hsum(vdot);
      for (; c < C; c++) {
        const v = load<f32>(row + (<usize>c << 2));
        dot += <f64>(weights ? v * load<f32>(weights + (<usize>c << 2)) : v);
      }
    }
    if (m == Infinity || m == -Infinity) m = 0; // torch.logsumexp's convention: the sum itself gives ±inf
    // Pass 2: e_c = exp(x_c − m), kept in the gradient row when there is one.
    const sum = expSumRow(row, C, m, g);
    const logSum = Math.log(sum);
    const xt = <f64>load<f32>(row + (<usize>t << 2));
    const wt = weights ? <f64>load<f32>(weights + (<usize>t << 2)) : 1.0;
    // lse − x_t = log Σ − (x_t − m): exact when the target is the maximum.
    let loss = (1.0 - <f64>smoothing) * wt * (logSum - (xt - <f64>m));
    if (smoothing != 0) loss += <f64>uniform * (<f64>weightSum * (logSum + <f64>m) - dot);
    total += loss;
    if (losses) store<f32>(losses + (<usize>r << 2), <f32>loss);
    if (g) {
      // Pass 3: g_c = u (e_c / Σ · A − a_c).
      const u = upstreamPerRow ? load<f32>(upstreamPerRow + (<usize>r << 2)) : upstream;
      const A = (<f32>1 - smoothing) * <f32>wt + uniform * weightSum;
      const scale = f32x4.splat(<f32>(<f64>u * <f64>A / sum));
      const vu = f32x4.splat(u * uniform);
      c = 0;
      if (smoothing == 0) {
        for (; c < vector; c += 4) v128.store(g + (<usize>c << 2), f32x4.mul(v128.load(g + (<usize>c << 2)), scale));
      } else {
        for (; c < vector; c += 4) {
          const v = f32x4.mul(v128.load(g + (<usize>c << 2)), scale);
          v128.store(g + (<usize>c << 2), f32x4.sub(v, f32x4.mul(vu, weights ? v128.load(weights + (<usize>c << 2)) : ONE)));
        }
      }
      for (; c < C; c++) {
        let v = load<f32>(g + (<usize>c << 2)) * f32x4.extract_lane(scale, 0);
        if (smoothing != 0) v -= u * uniform * (weights ? load<f32>(weights + (<usize>c << 2)) : 1);
        store<f32>(g + (<usize>c << 2), v);
      }
      const gt = g + (<usize>t << 2);
      store<f32>(gt, load<f32>(gt) - <f32>(<f64>u * (1.0 - <f64>smoothing) * wt));
    }
  }
  return total;
}

export { bceElements, bceWithLogitsElements, l1Elements, mseElements, sigmoidFocalElements, smoothL1Elements } from './elementwise';

/**
 * Softmax (mode 0), log-softmax (mode 1) or logsumexp (mode 2) of `rows` contiguous rows of C
 * floats into `out` (rows × C, or rows for logsumexp).
 */
export function softmaxRows(x: usize, rows: i32, C: i32, mode: i32, out: usize): void {
  const vector = C & ~3;
  for (let r = 0; r < rows; r++) {
    const row = x + (<usize>r * <usize>C << 2);
    const o = out + (<usize>(mode == 2 ? r : r * C) << 2);
    const m = rowMax(row, C);
    let c = 0;
    if (m == Infinity || m == -Infinity) {
      // As the TypeScript reference: softmax NaN; log-softmax x − lse with lse = m; logsumexp m.
      if (mode == 2) store<f32>(o, m);
      else for (c = 0; c < C; c++) store<f32>(o + (<usize>c << 2), mode == 0 ? NaN : load<f32>(row + (<usize>c << 2)) - m);
      continue;
    }
    const sum = expSumRow(row, C, m, mode == 0 ? o : 0);
    if (mode == 2) {
      store<f32>(o, <f32>(<f64>m + Math.log(sum)));
      continue;
    }
    if (mode == 0) {
      const inv = f32x4.splat(<f32>(1.0 / sum));
      c = 0;
      for (; c < vector; c += 4) v128.store(o + (<usize>c << 2), f32x4.mul(v128.load(o + (<usize>c << 2)), inv));
      for (; c < C; c++) store<f32>(o + (<usize>c << 2), load<f32>(o + (<usize>c << 2)) * f32x4.extract_lane(inv, 0));
    } else {
      // x − m − log Σ (PyTorch's log_softmax, no masking of an infinite max)
      const lse = f32x4.splat(<f32>(<f64>m + Math.log(sum)));
      c = 0;
      for (; c < vector; c += 4) v128.store(o + (<usize>c << 2), f32x4.sub(v128.load(row + (<usize>c << 2)), lse));
      for (; c < C; c++) store<f32>(o + (<usize>c << 2), load<f32>(row + (<usize>c << 2)) - f32x4.extract_lane(lse, 0));
    }
  }
}

/**
 * Cross-entropy with probability targets (rows × C floats at `targets`), fused with its gradients:
 * a_c = w_c ((1 − ε) y_c + ε / C); loss = Σ a_c (lse − x_c) = A·lse − Σ a_c x_c;
 * ∂/∂x_c = u (softmax_c · A − a_c); ∂/∂y_c = −u (1 − ε) w_c (x_c − lse). Returns Σ of the row losses.
 */
export function crossEntropyProbRows(
  x: usize, rows: i32, C: i32, targets: usize, weights: usize, smoothing: f32,
  upstream: f32, upstreamPerRow: usize, grad: usize, gradTarget: usize, losses: usize,
): f64 {
  let total: f64 = 0;
  const uniformScalar = smoothing / <f32>C;
  const uniform = f32x4.splat(uniformScalar);
  const keep = f32x4.splat(<f32>1 - smoothing);
  const vector = C & ~3;
  for (let r = 0; r < rows; r++) {
    const offset = <usize>r * <usize>C << 2;
    const row = x + offset;
    const trow = targets + offset;
    const g = grad ? grad + offset : 0;
    const gt = gradTarget ? gradTarget + offset : 0;
    // Pass 1: max.
    const m = rowMax(row, C);
    const shift = m == Infinity || m == -Infinity ? <f32>0 : m;
    // Pass 2: Σ exp(x − m) (the exps kept in the gradient row), and A = Σ a_c.
    const sum = expSumRow(row, C, shift, g);
    let vA = ZERO4;
    let c = 0;
    for (; c < vector; c += 4) {
      const a = f32x4.add(f32x4.mul(keep, v128.load(trow + (<usize>c << 2))), uniform);
      vA = f32x4.add(vA, weights ? f32x4.mul(a, v128.load(weights + (<usize>c << 2))) : a);
    }
    let A = hsum(vA);
    for (; c < C; c++) {
      const a = (<f32>1 - smoothing) * load<f32>(trow + (<usize>c << 2)) + uniformScalar;
      A += <f64>(weights ? a * load<f32>(weights + (<usize>c << 2)) : a);
    }
    const lse = <f64>shift + Math.log(sum);
    // Pass 3: loss = Σ a_c (lse − x_c) (non-negative terms: no cancellation at large logits) and the gradients.
    const u = upstreamPerRow ? load<f32>(upstreamPerRow + (<usize>r << 2)) : upstream;
    const scale = f32x4.splat(<f32>(<f64>u * A / sum));
    const vu = f32x4.splat(u);
    const vlse = f32x4.splat(<f32>lse);
    const tscale = f32x4.splat(-u * (<f32>1 - smoothing));
    let vloss = ZERO4;
    c = 0;
    for (; c < vector; c += 4) {
      const w = weights ? v128.load(weights + (<usize>c << 2)) : ONE;
      const a = f32x4.mul(f32x4.add(f32x4.mul(keep, v128.load(trow + (<usize>c << 2))), uniform), w);
      const margin = f32x4.sub(vlse, v128.load(row + (<usize>c << 2)));
      vloss = f32x4.add(vloss, f32x4.mul(a, margin));
      if (g) v128.store(g + (<usize>c << 2), f32x4.sub(f32x4.mul(v128.load(g + (<usize>c << 2)), scale), f32x4.mul(vu, a)));
      if (gt) v128.store(gt + (<usize>c << 2), f32x4.mul(f32x4.mul(tscale, w), f32x4.neg(margin)));
    }
    let loss = hsum(vloss);
    for (; c < C; c++) {
      const w: f32 = weights ? load<f32>(weights + (<usize>c << 2)) : 1;
      const a = ((<f32>1 - smoothing) * load<f32>(trow + (<usize>c << 2)) + uniformScalar) * w;
      const margin = <f32>lse - load<f32>(row + (<usize>c << 2));
      loss += <f64>(a * margin);
      if (g) store<f32>(g + (<usize>c << 2), load<f32>(g + (<usize>c << 2)) * f32x4.extract_lane(scale, 0) - u * a);
      if (gt) store<f32>(gt + (<usize>c << 2), -u * (<f32>1 - smoothing) * w * -margin);
    }
    total += loss;
    if (losses) store<f32>(losses + (<usize>r << 2), <f32>loss);
  }
  return total;
}
