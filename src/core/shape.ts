import type { Tensor } from './tensor.js';

export function shapeString(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** losskit requires equal shapes where PyTorch would broadcast with a warning. */
export function assertSameShape(fn: string, arg: string, t: Tensor, refName: string, ref: Tensor): void {
  if (!sameShape(t.shape, ref.shape)) {
    throw new Error(`${fn}: ${arg} shape ${shapeString(t.shape)} does not match ${refName} shape ${shapeString(ref.shape)}`);
  }
}

/** Normalizes a possibly negative dimension index, as PyTorch does. */
export function normalizeDim(fn: string, dim: number, ndim: number): number {
  const rank = Math.max(ndim, 1);
  if (!Number.isInteger(dim) || dim < -rank || dim >= rank) {
    throw new Error(`${fn}: dim ${dim} is out of range for a tensor of ${ndim} dimensions (expected ${-rank} to ${rank - 1})`);
  }
  return dim < 0 ? dim + rank : dim;
}

/** Throws unless `from` broadcasts (numpy-style) to `to`. */
export function checkBroadcast(fn: string, arg: string, from: readonly number[], to: readonly number[]): void {
  const offset = to.length - from.length;
  const fits = offset >= 0 && from.every((d, i) => d === 1 || d === to[i + offset]);
  if (!fits) {
    throw new Error(`${fn}: ${arg} shape ${shapeString(from)} cannot be broadcast to shape ${shapeString(to)}`);
  }
}

/**
 * Index map of numpy-style broadcasting of `from` to `to`: element i of the broadcast result is
 * element map[i] of `from`. Used to expand weights and to sum gradients back (`out[map[i]] += g[i]`).
 * Returns null when no broadcasting is needed.
 */
export function broadcastMap(fn: string, arg: string, from: readonly number[], to: readonly number[]): Int32Array | null {
  if (sameShape(from, to)) return null;
  checkBroadcast(fn, arg, from, to);
  const offset = to.length - from.length;
  let total = 1;
  for (const d of to) total *= d;
  const map = new Int32Array(total);
  // Stride of each target dimension inside `from` (0 where `from` is broadcast).
  const strides = new Array<number>(to.length).fill(0);
  let stride = 1;
  for (let i = from.length - 1; i >= 0; i--) {
    strides[i + offset] = from[i] === 1 ? 0 : stride;
    stride *= from[i];
  }
  const index = new Array<number>(to.length).fill(0);
  let source = 0;
  for (let i = 0; i < total; i++) {
    map[i] = source;
    for (let d = to.length - 1; d >= 0; d--) {
      index[d]++;
      source += strides[d];
      if (index[d] < to[d]) break;
      source -= strides[d] * index[d];
      index[d] = 0;
    }
  }
  return map;
}

/**
 * Calls `visit` for every 1-D lane along `dim` of a row-major `shape`: its offset, stride and
 * length, and its index among the lanes (its position in a result reduced over `dim`).
 */
export function forEachLane(
  shape: readonly number[],
  dim: number,
  visit: (offset: number, stride: number, length: number, lane: number) => void,
): void {
  const length = shape.length === 0 ? 1 : shape[dim];
  let inner = 1;
  for (let d = dim + 1; d < shape.length; d++) inner *= shape[d];
  let outer = 1;
  for (let d = 0; d < dim; d++) outer *= shape[d];
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) visit(o * length * inner + i, inner, length, o * inner + i);
  }
}
