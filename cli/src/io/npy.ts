// NumPy's .npy format (versions 1.0 to 3.0), read as a stream of rows, and written with a header
// that is patched with the final shape once the row count is known.
// Format: "\x93NUMPY", major, minor, header length (uint16 for v1, uint32 for v2/3), then a Python
// dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (N, C), } padded so that the data
// starts at a multiple of 64 bytes. descr is a byte order ('<' little, '>' big, '|' not applicable,
// '=' native) then a kind (b bool, i signed, u unsigned, f float) and a size in bytes.
import { CliError } from '../errors.js';
import type { ByteStream } from './bytes.js';

/** Every numeric dtype NumPy writes that a loss can take (complex, datetime and objects cannot). */
const KINDS: Record<string, readonly number[]> = { b: [1], i: [1, 2, 4, 8], u: [1, 2, 4, 8], f: [2, 4, 8] };

/** A header longer than this is not a .npy file numpy wrote (np.load refuses more than 10000 bytes). */
const MAX_HEADER_BYTES = 1 << 16;

export interface NpyHeader {
  kind: 'b' | 'i' | 'u' | 'f';
  bytesPerElement: number;
  littleEndian: boolean;
  fortranOrder: boolean;
  shape: number[];
}

function describeKinds(): string {
  return Object.entries(KINDS)
    .map(([kind, sizes]) => sizes.map((s) => `${kind}${s}`).join('/'))
    .join(', ');
}

/** Reads and checks the header; the stream is left at the first data byte. */
export async function readNpyHeader(stream: ByteStream): Promise<NpyHeader> {
  const name = stream.name;
  const prefix = await stream.read(10);
  const magic = String.fromCharCode(...prefix.subarray(1, 6));
  if (prefix.length < 10 || prefix[0] !== 0x93 || magic !== 'NUMPY') throw new CliError(`${name}: not a .npy file (bad magic string)`);
  const major = prefix[6];
  if (major < 1 || major > 3) throw new CliError(`${name}: unsupported .npy version ${major}.${prefix[7]}`);
  let headerLength = prefix[8] | (prefix[9] << 8);
  if (major > 1) {
    const more = await stream.read(2);
    if (more.length < 2) throw new CliError(`${name}: truncated .npy header`);
    headerLength = (headerLength + more[0] * 0x10000 + more[1] * 0x1000000) >>> 0;
  }
  if (headerLength > MAX_HEADER_BYTES) throw new CliError(`${name}: .npy header length ${headerLength} is not plausible (at most ${MAX_HEADER_BYTES} bytes)`);
  const headerBytes = await stream.read(headerLength);
  if (headerBytes.length < headerLength) throw new CliError(`${name}: truncated .npy header (${headerBytes.length} of ${headerLength} bytes)`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(headerBytes);
  const descr = /'descr':\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new CliError(`${name}: malformed .npy header ${JSON.stringify(header.trim().slice(0, 200))}`);
  }
  const match = /^([<>|=])([biuf])(\d+)$/.exec(descr);
  const kind = match?.[2] as NpyHeader['kind'] | undefined;
  const bytes = Number(match?.[3]);
  if (!match || !kind || !KINDS[kind].includes(bytes)) {
    throw new CliError(`${name}: unsupported .npy dtype '${descr}' (supported: ${describeKinds()}, either byte order)`);
  }
  const parts = shapeText.split(',').map((s) => s.trim());
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  const shape = parts.filter((s) => s !== '').map((s) => (/^\d+$/.test(s) ? Number(s) : NaN));
  if (shape.some((n) => !Number.isSafeInteger(n))) throw new CliError(`${name}: malformed .npy shape (${shapeText})`);
  // '=' is the writer's native order; every machine NumPy runs on today is little-endian.
  return { kind, bytesPerElement: bytes, littleEndian: match[1] !== '>', fortranOrder: fortran === 'True', shape };
}

const HALF = new Float32Array(1 << 16);
{
  // float16 → float32 for every bit pattern: sign, 5-bit exponent (bias 15), 10-bit mantissa.
  for (let h = 0; h < 1 << 16; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >> 10) & 0x1f;
    const mantissa = h & 0x3ff;
    HALF[h] =
      exponent === 0 ? sign * mantissa * 2 ** -24 : exponent === 31 ? (mantissa ? NaN : sign * Infinity) : sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
  }
}

/**
 * Raw bytes of `header`'s dtype as numbers: float32 stays float32 (the library computes in it),
 * float16 widens to float32, everything else becomes float64 (int64 and uint64 must be exactly
 * representable). Big-endian data is byte-swapped first (in place: `bytes` is the caller's own
 * copy). Aligned float32/float64 data is returned as a view of `bytes`, not copied.
 */
export function decodeNpy(bytes: Uint8Array, header: NpyHeader, name: string, firstElement: number): Float32Array | Float64Array {
  const size = header.bytesPerElement;
  if (!header.littleEndian && size > 1) {
    for (let i = 0; i < bytes.length; i += size) bytes.subarray(i, i + size).reverse();
  }
  const key = `${header.kind}${size}`;
  // Float data is used where it lies when aligned (a view: no copy); the rest is converted anyway.
  if (bytes.byteOffset % size === 0 && (key === 'f4' || key === 'f8')) {
    return new (key === 'f4' ? Float32Array : Float64Array)(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.length / size);
  }
  const buffer = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.slice().buffer;
  switch (key) {
    case 'f4':
      return new Float32Array(buffer);
    case 'f8':
      return new Float64Array(buffer);
    case 'f2':
      return Float32Array.from(new Uint16Array(buffer), (h) => HALF[h]);
    case 'b1':
    case 'u1':
      return Float64Array.from(new Uint8Array(buffer));
    case 'i1':
      return Float64Array.from(new Int8Array(buffer));
    case 'i2':
      return Float64Array.from(new Int16Array(buffer));
    case 'u2':
      return Float64Array.from(new Uint16Array(buffer));
    case 'i4':
      return Float64Array.from(new Int32Array(buffer));
    case 'u4':
      return Float64Array.from(new Uint32Array(buffer));
    case 'i8':
    case 'u8': {
      const wide = key === 'i8' ? new BigInt64Array(buffer) : new BigUint64Array(buffer);
      const out = new Float64Array(wide.length);
      for (let i = 0; i < wide.length; i++) {
        const v = Number(wide[i]);
        if (!Number.isSafeInteger(v)) throw new CliError(`${name}: element ${firstElement + i} (${wide[i]}) does not fit a JavaScript number exactly`);
        out[i] = v;
      }
      return out;
    }
    default:
      throw new CliError(`${name}: unsupported dtype ${key} (supported: ${describeKinds()})`);
  }
}

const HEADER_BYTES = 128; // room for any 2-D shape; the data starts at a multiple of 64

/** The header of a version-1.0 .npy file, padded to exactly HEADER_BYTES bytes. */
export function npyHeader(dtype: 'float32' | 'float64', shape: readonly number[]): Uint8Array {
  const descr = dtype === 'float32' ? '<f4' : '<f8';
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  dict = dict.padEnd(HEADER_BYTES - 10 - 1, ' ') + '\n';
  const out = new Uint8Array(HEADER_BYTES);
  out.set([0x93, ...Array.from('NUMPY', (c) => c.charCodeAt(0)), 1, 0]);
  new DataView(out.buffer).setUint16(8, dict.length, true);
  out.set(Array.from(dict, (c) => c.charCodeAt(0)), 10);
  return out;
}

export const NPY_HEADER_BYTES = HEADER_BYTES;
