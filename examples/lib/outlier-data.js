// The outliers example's data set, apart from its plotting so that the playground's train mode
// (a browser bundle) draws the very same points.
import { generator } from './random.js';

export const TRUE_LINE = { a: 2, b: 1 };
/** 200 points on y = 2x + 1 with noise; 20 of the 40 rightmost points are pushed up by 15 to 30. */
export function outlierData(seed) {
  const rng = generator(seed);
  const n = 200;
  const x = Float64Array.from({ length: n }, () => -3 + 6 * rng.uniform());
  const y = x.map((v) => TRUE_LINE.a * v + TRUE_LINE.b + 0.3 * rng.normal());
  const rightmost = Array.from(x.keys()).sort((i, j) => x[j] - x[i]).slice(0, 40);
  const outliers = rng.permutation(40).slice(0, 20).map((k) => rightmost[k]);
  for (const i of outliers) y[i] += 15 + 15 * rng.uniform();
  return { x, y, outliers: new Set(outliers) };
}

