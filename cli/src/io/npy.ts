// NumPy's .npy format (version 1.0 to 3.0), read in chunks of rows and written with a header that
// is patched with the final shape once the row count is known.
// Format: "\x93NUMPY", major, minor, header length (uint16 for v1, uint32 for v2/3), then a Python
// dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (N, C), } padded so that the data
// starts at a multiple of 64 bytes.
import type { FileHandle } from 'node:fs/promises';
import { CliError } from '../errors.js';

export type NpyDtype = 'float32' | 'float64' | 'int32' | 'int64';

const DESCR: Record<string, { dtype: NpyDtype; bytes: number }> = {
  '<f4': { dtype: 'float32', bytes: 4 },
  '<f8': { dtype: 'float64', bytes: 8 },
  '<i4': { dtype: 'int32', bytes: 4 },
  '<i8': { dtype: 'int64', bytes: 8 },
};

export interface NpyHeader {
  dtype: NpyDtype;
  bytesPerElement: number;
  shape: number[];
  dataOffset: number;
}

export async function readNpyHeader(file: FileHandle, name: string): Promise<NpyHeader> {
  const prefix = new Uint8Array(12);
  const { bytesRead } = await file.read(prefix, 0, 12, 0);
  const magic = String.fromCharCode(...prefix.slice(1, 6));
  if (bytesRead < 10 || prefix[0] !== 0x93 || magic !== 'NUMPY') throw new CliError(`${name}: not a .npy file (bad magic string)`);
  const major = prefix[6];
  if (major < 1 || major > 3) throw new CliError(`${name}: unsupported .npy version ${major}.${prefix[7]}`);
  const view = new DataView(prefix.buffer);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const headerBytes = new Uint8Array(headerLength);
  await file.read(headerBytes, 0, headerLength, start);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(headerBytes);
  const descr = /'descr':\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new CliError(`${name}: malformed .npy header ${JSON.stringify(header.trim())}`);
  }
  const known = DESCR[descr.replace(/^\|/, '<')];
  if (!known) {
    throw new CliError(`${name}: unsupported .npy dtype '${descr}' (supported: little-endian float32, float64, int32, int64)`);
  }
  if (fortran === 'True') throw new CliError(`${name}: Fortran-order .npy arrays are not supported; save with C order (np.ascontiguousarray)`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  return { dtype: known.dtype, bytesPerElement: known.bytes, shape, dataOffset: start + headerLength };
}

/** Converts raw little-endian bytes to numbers (int64 must be exactly representable). */
export function decodeNpy(bytes: Uint8Array, dtype: NpyDtype, name: string, firstElement: number): Float32Array | Float64Array {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  switch (dtype) {
    case 'float32':
      return new Float32Array(buffer);
    case 'float64':
      return new Float64Array(buffer);
    case 'int32':
      return Float64Array.from(new Int32Array(buffer));
    case 'int64': {
      const wide = new BigInt64Array(buffer);
      const out = new Float64Array(wide.length);
      for (let i = 0; i < wide.length; i++) {
        const v = Number(wide[i]);
        if (!Number.isSafeInteger(v)) throw new CliError(`${name}: element ${firstElement + i} (${wide[i]}) does not fit a JavaScript number exactly`);
        out[i] = v;
      }
      return out;
    }
    default: {
      const never: never = dtype;
      throw new CliError(`${name}: unsupported dtype ${String(never)}`);
    }
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
