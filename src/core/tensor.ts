import { formatTensor } from './format.js';

/** Element types a {@link Tensor} can hold. */
export type DType = 'float32' | 'float64' | 'int32';
/** The typed arrays behind a tensor, one per {@link DType}. */
export type TypedArray = Float32Array | Float64Array | Int32Array;
/** A number or arbitrarily nested arrays of numbers (rectangular). */
export type NestedNumbers = number | readonly NestedNumbers[];
/** Anything a losskit function accepts where it expects a tensor. */
export type TensorLike = Tensor | NestedNumbers | TypedArray;

/** Options of {@link tensor}. */
export interface TensorOptions {
  /** Element type. Default: `float32` for numbers and nested arrays, otherwise the typed array's own. */
  dtype?: DType;
  /** Shape for a flat typed array or array (row-major). Default: inferred (a typed array is 1-D). */
  shape?: readonly number[];
}

const ARRAY_OF: Record<DType, new (n: number | ArrayLike<number>) => TypedArray> = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
};

/** Number of elements of a shape (1 for the 0-d shape `[]`). */
export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * A dense, row-major n-dimensional array: the value type of every losskit function.
 *
 * `toString()` (and `console.log` in Node) prints exactly as PyTorch prints the same tensor.
 */
export class Tensor {
  /** The elements, row-major. */
  readonly data: TypedArray;
  /** Size of each dimension; `[]` for a scalar (0-d) tensor. */
  readonly shape: number[];
  /** Element type. */
  readonly dtype: DType;

  constructor(data: TypedArray, shape: readonly number[]) {
    for (const d of shape) {
      if (!Number.isInteger(d) || d < 0) {
        throw new Error(`tensor: shape [${shape.join(', ')}] must hold non-negative integers`);
      }
    }
    if (numel(shape) !== data.length) {
      throw new Error(`tensor: shape [${shape.join(', ')}] needs ${numel(shape)} elements, got ${data.length}`);
    }
    this.data = data;
    this.shape = [...shape];
    this.dtype = data instanceof Float32Array ? 'float32' : data instanceof Float64Array ? 'float64' : 'int32';
  }

  /** Number of elements. */
  get size(): number {
    return this.data.length;
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** The value of a one-element tensor, as a number. */
  item(): number {
    if (this.data.length !== 1) {
      throw new Error(`item: a tensor with ${this.data.length} elements cannot be converted to a number`);
    }
    return this.data[0];
  }

  /** The elements as nested arrays (a number for a 0-d tensor). */
  toArray(): NestedNumbers {
    if (this.shape.length === 0) return this.data[0];
    const build = (dim: number, offset: number, stride: number): NestedNumbers[] => {
      const size = this.shape[dim];
      const inner = stride / (size || 1);
      const out: NestedNumbers[] = [];
      for (let i = 0; i < size; i++) {
        out.push(dim === this.shape.length - 1 ? this.data[offset + i] : build(dim + 1, offset + i * inner, inner));
      }
      return out;
    };
    return build(0, 0, this.data.length);
  }

  /** PyTorch's printed form, e.g. `tensor([1.2319, 1.4423, 2.1719])`. */
  toString(): string {
    return formatTensor(this);
  }

  /** Node's `console.log` / `util.inspect` hook: print as PyTorch does. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

function inferShape(values: NestedNumbers, path: number[] = []): number[] {
  if (typeof values === 'number') return [];
  if (!Array.isArray(values)) {
    throw new Error(`tensor: element at [${path.join(', ')}] is ${describe(values)}, expected a number or an array`);
  }
  if (values.length === 0) return [0];
  return [values.length, ...inferShape(values[0], [...path, 0])];
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? `the string '${value}'` : `of type ${typeof value}`;
}

function flatten(values: NestedNumbers, shape: readonly number[], out: number[], path: number[]): void {
  const dim = path.length;
  if (dim === shape.length) {
    if (typeof values !== 'number') {
      throw new Error(`tensor: element at [${path.join(', ')}] is ${describe(values)}, expected a number (ragged nested array?)`);
    }
    out.push(values);
    return;
  }
  if (!Array.isArray(values)) {
    throw new Error(`tensor: element at [${path.join(', ')}] is ${describe(values)}, expected an array of length ${shape[dim]}`);
  }
  if (values.length !== shape[dim]) {
    throw new Error(`tensor: ragged nested array: [${path.join(', ')}] has length ${values.length}, expected ${shape[dim]}`);
  }
  for (let i = 0; i < values.length; i++) flatten(values[i], shape, out, [...path, i]);
}

function isTypedArray(v: unknown): v is TypedArray {
  return v instanceof Float32Array || v instanceof Float64Array || v instanceof Int32Array;
}

/**
 * Creates a tensor, as `torch.tensor` does.
 *
 * @param values a number, nested arrays of numbers, a flat `Float32Array | Float64Array | Int32Array`
 *   (1-D unless `shape` is given) or a tensor (copied, or converted to `dtype`).
 * @returns a new tensor; the values are always copied, so later changes to `values` do not reach it.
 * @example
 * ```ts
 * console.log(tensor([[1, 2], [3, 4]]).toString());
 * // tensor([[1., 2.],
 * //         [3., 4.]])
 * ```
 */
export function tensor(values: TensorLike, options: TensorOptions = {}): Tensor {
  let flat: ArrayLike<number>;
  let inferred: number[];
  let dtype: DType;
  if (values instanceof Tensor) {
    flat = values.data;
    inferred = values.shape;
    dtype = options.dtype ?? values.dtype;
  } else if (isTypedArray(values)) {
    flat = values;
    inferred = [values.length];
    dtype = options.dtype ?? (values instanceof Float32Array ? 'float32' : values instanceof Float64Array ? 'float64' : 'int32');
  } else {
    inferred = inferShape(values);
    const out: number[] = [];
    flatten(values, inferred, out, []);
    flat = out;
    dtype = options.dtype ?? 'float32';
  }
  if (!(dtype in ARRAY_OF)) {
    throw new Error(`tensor: unknown dtype '${String(dtype)}' (valid: float32, float64, int32)`);
  }
  if (dtype === 'int32') {
    for (let i = 0; i < flat.length; i++) {
      const v = flat[i];
      if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647) {
        throw new Error(`tensor: value ${v} at index ${i} is not a 32-bit integer (dtype int32)`);
      }
    }
  }
  const shape = options.shape ?? inferred;
  if (numel(shape) !== flat.length) {
    throw new Error(`tensor: shape [${shape.join(', ')}] needs ${numel(shape)} elements, got ${flat.length}`);
  }
  return new Tensor(new ARRAY_OF[dtype](flat), shape);
}

/** Allocates a typed array of `dtype` holding `values` (rounded to float32 where needed). */
export function typedArrayOf(dtype: DType, values: ArrayLike<number> | number): TypedArray {
  return new ARRAY_OF[dtype](values);
}

/**
 * Converts an argument of `fn` to a tensor without copying a tensor or typed array; numbers and
 * nested arrays become `plainDtype` (float32 by default, as `torch.tensor`).
 * Errors name the function and the argument: `l1Loss: target: ragged nested array ...`.
 */
export function asTensor(fn: string, arg: string, value: TensorLike, plainDtype: DType = 'float32'): Tensor {
  if (value instanceof Tensor) return value;
  if (isTypedArray(value)) return new Tensor(value, [value.length]);
  if (value === undefined || value === null) throw new Error(`${fn}: ${arg} is missing`);
  try {
    return tensor(value, { dtype: plainDtype });
  } catch (e) {
    throw new Error(`${fn}: ${arg}: ${(e as Error).message.replace(/^tensor: /, '')}`);
  }
}
