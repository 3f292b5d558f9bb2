// Whole-tensor scans that run once per loss call (a label check, a choice of formula).

/**
 * Elements per call of a scan's inner loop. A loop over millions of elements run once per call
 * never makes its function hot by calls: V8 interprets it, compiles it on stack replacement in the
 * middle, and does the same again at the next call, so every call pays the interpreter on its
 * first stretch (squared hinge's binary-target scan of 4M float32 took ~30 ms a call, Node 24).
 * Called once per chunk, the inner loop is a hot function, optimised once (the same cure as
 * nllLoss's forward loops, src/losses/nll.ts).
 */
const SCAN_CHUNK = 4096;

/** The first index ≥ `from` whose value is neither 0 nor 1 (NaN included), or −1. */
export function firstNonBinary(data: ArrayLike<number>, from = 0): number {
  for (let start = from; start < data.length; start += SCAN_CHUNK) {
    const bad = nonBinaryIn(data, start, Math.min(data.length, start + SCAN_CHUNK));
    if (bad >= 0) return bad;
  }
  return -1;
}

/**
 * v (v − 1) is 0 exactly for v = ±0 and v = 1: no other double's product underflows to 0 (that
 * would need |v| < 2^-1074), and NaN and ±inf give NaN or inf. One branch an element that is
 * always taken the same way, where `v !== 0 && v !== 1` branches on each label and mispredicts
 * on random ones (4M float32 labels: 30 ms against 4.5, Node 24).
 */
function nonBinaryIn(data: ArrayLike<number>, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    const v = data[i];
    if (v * (v - 1) !== 0) return i;
  }
  return -1;
}
