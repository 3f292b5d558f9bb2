// Every loss with a generator of valid float64 arguments: used by the property tests, the catalogue's
// tests (src/core/catalog.test.ts checks every catalogue loss is here) and the table-driven eval test.
import * as L from '../../src/index.js';
import type { AnyLoss, Tensor } from '../../src/index.js';
import { integers, signs, uniform } from './random.js';

export interface LossEntry {
  name: string;
  fn: AnyLoss;
  /** Valid arguments of a batch of n items, from a seed. */
  args: (n: number, seed: number) => Tensor[];
  options?: Record<string, unknown>;
  /** Supports a weight option; `weightShape` gives its shape for n items. */
  weightShape?: (n: number) => number[];
}

const C = 4;
const pair = (low: number, high: number) => (n: number, s: number) => [uniform([n, C], low, high, s), uniform([n, C], low, high, s + 1)];
/** n valid boxes (x1 < x2, y1 < y2) from a seed. */
const boxes = (n: number, s: number) => {
  const u = uniform([n, 4], 0, 1, s).data;
  return L.tensor(Float64Array.from(u, (v, i) => (i % 4 < 2 ? 4 * v : 4 * u[i - 2] + 0.5 + 2 * v)), { shape: [n, 4] });
};
const probabilities = (n: number, s: number) => [uniform([n, C], 0.02, 0.98, s), uniform([n, C], 0, 1, s + 1)];

export const ALL_LOSSES: LossEntry[] = [
  { name: 'crossEntropy', fn: L.crossEntropy as AnyLoss, args: (n, s) => [uniform([n, C], -3, 3, s), integers([n], C, s + 1)], weightShape: () => [C] },
  { name: 'crossEntropy (probabilities, smoothing)', fn: L.crossEntropy as AnyLoss, args: (n, s) => [uniform([n, C], -3, 3, s), L.softmax(uniform([n, C], -3, 3, s + 1))], options: { labelSmoothing: 0.1 }, weightShape: () => [C] },
  { name: 'nllLoss', fn: L.nllLoss as AnyLoss, args: (n, s) => [L.logSoftmax(uniform([n, C], -3, 3, s)), integers([n], C, s + 1)], weightShape: () => [C] },
  { name: 'binaryCrossEntropy', fn: L.binaryCrossEntropy as AnyLoss, args: probabilities, weightShape: (n) => [n, C] },
  { name: 'binaryCrossEntropyWithLogits', fn: L.binaryCrossEntropyWithLogits as AnyLoss, args: (n, s) => [uniform([n, C], -4, 4, s), uniform([n, C], 0, 1, s + 1)], options: { posWeight: [1, 2, 0.5, 3] }, weightShape: () => [C] },
  { name: 'l1Loss', fn: L.l1Loss as AnyLoss, args: pair(-3, 3), weightShape: (n) => [n, C] },
  { name: 'mseLoss', fn: L.mseLoss as AnyLoss, args: pair(-3, 3), weightShape: (n) => [n, C] },
  { name: 'smoothL1Loss', fn: L.smoothL1Loss as AnyLoss, args: pair(-3, 3), options: { beta: 0.7 } },
  { name: 'huberLoss', fn: L.huberLoss as AnyLoss, args: pair(-3, 3), options: { delta: 1.3 }, weightShape: (n) => [n, C] },
  { name: 'klDiv', fn: L.klDiv as AnyLoss, args: (n, s) => [L.logSoftmax(uniform([n, C], -3, 3, s)), L.softmax(uniform([n, C], -3, 3, s + 1))] },
  { name: 'poissonNllLoss', fn: L.poissonNllLoss as AnyLoss, args: (n, s) => [uniform([n, C], -1, 2, s), integers([n, C], 6, s + 1)], options: { full: true } },
  { name: 'gaussianNllLoss', fn: L.gaussianNllLoss as AnyLoss, args: (n, s) => [uniform([n, C], -2, 2, s), uniform([n, C], -2, 2, s + 1), uniform([n], 0.2, 2, s + 2)] },
  { name: 'marginRankingLoss', fn: L.marginRankingLoss as AnyLoss, args: (n, s) => [uniform([n], -2, 2, s), uniform([n], -2, 2, s + 1), signs([n], s + 2)], options: { margin: 0.5 } },
  { name: 'hingeEmbeddingLoss', fn: L.hingeEmbeddingLoss as AnyLoss, args: (n, s) => [uniform([n, C], 0, 2, s), signs([n, C], s + 1)] },
  { name: 'softMarginLoss', fn: L.softMarginLoss as AnyLoss, args: (n, s) => [uniform([n, C], -3, 3, s), signs([n, C], s + 1)] },
  { name: 'multilabelSoftMarginLoss', fn: L.multilabelSoftMarginLoss as AnyLoss, args: (n, s) => [uniform([n, C], -3, 3, s), integers([n, C], 2, s + 1)], weightShape: () => [C] },
  { name: 'multiMarginLoss', fn: L.multiMarginLoss as AnyLoss, args: (n, s) => [uniform([n, C], -1, 1, s), integers([n], C, s + 1)], options: { p: 2 }, weightShape: () => [C] },
  { name: 'multilabelMarginLoss', fn: L.multilabelMarginLoss as AnyLoss, args: (n, s) => [uniform([n, C], -1, 1, s), L.tensor(Array.from({ length: n }, (_, i) => [i % C, (i + 1) % C, -1, 0]))] },
  { name: 'cosineEmbeddingLoss', fn: L.cosineEmbeddingLoss as AnyLoss, args: (n, s) => [uniform([n, C], -1, 1, s), uniform([n, C], -1, 1, s + 1), signs([n], s + 2)], options: { margin: -0.2 } },
  { name: 'tripletMarginLoss', fn: L.tripletMarginLoss as AnyLoss, args: (n, s) => [uniform([n, C], -1, 1, s), uniform([n, C], -1, 1, s + 1), uniform([n, C], -1, 1, s + 2)], options: { swap: true, margin: 1.5 } },
  { name: 'ctcLoss', fn: L.ctcLoss as AnyLoss, args: (n, s) => [L.logSoftmax(uniform([6, n, C], -2, 2, s), { dim: 2 }), L.tensor(Array.from({ length: n }, (_, i) => [1 + (i % 3), 1 + ((i + s) % 3)])), L.tensor(Array(n).fill(6)), L.tensor(Array(n).fill(2))] },
  { name: 'generalizedBoxIouLoss', fn: L.generalizedBoxIouLoss as AnyLoss, args: (n, s) => [boxes(n, s), boxes(n, s + 1)] },
  { name: 'distanceBoxIouLoss', fn: L.distanceBoxIouLoss as AnyLoss, args: (n, s) => [boxes(n, s), boxes(n, s + 1)] },
  { name: 'completeBoxIouLoss', fn: L.completeBoxIouLoss as AnyLoss, args: (n, s) => [boxes(n, s), boxes(n, s + 1)], options: { eps: 1e-4 } },
  { name: 'tripletMarginWithDistanceLoss', fn: L.tripletMarginWithDistanceLoss as AnyLoss, args: (n, s) => [uniform([n, C], -1, 1, s), uniform([n, C], -1, 1, s + 1), uniform([n, C], -1, 1, s + 2)], options: { distance: 'cosine', swap: true, margin: 1.5 } },
  // linearBias's gradient (grads[3]) is not an argument's, so argnums does not select it: left out here.
  { name: 'linearCrossEntropy', fn: L.linearCrossEntropy as AnyLoss, args: (n, s) => [uniform([n, 3], -2, 2, s), uniform([C, 3], -1, 1, s + 1), integers([n], C, s + 2)], options: { chunkSize: 2, labelSmoothing: 0.1 }, weightShape: () => [C] },
  { name: 'sigmoidFocalLoss', fn: L.sigmoidFocalLoss as AnyLoss, args: (n, s) => [uniform([n, C], -3, 3, s), integers([n, C], 2, s + 1)] },
  { name: 'diceLoss', fn: L.diceLoss as AnyLoss, args: probabilities, options: { axis: 1 } },
  { name: 'tverskyLoss', fn: L.tverskyLoss as AnyLoss, args: probabilities, options: { alpha: 0.3, beta: 0.7 } },
  { name: 'logCoshLoss', fn: L.logCoshLoss as AnyLoss, args: pair(-3, 3) },
  { name: 'squaredHingeLoss', fn: L.squaredHingeLoss as AnyLoss, args: (n, s) => [uniform([n, C], -2, 2, s), signs([n, C], s + 1)] },
  { name: 'categoricalHingeLoss', fn: L.categoricalHingeLoss as AnyLoss, args: probabilities },
  { name: 'cosineSimilarityLoss', fn: L.cosineSimilarityLoss as AnyLoss, args: pair(-1, 1) },
  { name: 'categoricalFocalCrossEntropy', fn: L.categoricalFocalCrossEntropy as AnyLoss, args: (n, s) => [uniform([n, C], -3, 3, s), L.softmax(uniform([n, C], -3, 3, s + 1))], options: { fromLogits: true, labelSmoothing: 0.1 } },
  { name: 'sparsemaxLoss', fn: L.sparsemaxLoss as AnyLoss, args: (n, s) => [uniform([n, C], -2, 2, s), integers([n, C], 2, s + 1)] },
  { name: 'polyLossCrossEntropy', fn: L.polyLossCrossEntropy as AnyLoss, args: (n, s) => [uniform([n, C], -3, 3, s), L.softmax(uniform([n, C], -3, 3, s + 1))], options: { epsilon: -1 } },
  { name: 'ntxentLoss', fn: L.ntxentLoss as AnyLoss, args: (n, s) => [uniform([n, C], -1, 1, s), integers([n], 2, s + 1)], options: { temperature: 0.5 } },
];
