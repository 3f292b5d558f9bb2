// Seeded randomness for the examples: every run with the same seed gives the same data.

/** mulberry32: a small, fast, well-mixed 32-bit generator. Returns uniform numbers in [0, 1). */
export function generator(seed) {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  /** Standard normal by Box–Muller. */
  const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  /** Fisher–Yates shuffle of 0..n-1. */
  const permutation = (n) => {
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(uniform() * (i + 1));
      [p[i], p[j]] = [p[j], p[i]];
    }
    return p;
  };
  return { uniform, normal, permutation };
}
