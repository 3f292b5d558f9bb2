// Deterministic random tensors for tests (mulberry32).
import { tensor, type Tensor } from '../../src/index.js';

export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform float64 values in [low, high). */
export function uniform(shape: number[], low: number, high: number, seed: number): Tensor {
  const next = random(seed);
  const n = shape.reduce((a, d) => a * d, 1);
  return tensor(Float64Array.from({ length: n }, () => low + (high - low) * next()), { shape });
}

/** Random integers in [0, n). */
export function integers(shape: number[], n: number, seed: number): Tensor {
  const next = random(seed);
  const count = shape.reduce((a, d) => a * d, 1);
  return tensor(Float64Array.from({ length: count }, () => Math.floor(next() * n)), { shape });
}

/** Random ±1 labels. */
export function signs(shape: number[], seed: number): Tensor {
  const next = random(seed);
  const count = shape.reduce((a, d) => a * d, 1);
  return tensor(Float64Array.from({ length: count }, () => (next() < 0.5 ? -1 : 1)), { shape });
}
