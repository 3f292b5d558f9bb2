// Conventions shared by the losses whose reference is Keras: its fuzz factor and its `axis` arguments.
import type { AxesOptionSpec, NumberOptionSpec } from './catalog.js';
import { describeValue } from './options.js';
import { shapeString } from './shape.js';

/** Keras's `backend.epsilon()` (its fuzz factor in denominators, clips and norms). */
export const KERAS_EPSILON = 1e-7;

/** The `axis` option of the losses over groups of elements (Dice, Tversky). */
export const GROUP_AXES: AxesOptionSpec = { type: 'axes', default: null, doc: 'the dimensions each loss value sums over (absent: all of them, one value)' };

/** The `axis` option of the losses along one axis (cosine similarity, focal cross-entropy). */
export const ONE_AXIS: NumberOptionSpec = { type: 'integer', default: -1, doc: 'the axis the loss runs along (negative counts from the end)' };

/** An axis index in [−ndim, ndim), as Keras and NumPy take it (negative counts from the end). */
export function normalizeAxis(fn: string, axis: unknown, ndim: number): number {
  if (typeof axis !== 'number' || !Number.isInteger(axis) || axis < -ndim || axis >= ndim) {
    const range = ndim === 0 ? 'none: the tensor is 0-d' : `${-ndim} to ${ndim - 1}`;
    throw new Error(`${fn}: axis must be an integer in the range of a tensor of ${ndim} dimension${ndim === 1 ? '' : 's'} (${range}), got ${typeof axis === 'number' ? axis : describeValue(axis)}`);
  }
  return axis < 0 ? axis + ndim : axis;
}

/** What reducing `shape` over some of its dimensions gives: the item of every element. */
export interface AxisGroups {
  /** Shape of the per-sample result: `shape` without the reduced dimensions. */
  itemShape: number[];
  /**
   * Where the reduced dimensions are the trailing ones (all of them included), item k is the
   * `block` consecutive elements from k · block: `block` is their number and `item` is null.
   */
  block: number;
  /** Otherwise (`block` 0): the index (into the per-sample result) of the item each element of `shape` belongs to. */
  item: Int32Array | null;
}

/**
 * The groups of a reduction over `axis` (Keras's `axis=None | int | tuple`): `undefined` or
 * `null` reduce every dimension (one item, shape `[]`), an integer or an array of distinct
 * integers reduce those dimensions.
 */
export function axisGroups(fn: string, shape: readonly number[], axis: unknown): AxisGroups {
  const ndim = shape.length;
  let reduced: boolean[];
  if (axis === undefined || axis === null) reduced = shape.map(() => true);
  else {
    const list = Array.isArray(axis) ? axis : [axis];
    reduced = shape.map(() => false);
    for (const a of list) {
      const d = normalizeAxis(fn, a, ndim);
      if (reduced[d]) throw new Error(`${fn}: axis lists dimension ${d} twice (got ${JSON.stringify(axis)} for shape ${shapeString(shape)})`);
      reduced[d] = true;
    }
  }
  const itemShape = shape.filter((_, d) => !reduced[d]);
  const trailing = reduced.findIndex((r) => r);
  if (trailing >= 0 && reduced.slice(trailing).every((r) => r)) {
    // No index map: a 4M-element map costs 16 MB and a pass to fill it.
    return { itemShape, block: shape.slice(trailing).reduce((a, d) => a * d, 1), item: null };
  }
  // Stride of each dimension in the item index (0 for reduced dimensions).
  const strides = new Array<number>(ndim).fill(0);
  let stride = 1;
  for (let d = ndim - 1; d >= 0; d--) {
    if (reduced[d]) continue;
    strides[d] = stride;
    stride *= shape[d];
  }
  let total = 1;
  for (const d of shape) total *= d;
  const item = new Int32Array(total);
  const index = new Array<number>(ndim).fill(0);
  let at = 0;
  for (let i = 0; i < total; i++) {
    item[i] = at;
    for (let d = ndim - 1; d >= 0; d--) {
      index[d]++;
      at += strides[d];
      if (index[d] < shape[d]) break;
      at -= strides[d] * index[d];
      index[d] = 0;
    }
  }
  return { itemShape, block: 0, item };
}
