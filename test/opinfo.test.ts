// PyTorch's own OpInfo / ModuleInfo inputs (scripts/generate_opinfo.py): every case losskit can
// express must give PyTorch's value and every gradient on both backends, every error input must
// make losskit throw an error naming the function, and the cases losskit cannot express are
// counted by category: the counts must match the fixtures' summaries and docs/opinfo.md.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as L from '../src/index.js';
import { setBackend, tensor, type Backend, type Tensor } from '../src/index.js';
import { assertNearFloat32Kernel, assertTensorClose } from './support/close.js';
import { poissonFullTargetGradient } from './support/departures.js';

interface Encoded {
  shape: number[];
  dtype: 'float32' | 'float64' | 'int32';
  b64?: string;
  data?: number[];
}

interface Case {
  op: string;
  source: string;
  dtype: 'float32' | 'float64';
  fn: string | null;
  category?: string;
  reason?: string;
  args?: (Encoded | number)[];
  options?: Record<string, unknown>;
  error?: string;
  gradOutput?: Encoded | null;
  result?: Encoded;
  grads?: (Encoded | null)[];
  reference64?: { result: Encoded; grads: (Encoded | null)[] };
}

type Counts = Record<string, number>;
interface OpinfoFixture {
  summary: Record<string, Record<string, Record<string, Counts>>>;
  cases: Case[];
}

const ROOT = new URL('../../', import.meta.url);
const FOLDER = fileURLToPath(new URL('test/fixtures/opinfo/', ROOT));
const FILES = readdirSync(FOLDER).filter((f) => f.endsWith('.json')).sort();
const fixtures = FILES.map((f) => ({ file: f, ...(JSON.parse(readFileSync(FOLDER + f, 'utf8')) as OpinfoFixture) }));

function decode(e: Encoded): Tensor {
  if (e.data) return tensor(e.data, { dtype: e.dtype, shape: e.shape });
  const bytes = Buffer.from(e.b64!, 'base64');
  const copy = new Uint8Array(bytes); // aligned, owned
  const data = e.dtype === 'float32' ? new Float32Array(copy.buffer) : new Float64Array(copy.buffer);
  return tensor(data, { dtype: e.dtype, shape: e.shape });
}

function isEncoded(v: unknown): v is Encoded {
  return typeof v === 'object' && v !== null && 'shape' in v && 'dtype' in v;
}

function decodeValue(v: unknown): unknown {
  if (isEncoded(v)) return decode(v);
  if (v === 'nan') return NaN;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  return v;
}

const ACTIVATIONS = new Set(['softmax', 'logSoftmax', 'logSumExp', 'sigmoid', 'logSigmoid', 'softplus']);

function describeCase(c: Case, index: number): string {
  const shapes = (c.args ?? []).map((a) => (typeof a === 'number' ? String(a) : `[${a.shape}]${a.dtype === 'int32' ? 'i' : ''}`)).join(' ');
  const options = Object.entries(c.options ?? {}).map(([k, v]) => `${k}=${isEncoded(v) ? `[${v.shape}]` : String(v)}`).join(' ');
  return `${c.op} ${c.source} ${c.dtype} #${index} ${c.fn}(${shapes}${options ? ' ' + options : ''})`;
}

/** Runs one expressible value case; throws (an assertion) on the first disagreement. */
function checkValue(c: Case, label: string): void {
  const fn = (L as unknown as Record<string, (...a: unknown[]) => Tensor>)[c.fn!];
  const args = c.args!.map(decodeValue);
  const options = Object.fromEntries(Object.entries(c.options ?? {}).map(([k, v]) => [k, decodeValue(v)]));
  if (ACTIVATIONS.has(c.fn!)) {
    const out = Object.keys(options).length ? fn(...args, options) : fn(...args);
    assertTensorClose(out, decode(c.result!), `${label} value`);
    return;
  }
  const loss = fn as unknown as ((...a: unknown[]) => Tensor) & { withGrad: (...a: unknown[]) => L.LossWithGrad };
  // CTC: float32 against PyTorch's float64 computation on the same values (rounded to float32),
  // absolute errors scaled by the loss (log-space sums); PyTorch's float32 numbers within the
  // measured bounds of CTC_FLOAT32_KERNEL.
  const ctc = c.fn === 'ctcLoss';
  const reference = c.reference64 ?? { result: c.result!, grads: c.grads! };
  const expected = decode(reference.result);
  let scale = 1;
  if (ctc) for (const v of expected.data) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
  assertTensorClose(loss(...args, options), expected, `${label} loss`, scale);
  const gradOutput = c.gradOutput ? decode(c.gradOutput) : undefined;
  const result = loss.withGrad(...args, { ...options, ...(gradOutput ? { gradOutput } : {}) });
  assertTensorClose(result.loss, expected, `${label} withGrad loss`, scale);
  // The documented departure: poissonNllLoss({ full: true })'s target gradient at target 0.
  const adjust = (k: number, t: Tensor) => (c.fn === 'poissonNllLoss' && k === 1 ? poissonFullTargetGradient(options, args[0] as Tensor, args[1] as Tensor, gradOutput ?? null, t) : t);
  reference.grads.forEach((g, k) => {
    // PyTorch cannot differentiate an integer tensor; what losskit returns for int32 data is its own
    // rule (tested with the loss), not PyTorch's to check.
    if (g === null && (args[k] as Tensor).dtype === 'int32') return;
    if (g === null) return assert.equal(result.grads[k], null, `${label}: grads[${k}] should be null (PyTorch gives none)`);
    assert.ok(result.grads[k], `${label}: grads[${k}] is null, PyTorch gives one`);
    assertTensorClose(result.grads[k]!, adjust(k, decode(g)), `${label} grads[${k}]`, scale);
  });
  if (c.reference64) {
    assertNearFloat32Kernel(result.loss, decode(c.result!), 'loss', `${label} loss (PyTorch float32)`);
    c.grads!.forEach((g, k) => g && assertNearFloat32Kernel(result.grads[k]!, decode(g), 'grad', `${label} grads[${k}] (PyTorch float32)`));
  }
}

function checkError(c: Case, label: string): void {
  const fn = (L as unknown as Record<string, (...a: unknown[]) => Tensor>)[c.fn!];
  const args = c.args!.map(decodeValue);
  const options = Object.fromEntries(Object.entries(c.options ?? {}).map(([k, v]) => [k, decodeValue(v)]));
  const call = () => (Object.keys(options).length || !ACTIVATIONS.has(c.fn!) ? fn(...args, options) : fn(...args));
  assert.throws(call, (e: Error) => e.message.startsWith(`${c.fn}: `), `${label}: PyTorch raises (${c.error}), losskit must throw an error naming ${c.fn}`);
}

function runBackend(backend: Backend): void {
  describe(`PyTorch OpInfo cases, backend '${backend}'`, () => {
    before(async () => {
      // Where the kernels load asynchronously (a `wasmReady()` export), wait for them first.
      const ready = (L as Record<string, unknown>).wasmReady;
      if (typeof ready === 'function') await (ready as () => Promise<unknown>)();
      setBackend(backend);
    });
    after(() => setBackend('auto'));
    for (const { file, cases } of fixtures) {
      const runnable = cases.filter((c) => c.fn);
      if (runnable.length === 0) continue;
      test(`${file}: ${runnable.filter((c) => !c.error).length} value cases and ${runnable.filter((c) => c.error).length} error inputs`, () => {
        const failures: string[] = [];
        runnable.forEach((c, index) => {
          const label = describeCase(c, index);
          try {
            if (c.error) checkError(c, label);
            else checkValue(c, label);
          } catch (e) {
            const message = (e as Error).message.split('\n')[0];
            failures.push(message.startsWith(label) ? message : `${label}: ${message}`);
          }
        });
        assert.equal(failures.length, 0, `${failures.length} of ${runnable.length} cases fail:\n${failures.slice(0, 25).join('\n')}`);
      });
    }
  });
}

runBackend('ts');
runBackend('wasm');

// Counted only: duplicates of sample inputs, and cases beyond the fixture's size budget.
const COUNT_ONLY = new Set(['duplicate', 'size-cap']);

test('OpInfo: every case is stored or counted, and the counts match the summaries and docs/opinfo.md', () => {
  const totals: Record<string, Counts> = {};
  for (const { file, summary, cases } of fixtures) {
    for (const [op, bySource] of Object.entries(summary)) {
      for (const [source, byDtype] of Object.entries(bySource)) {
        for (const [dtype, counts] of Object.entries(byDtype)) {
          const stored = cases.filter((c) => c.op === op && c.source === source && c.dtype === dtype);
          for (const [key, n] of Object.entries(counts)) {
            totals[op] ??= {};
            totals[op][key] = (totals[op][key] ?? 0) + n;
            if (COUNT_ONLY.has(key)) continue;
            const have = stored.filter((c) => (key === 'expressible' ? c.fn !== null : c.fn === null && c.category === key)).length;
            assert.equal(have, n, `${file}: ${op} ${source} ${dtype}: summary says ${n} '${key}', the file holds ${have}`);
          }
          const summarized = Object.entries(counts).filter(([k]) => !COUNT_ONLY.has(k)).reduce((s, [, n]) => s + n, 0);
          assert.equal(stored.length, summarized, `${file}: ${op} ${source} ${dtype}: ${stored.length} stored cases, ${summarized} in the summary`);
        }
      }
    }
    for (const c of cases) {
      assert.ok(c.fn || (c.category && c.reason), `${file}: a case without a losskit call has a category and a reason`);
      assert.ok(summary[c.op]?.[c.source]?.[c.dtype], `${file}: ${c.op} ${c.source} ${c.dtype} is missing from the summary`);
    }
  }
  // docs/opinfo.md: the totals row holds the same numbers.
  const doc = readFileSync(fileURLToPath(new URL('docs/opinfo.md', ROOT)), 'utf8');
  const header = doc.split('\n').find((l) => l.startsWith('| op |'))!.split('|').slice(2, -1).map((s) => s.trim());
  const row = doc.split('\n').find((l) => l.startsWith('| **total** |'))!.split('|').slice(2, -1).map((s) => Number(s.replace(/\*/g, '')));
  header.forEach((key, i) => {
    const sum = Object.values(totals).reduce((s, t) => s + (t[key] ?? 0), 0);
    assert.equal(row[i], sum, `docs/opinfo.md: total '${key}' is ${row[i]}, the fixtures say ${sum}`);
  });
  assert.ok(header.includes('expressible') && row[header.indexOf('expressible')] > 1500, 'most of PyTorch\'s cases are expressible');
});
