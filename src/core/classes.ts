import { shapeString } from './shape.js';
import { asTensor, type DType, type Tensor, type TensorLike } from './tensor.js';

/**
 * Layout of a class-scored input: `[C]`, `[N, C]` or `[N, C, d1, ..., dk]` (classes on dim 1, or
 * dim 0 when 1-D). Item `i = n * inner + s` reads its class scores at `n * C * inner + c * inner + s`.
 */
export interface ClassLayout {
  classes: number;
  inner: number;
  /** Number of items (samples × spatial positions). */
  items: number;
  /** Shape of the per-item losses: the input's shape without the class dimension. */
  itemShape: number[];
}

export function classLayout(fn: string, input: Tensor): ClassLayout {
  if (input.shape.length === 0) throw new Error(`${fn}: input must have a class dimension, got a 0-d tensor`);
  const classDim = input.shape.length === 1 ? 0 : 1;
  const classes = checkClassCount(fn, input.shape[classDim]);
  const itemShape = input.shape.filter((_, d) => d !== classDim);
  let inner = 1;
  for (let d = classDim + 1; d < input.shape.length; d++) inner *= input.shape[d];
  let items = 1;
  for (const d of itemShape) items *= d;
  return { classes, inner, items, itemShape };
}

/** Offset of class 0 of item i. */
export function itemBase(layout: ClassLayout, i: number): number {
  const n = Math.floor(i / layout.inner);
  return n * layout.classes * layout.inner + (i - n * layout.inner);
}

/** Class weights: a tensor of C numbers (plain arrays in the input's dtype), or null. */
export function classWeights(fn: string, value: unknown, classes: number, dtype: DType): ArrayLike<number> | null {
  if (value === undefined || value === null) return null;
  const w = asTensor(fn, 'weight', value as TensorLike, dtype);
  if (w.shape.length !== 1 || w.size !== classes) {
    throw new Error(`${fn}: weight shape ${shapeString(w.shape)} does not match the ${classes} classes (expected [${classes}])`);
  }
  return w.data;
}

/** Checks that class-index targets have the items' shape (the input's shape without its class dimension). */
export function checkTargetShape(fn: string, target: Tensor, layout: ClassLayout): void {
  if (target.shape.length !== layout.itemShape.length || target.shape.some((d, i) => d !== layout.itemShape[i])) {
    throw new Error(
      `${fn}: target shape ${shapeString(target.shape)} does not match the input: expected class indices of shape ` +
        `${shapeString(layout.itemShape)}` +
        (fn === 'crossEntropy' ? ' or probabilities of the input shape' : ''),
    );
  }
}

/**
 * The most classes a class-index loss takes: 2^31 − 1, so that every class index is an int32
 * (PyTorch's are int64). A row that long is 8 GiB of float32 scores.
 */
export const MAX_CLASSES = 0x7fffffff;

/** `classes`, checked against {@link MAX_CLASSES}. */
export function checkClassCount(fn: string, classes: number): number {
  if (classes > MAX_CLASSES) throw new Error(`${fn}: ${classes} classes are more than the ${MAX_CLASSES} (2^31 - 1) that class indices can address`);
  return classes;
}

/**
 * Whether `t` is a class index among `classes` (an integer in [0, classes); NaN, ±inf and fractions
 * are not), for classes ≤ {@link MAX_CLASSES}: then `(t | 0) === t` tells every index. The form
 * with a `Number.isInteger` fallback for larger indices made nllLoss's default loops 20–40%
 * slower (Node 24: [4096, 1000] 16 → 21 µs, [4, 21, 128, 128] float64 390 → 435 µs).
 */
export function isClassIndex(t: number, classes: number): boolean {
  return (t | 0) === t && t >= 0 && t < classes;
}

/** The error of a target `t` at item `i` that is not a class index among `classes`. */
export function targetError(fn: string, t: number, i: number, classes: number): Error {
  if (!Number.isInteger(t)) return new Error(`${fn}: target ${t} at index ${i} is not an integer class index`);
  return new Error(`${fn}: target ${t} is out of range for ${classes} classes (at index ${i})`);
}

/**
 * Checks class-index targets (shape, integer, range) and returns what a weighted 'mean' divides by:
 * the sum of `weight[target]` over the items that are not ignored.
 */
export function checkClassTargets(
  fn: string,
  target: Tensor,
  layout: ClassLayout,
  ignoreIndex: number | null,
  weight: ArrayLike<number> | null,
): number {
  checkTargetShape(fn, target, layout);
  const classes = checkClassCount(fn, layout.classes);
  const data = target.data;
  const bad = weight === null ? countClassTargets(data, classes, ignoreIndex) : sumClassWeights(data, classes, ignoreIndex, weight);
  if (bad >= 0) throw targetError(fn, data[bad], bad, classes);
  return classTotal[0];
}

/** checkClassTargets' sum, set by its loops (which return the index of a bad target, or −1). */
const classTotal = new Float64Array(1);

// Two loops of their own, each over locals: one loop reading `target.data[i]` and testing the
// weight per element took 250–280 µs for the 65536 targets of a [4, 21, 128, 128] cross-entropy
// (11% of its float32 forward pass), these 130–170 µs (Node 24, medians of 201 calls).
function countClassTargets(data: Tensor['data'], classes: number, ignoreIndex: number | null): number {
  let count = 0;
  for (let i = 0; i < data.length; i++) {
    const t = data[i];
    if (t === ignoreIndex) continue;
    if (!isClassIndex(t, classes)) return i;
    count++;
  }
  classTotal[0] = count;
  return -1;
}

function sumClassWeights(data: Tensor['data'], classes: number, ignoreIndex: number | null, weight: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < data.length; i++) {
    const t = data[i];
    if (t === ignoreIndex) continue;
    if (!isClassIndex(t, classes)) return i;
    total += weight[t];
  }
  classTotal[0] = total;
  return -1;
}
