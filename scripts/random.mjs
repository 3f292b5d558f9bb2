// The one seeded generator of the tests (test/support/random.ts), the benchmark's data
// (bench/workloads.js) and the kernel-accuracy battery (scripts/measure-accuracy.mjs): mulberry32,
// a 32-bit state advanced by a Weyl step and mixed by two xor-shift-multiplies (Tommy Ettinger's
// public-domain generator; period 2^32, enough for test inputs, not for statistics).

/**
 * A deterministic uniform generator in [0, 1) from a seed (any number; its low 32 bits are used).
 * @param {number} seed
 * @returns {() => number}
 */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
