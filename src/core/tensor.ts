import { formatTensor } from './format.js';
import { checkArity, describeValue, readOptions } from './options.js';

/** Element types a {@link Tensor} can hold. */
export type DType = 'float32' | 'float64' | 'int32';
/** The element types of results and gradients. */
export type FloatDType = 'float32' | 'float64';
/** The typed array behind each {@link DType}. */
export interface DataTypes {
  float32: Float32Array;
  float64: Float64Array;
  int32: Int32Array;
}
/** The typed arrays behind a tensor, one per {@link DType}. */
export type TypedArray = DataTypes[DType];
/** A number or arbitrarily nested arrays of numbers (rectangular). */
export type NestedNumbers = number | readonly NestedNumbers[];

/**
 * A tensor of another library, read without copying where its memory allows: `{ data, shape }` or
 * an ndarray (`{ data, shape, stride, offset }`). `data` is a typed array or an array of numbers.
 */
export interface DataShapeTensorLike {
  readonly data: ArrayLike<unknown>;
  readonly shape: readonly number[];
  readonly stride?: readonly number[];
  readonly offset?: number;
}
/** An ONNX Runtime or transformers.js `Tensor`: `{ data, dims, type }` (always contiguous). */
export interface DataDimsTensorLike {
  readonly data: ArrayLike<unknown>;
  readonly dims: readonly number[];
  /** ONNX Runtime's element type ('float32', 'int64', 'float16', ...). */
  readonly type?: string;
}
/** A TensorFlow.js tensor (read with `dataSync()`, so on the cpu backend without copying). */
export interface DataSyncTensorLike {
  dataSync(): ArrayLike<number>;
  readonly shape: readonly number[];
  readonly dtype?: string;
  readonly isDisposed?: boolean;
}
/** Integer typed arrays, read as int32 (copied, each value checked to fit). */
export type IntegerArray = Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array | Uint32Array | BigInt64Array | BigUint64Array;
/** Anything a losskit function accepts where it expects a tensor. */
export type TensorLike = Tensor | NestedNumbers | TypedArray | IntegerArray | DataShapeTensorLike | DataDimsTensorLike | DataSyncTensorLike;

/** Options of {@link tensor}. */
export interface TensorOptions<D extends DType = DType> {
  /** Element type. Default: `float32` for numbers and nested arrays, otherwise the typed array's own. */
  dtype?: D;
  /** Shape for a flat typed array or array (row-major). Default: inferred (a typed array is 1-D). */
  shape?: readonly number[];
}

/** The typed-array constructor of a dtype (exhaustive: an unknown dtype cannot reach it). */
function arrayOf(dtype: DType): new (n: number | ArrayLike<number>) => TypedArray {
  switch (dtype) {
    case 'float32':
      return Float32Array;
    case 'float64':
      return Float64Array;
    case 'int32':
      return Int32Array;
    default: {
      const never: never = dtype;
      throw new Error(`unknown dtype '${String(never)}' (valid: float32, float64, int32)`);
    }
  }
}

/** A dtype option, checked by value (a string such as '__proto__' or 'constructor' is just invalid). */
function checkDtype(where: string, value: unknown): DType {
  switch (value) {
    case 'float32':
    case 'float64':
    case 'int32':
      return value;
    default:
      throw new Error(`${where}: unknown dtype ${typeof value === 'string' ? `'${value}'` : describeValue(value)} (valid: float32, float64, int32)`);
  }
}

// %TypedArray%.prototype[Symbol.toStringTag] is the one brand check of typed arrays that works
// across realms and is never fooled: it reads the internal slot, so it returns undefined for a
// Proxy of a typed array or an object that merely inherits from Float32Array.prototype.
const TypedArrayPrototype = Object.getPrototypeOf(Int8Array.prototype) as object;
const typedArrayTag = Object.getOwnPropertyDescriptor(TypedArrayPrototype, Symbol.toStringTag)!.get as (this: unknown) => string | undefined;

/** The class name of a real typed array ('Float32Array', 'BigInt64Array', ...), else undefined. */
export function typedArrayKind(value: unknown): string | undefined {
  return typedArrayTag.call(value);
}

/** The dtype a typed array is stored as without conversion, if any. */
function nativeDtype(kind: string | undefined): DType | undefined {
  switch (kind) {
    case 'Float32Array':
      return 'float32';
    case 'Float64Array':
      return 'float64';
    case 'Int32Array':
      return 'int32';
    default:
      return undefined;
  }
}

/** Integer typed arrays read as int32 (copied; values outside int32 throw). */
/** Integer typed arrays whose every value fits in int32. */
const SMALL_INTEGER_KINDS = ['Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array'];
const INTEGER_KINDS = ['Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Uint32Array', 'BigInt64Array', 'BigUint64Array'];

/** Number of elements of a shape (1 for the 0-d shape `[]`). */
export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * A dense, row-major n-dimensional array: the value type of every losskit function.
 *
 * `new Tensor(data, shape)` wraps `data` without copying (a `Float32Array`, `Float64Array` or
 * `Int32Array`; anything else throws). `Tensor<'float32'>` has `data: Float32Array`, and so on;
 * plain `Tensor` is any of them.
 *
 * `toString()` (and `console.log` in Node) prints exactly as PyTorch prints the same tensor.
 */
export class Tensor<D extends DType = DType> {
  /** The elements, row-major. */
  readonly data: DataTypes[D];
  /** Size of each dimension; `[]` for a scalar (0-d) tensor. */
  readonly shape: number[];
  /** Element type. */
  readonly dtype: D;

  constructor(data: DataTypes[D], shape: readonly number[]) {
    if (arguments.length > 2) throw new Error(`new Tensor: expected data and shape, got ${arguments.length} arguments (tensor(values, { dtype }) converts)`);
    const dtype = nativeDtype(typedArrayKind(data));
    if (dtype === undefined) {
      const proxy = typedArrayKind(data) === undefined && data instanceof (TypedArrayPrototype.constructor as abstract new () => object);
      throw new Error(
        proxy
          ? `new Tensor: data is ${describeValue(data)} that is not a real typed array (a Proxy, or an object inheriting from one): pass the typed array itself`
          : `new Tensor: data must be a Float32Array, Float64Array or Int32Array, got ${describeValue(data)} (tensor() converts other arrays)`,
      );
    }
    checkShape('new Tensor', shape);
    if (numel(shape) !== data.length) {
      throw new Error(`new Tensor: shape [${shape.join(', ')}] needs ${numel(shape)} elements, got ${data.length}`);
    }
    this.data = data;
    this.shape = [...shape];
    this.dtype = dtype as D;
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

/** Checks a shape: an array of non-negative integers. */
function checkShape(where: string, shape: unknown): asserts shape is readonly number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    const shown = Array.isArray(shape) ? `[${shape.map((d) => String(d)).join(', ')}]` : describeValue(shape);
    throw new Error(`${where}: shape ${shown} must hold non-negative integers`);
  }
}

function inferShape(where: string, values: unknown, path: number[] = []): number[] {
  if (typeof values === 'number') return [];
  if (!Array.isArray(values)) {
    throw new Error(`${where}: element at [${path.join(', ')}] is ${describeValue(values)}, expected a number or an array`);
  }
  if (values.length === 0) return [0];
  return [values.length, ...inferShape(where, values[0], [...path, 0])];
}

/**
 * Nested arrays of `shape` written row-major into `out` (a new typed array of `dtype`), checked on
 * the way: every array of the right length, every leaf a number (an int32 one a 32-bit integer).
 * One pass, rows written straight into the typed array: a 4096 × 1000 `number[][]` in ~10 ms
 * (a flatten through a number[] and per-element index paths took 690 ms).
 */
function flattenInto(where: string, values: unknown, shape: readonly number[], out: TypedArray, dtype: DType): void {
  const depth = shape.length;
  // The index of the element being read, per dimension: only read to word an error.
  const path = new Array<number>(depth).fill(0);
  const at = (dim: number) => `[${path.slice(0, dim).join(', ')}]`;
  const leafError = (v: unknown, dim: number) =>
    new Error(`${where}: element at ${at(dim)} is ${describeValue(v)}, expected a number (ragged nested array?)`);
  const int32 = dtype === 'int32';
  if (depth === 0) {
    if (typeof values !== 'number') throw leafError(values, 0);
    out[0] = values;
    if (int32) checkInt32(where, values, 0);
    return;
  }
  let offset = 0;
  const visit = (v: unknown, dim: number): void => {
    const length = shape[dim];
    if (!Array.isArray(v)) throw new Error(`${where}: element at ${at(dim)} is ${describeValue(v)}, expected an array of length ${length}`);
    if (v.length !== length) throw new Error(`${where}: ragged nested array: ${at(dim)} has length ${v.length}, expected ${length}`);
    if (dim < depth - 1) {
      for (let i = 0; i < length; i++) {
        path[dim] = i;
        visit(v[i], dim + 1);
      }
      return;
    }
    for (let i = 0; i < length; i++) {
      const x: unknown = v[i];
      if (typeof x !== 'number') {
        path[dim] = i;
        throw leafError(x, dim + 1);
      }
      out[offset + i] = x;
    }
    if (int32) for (let i = 0; i < length; i++) checkInt32(where, v[i] as number, offset + i);
    offset += length;
  };
  visit(values, 0);
}

/** Throws unless v is a 32-bit integer (dtype int32). */
function checkInt32(where: string, v: number, i: number): void {
  if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647) {
    throw new Error(`${where}: value ${v} at index ${i} is not a 32-bit integer (dtype int32)`);
  }
}

/** A new typed array of `dtype` holding `values` (int32: each must be a 32-bit integer). */
function typedFrom(where: string, dtype: DType, values: ArrayLike<number>): TypedArray {
  // Float and int32 typed arrays convert to int32 exactly when their values are 32-bit integers.
  if (dtype === 'int32' && !(values instanceof Int32Array)) for (let i = 0; i < values.length; i++) checkInt32(where, values[i], i);
  return new (arrayOf(dtype))(values);
}

/** Row-major strides of a shape. */
function rowMajor(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let step = 1;
  for (let k = shape.length - 1; k >= 0; k--) {
    strides[k] = step;
    step *= shape[k];
  }
  return strides;
}

/** The position in `data` of the i-th element in row-major order of a strided view. */
function stridedIndex(shape: readonly number[], strides: readonly number[], base: number): (i: number) => number {
  return (i) => {
    let position = base;
    for (let k = shape.length - 1; k >= 0; k--) {
      const q = Math.floor(i / shape[k]);
      position += (i - q * shape[k]) * strides[k];
      i = q;
    }
    return position;
  };
}

/**
 * A tensor over `data` laid out by `shape` (and an ndarray's `stride` and `offset`): the same
 * memory when `data` is a Float32Array, Float64Array or Int32Array read contiguously; otherwise a
 * copy (integer typed arrays become int32 with a range check, arrays of numbers `plainDtype`).
 */
function fromData(where: string, data: unknown, shape: unknown, stride: unknown, offset: unknown, plainDtype: DType): Tensor {
  checkShape(where, shape);
  const kind = typedArrayKind(data);
  if (kind === undefined && !Array.isArray(data)) {
    throw new Error(`${where}: data is ${describeValue(data)}, expected a typed array or an array of numbers`);
  }
  const source = data as ArrayLike<unknown>;
  const n = numel(shape);
  const base = offset ?? 0;
  if (typeof base !== 'number' || !Number.isInteger(base) || base < 0) {
    throw new Error(`${where}: offset ${describeValue(offset)} must be a non-negative integer`);
  }
  const dense = rowMajor(shape);
  if (stride !== undefined && !(Array.isArray(stride) && stride.length === shape.length && stride.every((d) => Number.isInteger(d)))) {
    throw new Error(`${where}: stride must be an array of ${shape.length} integers (one per dimension), got ${describeValue(stride)}`);
  }
  const strides = (stride as number[] | undefined) ?? dense;
  if (stride === undefined && offset === undefined && source.length !== n) {
    throw new Error(`${where}: shape [${shape.join(', ')}] needs ${n} elements, got ${source.length}`);
  }
  let low = base;
  let high = base;
  shape.forEach((d, k) => {
    if (d > 1) {
      const span = (d - 1) * strides[k];
      if (span < 0) low += span;
      else high += span;
    }
  });
  if (n > 0 && (low < 0 || high >= source.length)) {
    throw new Error(`${where}: shape [${shape.join(', ')}] with stride [${strides.join(', ')}] and offset ${base} reads outside its data (${source.length} elements)`);
  }
  const contiguous = shape.every((d, k) => d <= 1 || strides[k] === dense[k]);
  const dtype = nativeDtype(kind);
  if (dtype !== undefined && contiguous) {
    const typed = data as TypedArray;
    return new Tensor(base === 0 && typed.length === n ? typed : typed.subarray(base, base + n), shape);
  }
  const at = contiguous ? (i: number) => base + i : stridedIndex(shape, strides, base);
  if (dtype !== undefined) {
    const out = new (arrayOf(dtype))(n);
    for (let i = 0; i < n; i++) out[i] = source[at(i)] as number;
    return new Tensor(out, shape);
  }
  if (kind !== undefined) {
    if (!INTEGER_KINDS.includes(kind)) {
      throw new Error(
        `${where}: ${kind} data is not supported (use a Float32Array, Float64Array or Int32Array; integer arrays such as Uint8Array or BigInt64Array are read as int32)`,
      );
    }
    // Contiguous 8- and 16-bit integers always fit: converted by the engine at memory speed.
    if (contiguous && SMALL_INTEGER_KINDS.includes(kind)) return new Tensor(new Int32Array((data as Int16Array).subarray(base, base + n)), shape);
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const v = source[at(i)] as number | bigint;
      // A BigInt is compared as a BigInt: Number(2n ** 63n - 1n) would round into range.
      const fits = typeof v === 'bigint' ? v >= -2147483648n && v <= 2147483647n : v >= -2147483648 && v <= 2147483647;
      if (!fits) {
        throw new Error(`${where}: value ${String(v)} at index ${i} of the ${kind} does not fit in int32 (integer data and class indices must lie in [-2147483648, 2147483647])`);
      }
      out[i] = Number(v);
    }
    return new Tensor(out, shape);
  }
  const values = new (arrayOf(plainDtype))(n);
  for (let i = 0; i < n; i++) {
    const v = source[at(i)];
    if (typeof v !== 'number') throw new Error(`${where}: data element ${at(i)} is ${describeValue(v)}, expected a number`);
    values[i] = v;
  }
  if (plainDtype === 'int32') for (let i = 0; i < n; i++) checkInt32(where, source[at(i)] as number, i);
  return new Tensor(values, shape);
}

/** ONNX Runtime element types (also transformers.js's) and the typed array each comes in. */
function onnxArrayKind(where: string, type: unknown): string {
  switch (type) {
    case 'float32':
      return 'Float32Array';
    case 'float64':
      return 'Float64Array';
    case 'int32':
      return 'Int32Array';
    case 'int64':
      return 'BigInt64Array';
    case 'uint64':
      return 'BigUint64Array';
    case 'int8':
      return 'Int8Array';
    case 'uint8':
    case 'bool':
      return 'Uint8Array';
    case 'int16':
      return 'Int16Array';
    case 'uint16':
      return 'Uint16Array';
    case 'uint32':
      return 'Uint32Array';
    default:
      throw new Error(
        `${where}: a tensor of type ${typeof type === 'string' ? `'${type}'` : describeValue(type)} is not supported ` +
          `(valid: float32, float64, int32, int64, uint64, int8, uint8, bool, int16, uint16, uint32; ` +
          `float16 data holds the bits of half floats, not numbers: convert it to float32 first)`,
      );
  }
}

/** A `{ data, shape | dims }` object: a plain one, an ndarray, an ONNX Runtime or transformers.js Tensor. */
function fromDataObject(where: string, o: Record<string, unknown>, plainDtype: DType): Tensor {
  if (typeof o.location === 'string' && o.location !== 'cpu' && o.location !== 'cpu-pinned') {
    throw new Error(`${where}: the tensor's data is on '${o.location}', not on the CPU; download it first (await tensor.getData())`);
  }
  // ONNX Runtime and transformers.js tensors are contiguous (transformers.js's stride is a method).
  if (o.dims !== undefined) {
    if (o.type !== undefined) {
      const expected = onnxArrayKind(where, o.type);
      if (typedArrayKind(o.data) !== expected) {
        throw new Error(`${where}: a tensor of type '${String(o.type)}' must hold a ${expected}, got ${describeValue(o.data)}`);
      }
    }
    return fromData(where, o.data, o.dims, undefined, undefined, plainDtype);
  }
  return fromData(where, o.data, o.shape, o.stride, o.offset, plainDtype);
}

/** A TensorFlow.js tensor: `dataSync()` (on the cpu backend its own memory) and `shape`. */
function fromDataSync(where: string, o: Record<string, unknown> & { dataSync(): unknown }, plainDtype: DType): Tensor {
  if (o.isDisposed === true) throw new Error(`${where}: the tf.Tensor is disposed`);
  if (o.dtype !== undefined && o.dtype !== 'float32' && o.dtype !== 'int32' && o.dtype !== 'bool') {
    throw new Error(`${where}: a tf.Tensor of dtype ${describeValue(o.dtype)} is not supported (valid: float32, int32, bool)`);
  }
  return fromData(where, o.dataSync(), o.shape, undefined, undefined, plainDtype);
}

/** A value read as a tensor, without copying where it can; `where` prefixes every error. */
function fromValue(where: string, value: unknown, plainDtype: DType): Tensor {
  if (value instanceof Tensor) return value;
  if (typeof value === 'number' || Array.isArray(value)) {
    const shape = inferShape(where, value);
    const out = new (arrayOf(plainDtype))(numel(shape));
    flattenInto(where, value, shape, out, plainDtype);
    return new Tensor(out, shape);
  }
  const kind = typedArrayKind(value);
  if (kind !== undefined) return fromData(where, value, [(value as ArrayLike<unknown>).length], undefined, undefined, plainDtype);
  if (typeof value === 'object' && value !== null) {
    if (value instanceof (TypedArrayPrototype.constructor as abstract new () => object)) {
      throw new Error(`${where}: ${describeValue(value)} that is not a real typed array (a Proxy, or an object inheriting from one): pass the typed array itself`);
    }
    const o = value as Record<string, unknown>;
    if (typeof o.dataSync === 'function') return fromDataSync(where, o as Record<string, unknown> & { dataSync(): unknown }, plainDtype);
    if ('data' in o && ('shape' in o || 'dims' in o)) return fromDataObject(where, o, plainDtype);
  }
  throw new Error(
    `${where}: got ${describeValue(value)}, expected a number, nested arrays of numbers, a typed array, a Tensor ` +
      `or a tensor-like object ({ data, shape }, { data, dims }, an ndarray, a tf.Tensor)`,
  );
}

/** The dtype a value keeps as a tensor (without a dtype option), when its type says so. */
export type DTypeOf<V> = [V] extends [Float64Array | Tensor<'float64'>]
  ? 'float64'
  : [V] extends [Float32Array | Tensor<'float32'>]
    ? 'float32'
    : [V] extends [Int32Array | Tensor<'int32'> | IntegerArray]
      ? 'int32'
      : [V] extends [NestedNumbers]
        ? 'float32'
        : DType;

/** The dtype of a result computed from a value: float64 stays float64, float32 and int32 give float32. */
export type FloatDTypeOf<V> = DTypeOf<V> extends 'float64' ? 'float64' : DTypeOf<V> extends 'float32' | 'int32' ? 'float32' : FloatDType;

/** What `tensor(values, { dtype })` returns: the dtype asked for, else the one `values` has. */
type TensorOf<V, D> = [D] extends [undefined] ? Tensor<DTypeOf<V>> : [D] extends [DType] ? Tensor<D> : Tensor;

/**
 * Creates a tensor, as `torch.tensor` does.
 *
 * @param values a number, nested arrays of numbers, a typed array (1-D unless `shape` is given;
 *   integer arrays such as `Uint8Array` or `BigInt64Array` become int32, range-checked), a tensor,
 *   or a tensor-like object (`{ data, shape }`, an ndarray, an ONNX Runtime or transformers.js
 *   `Tensor`, a tf.Tensor).
 * @returns a new tensor; the values are always copied, so later changes to `values` do not reach it.
 * @example
 * ```ts
 * console.log(tensor([[1, 2], [3, 4]]).toString());
 * // tensor([[1., 2.],
 * //         [3., 4.]])
 * console.log(tensor({ data: new Float64Array([1, 2, 3, 4]), shape: [2, 2] }).toString());
 * // tensor([[1., 2.],
 * //         [3., 4.]], dtype=torch.float64)
 * ```
 */
export function tensor<V extends TensorLike, D extends DType | undefined = undefined>(
  values: V,
  options?: TensorOptions & { dtype?: D },
): TensorOf<V, D>;
export function tensor(values: TensorLike, options?: TensorOptions): Tensor {
  checkArity('tensor', arguments, ['values', 'options']);
  const opts = readOptions('tensor', options, ['dtype', 'shape']);
  const dtype = opts.dtype === undefined ? undefined : checkDtype('tensor', opts.dtype);
  if (values === undefined || values === null) throw new Error(`tensor: values is missing`);
  const source = fromValue('tensor', values, dtype ?? 'float32');
  const shape = opts.shape === undefined ? source.shape : opts.shape;
  checkShape('tensor', shape);
  if (numel(shape) !== source.size) {
    throw new Error(`tensor: shape [${shape.join(', ')}] needs ${numel(shape)} elements, got ${source.size}`);
  }
  // Nested arrays were just converted into memory of their own: no second copy.
  const fresh = (typeof values === 'number' || Array.isArray(values)) && (dtype === undefined || dtype === source.dtype);
  return new Tensor(fresh ? source.data : typedFrom('tensor', dtype ?? source.dtype, source.data), shape);
}

/** Allocates a typed array of `dtype` holding `values` (rounded to float32 where needed). */
export function typedArrayOf(dtype: DType, values: ArrayLike<number> | number): TypedArray {
  return new (arrayOf(dtype))(values as ArrayLike<number>);
}

/**
 * Converts an argument of `fn` to a tensor without copying a tensor, a Float32Array, Float64Array
 * or Int32Array, or a tensor-like object over one (contiguous); numbers and nested arrays become
 * `plainDtype` (float32 by default, as `torch.tensor`).
 * Errors name the function and the argument: `l1Loss: target: ragged nested array ...`.
 */
export function asTensor(fn: string, arg: string, value: TensorLike, plainDtype: DType = 'float32'): Tensor {
  if (value instanceof Tensor) return value;
  if (value === undefined || value === null) throw new Error(`${fn}: ${arg} is missing`);
  return fromValue(`${fn}: ${arg}`, value, plainDtype);
}

/** The floating dtype a value will have as a tensor, when it says so itself (plain arrays do not). */
export function floatDtypeOf(value: unknown): FloatDType | undefined {
  const dtype = value instanceof Tensor ? value.dtype : nativeDtype(typedArrayKind(value));
  if (dtype !== undefined) return dtype === 'int32' ? undefined : dtype;
  if (typeof value !== 'object' || value === null) return undefined;
  const o = value as Record<string, unknown>;
  if (typeof o.dataSync === 'function') return o.dtype === 'float32' ? 'float32' : undefined;
  if (typeof o.location === 'string' && o.location !== 'cpu' && o.location !== 'cpu-pinned') return undefined;
  const inner = 'data' in o ? nativeDtype(typedArrayKind(o.data)) : undefined;
  return inner === 'int32' ? undefined : inner;
}

/**
 * The typed arrays a value reads from (a tensor's data, a typed array, a tensor-like object's
 * data): what an output array must not overlap.
 */
export function memoryOf(value: unknown): ArrayBufferView[] {
  if (value instanceof Tensor) return [value.data];
  if (typedArrayKind(value) !== undefined) return [value as ArrayBufferView];
  if (typeof value !== 'object' || value === null || typeof (value as { dataSync?: unknown }).dataSync === 'function') return [];
  const o = value as Record<string, unknown>;
  if (typeof o.location === 'string' && o.location !== 'cpu' && o.location !== 'cpu-pinned') return [];
  return 'data' in o && typedArrayKind(o.data) !== undefined ? [o.data as ArrayBufferView] : [];
}
