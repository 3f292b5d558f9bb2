// Deterministic random tensors for tests (mulberry32).
import { mulberry32 } from '../../scripts/random.mjs';
import { tensor, type Tensor } from '../../src/index.js';

/** A deterministic uniform generator in [0, 1) (mulberry32, scripts/random.mjs: shared with the benchmark). */
export const random: (seed: number) => () => number = mulberry32;

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
