// Reading the golden fixtures written by scripts/generate_fixtures.py.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tensor, type Tensor } from '../../src/index.js';

export interface EncodedTensor {
  shape: number[];
  dtype: 'float32' | 'float64' | 'int32';
  data: (number | string)[];
}

export interface LossCase {
  fn: string;
  range: 'small' | 'typical' | 'extreme';
  dtype: 'float32' | 'float64';
  args: (EncodedTensor | number)[];
  options: Record<string, unknown>;
  reduction: string;
  gradOutput: EncodedTensor | null;
  loss: EncodedTensor;
  grads: (EncodedTensor | null | 'not-compared')[];
  /** The same call computed by PyTorch in float64 on the same values (CTC float32 cases). */
  reference64?: { loss: EncodedTensor; grads: (EncodedTensor | null | 'not-compared')[] };
}

export interface Fixture<C> {
  generator: string;
  references: Record<string, string>;
  cases: C[];
}

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/', import.meta.url));

export function loadFixture<C = LossCase>(name: string): Fixture<C> {
  return JSON.parse(readFileSync(FIXTURES + name, 'utf8')) as Fixture<C>;
}

export function decodeNumber(v: number | string): number {
  if (typeof v === 'number') return v;
  if (v === 'nan') return NaN;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  throw new Error(`fixture: unknown number ${v}`);
}

export function isEncodedTensor(v: unknown): v is EncodedTensor {
  return typeof v === 'object' && v !== null && 'shape' in v && 'data' in v && 'dtype' in v;
}

export function decode(e: EncodedTensor): Tensor {
  return tensor(e.data.map(decodeNumber), { dtype: e.dtype, shape: e.shape });
}

/** Options of a case with their tensors decoded (weight, posWeight). */
export function decodeOptions(options: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).map(([k, v]) => [k, isEncodedTensor(v) ? decode(v) : v]));
}

/** The loss fixture files: every file in test/fixtures/losses/ (scripts/generate_fixtures.py's groups, and keras-optax.json of scripts/generate_fixtures_keras_optax.py). */
export const LOSS_FIXTURES = readdirSync(FIXTURES + 'losses')
  .filter((name) => name.endsWith('.json'))
  .sort()
  .map((name) => `losses/${name}`);

let allCases: LossCase[] | null = null;

export function lossCases(fn: string): LossCase[] {
  allCases ??= LOSS_FIXTURES.flatMap((name) => loadFixture(name).cases);
  return allCases.filter((c) => c.fn === fn);
}
