import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { assertTensorClose } from '../../test/support/close.js';
import { decode, decodeOptions, loadFixture, type EncodedTensor, type LossCase } from '../../test/support/fixtures.js';
import { random } from '../../test/support/random.js';
import * as L from '../index.js';
import { binaryCrossEntropyWithLogits, crossEntropy, getBackend, huberLoss, logSoftmax, mseLoss, setBackend, tensor, wasmReady, wasmStatus, wasmVariant, type Tensor } from '../index.js';
import { ELEMENTWISE_KERNELS, loadKernels, MAX_ROW_ELEMENTS, RELAXED_SIMD_PROBE, SIMD_PROBE, withKernels } from './wasm.js';
import { atanWasm, kernelMemoryBytes, log1pWasm, mapWasm } from './wasm-test-hooks.js';

before(() => wasmReady());

/** Distance in units in the last place between two float32 values (0 when both are NaN). */
function ulps(a: number, b: number): number {
  if (Number.isNaN(a) && Number.isNaN(b)) return 0;
  if (a === b) return 0;
  const view = new DataView(new ArrayBuffer(8));
  const ordered = (v: number) => {
    view.setFloat32(0, v);
    const bits = view.getInt32(0);
    return bits < 0 ? -2147483648 - bits : bits;
  };
  return Math.abs(ordered(a) - ordered(b));
}

function maxUlps(values: Float32Array, actual: Float32Array, reference: (x: number) => number) {
  let worst = 0;
  let at = 0;
  values.forEach((x, i) => {
    const u = ulps(actual[i], Math.fround(reference(x)));
    if (u > worst) [worst, at] = [u, x];
  });
  return { worst, at };
}

test('exp4: within 2 ulp of Math.exp over the whole float32 range it does not flush (measured: 1 on a dense grid)', () => {
  const next = random(7);
  const xs = Float32Array.from({ length: 400_000 }, (_, i) => (i < 200_000 ? -87.3 + (176 * i) / 200_000 : -87.3 + 176 * next()));
  const { worst, at } = maxUlps(xs, mapWasm('exp', xs), Math.exp);
  assert.ok(worst <= 2, `max ${worst} ulp at x = ${at}`);
  // The edges: -100 (a clamped log-probability), ±1e4 (extreme logits), the flush and overflow points, NaN.
  const edges = Float32Array.from([-1e4, -100, -87.4, 0, 1, 89, 1e4, NaN, -Infinity, Infinity]);
  assert.deepEqual(Array.from(mapWasm('exp', edges)), [0, 0, 0, 1, Math.fround(Math.E), Infinity, Infinity, NaN, 0, Infinity]);
});

test('the box-IoU kernel\'s atan (f64x2): within 2 ulp of Math.atan over float64 (measured: 1), the edges exact', () => {
  const next = random(11);
  // ratios w / h of every scale: a dense grid on [-4, 4] (the reduction's seams at 0.66 and tan(3π/8)), then log-uniform magnitudes of both signs
  const xs = Float64Array.from({ length: 400_000 }, (_, i) => (i < 200_000 ? -4 + (8 * i) / 200_000 : (next() < 0.5 ? -1 : 1) * 10 ** (-300 + 600 * next())));
  const out = atanWasm(xs);
  let worst = 0;
  let at = 0;
  xs.forEach((x, i) => {
    const u = ulps64(out[i], Math.atan(x));
    if (u > worst) [worst, at] = [u, x];
  });
  assert.ok(worst <= 2, `max ${worst} ulp at x = ${at}`);
  const edges = Float64Array.from([0, -0, Infinity, -Infinity, NaN, 1, -1, 0.66, 2.414213562373095, 1e-310]);
  const got = Array.from(atanWasm(edges));
  assert.ok(Object.is(got[0], 0) && Object.is(got[1], -0) && Number.isNaN(got[4]) && got[9] === 1e-310, `edges: ${got.join(', ')}`);
  for (const i of [2, 3, 5, 6, 7, 8]) assert.ok(ulps64(got[i], Math.atan(edges[i])) <= 1, `atan(${edges[i]}) = ${got[i]}`);
});

test('the exp-sum loop of softmax and cross-entropy: within 2 ulp of Math.exp on [-87.3, 0] (measured: 1), 0 below', () => {
  const next = random(10);
  // A length that is not a multiple of 32 or 4, so that the unrolled, single-vector and scalar parts all run.
  const xs = Float32Array.from({ length: 400_003 }, (_, i) => (i < 200_000 ? (-87.3 * i) / 200_000 : -87.3 * next()));
  const { worst, at } = maxUlps(xs, mapWasm('expNonPositive', xs), Math.exp);
  assert.ok(worst <= 2, `max ${worst} ulp at x = ${at}`);
  const edges = Float32Array.from([-1e4, -100, -88, -87.9, -0, 0, -1e-30, NaN, -Infinity]);
  assert.deepEqual(Array.from(mapWasm('expNonPositive', edges)), [0, 0, 0, 0, 1, 1, 1, NaN, 0]);
});

test('flushSubnormals_f32: |v| < 2^-126 becomes 0 (either sign), everything else is kept bit for bit, the tail past whole vectors included', () => {
  const min = 2 ** -126;
  const values = Float32Array.from([min, -min, min / 2, -min / 2, 2 ** -149, -(2 ** -149), 0, -0, NaN, Infinity, -Infinity, 1, -3.5, 1e-30, min * 0.999]);
  const flushed = mapWasm('flushSubnormals', values);
  const expected = Array.from(values, (v) => (Math.abs(v) < min ? 0 : v));
  assert.deepEqual(Array.from(flushed, (v) => Object.is(v, -0) ? 0 : v), expected);
  for (const j of [0, 1, 6, 7, 8, 9, 10, 11, 12, 13]) assert.ok(Object.is(flushed[j], values[j]) || Math.abs(values[j]) < min, `entry ${j} kept`);
});

test('log4: within 2 ulp of Math.log over every positive normal float32 (sampled by bit pattern; measured: 1), 1 ulp over subnormals', () => {
  const next = random(8);
  const bits = new Int32Array(400_000).map(() => 0x00800000 + Math.floor(next() * (0x7f800000 - 0x00800000)));
  const xs = new Float32Array(bits.buffer);
  const { worst, at } = maxUlps(xs, mapWasm('log', xs), Math.log);
  assert.ok(worst <= 2, `max ${worst} ulp at x = ${at}`);
  assert.deepEqual(Array.from(mapWasm('log', Float32Array.from([0, -1, 1, Infinity, NaN]))), [-Infinity, NaN, 0, Infinity, NaN]);
  const smallestNormal = 2 ** -126;
  assert.ok(ulps(mapWasm('log', Float32Array.of(smallestNormal))[0], Math.fround(Math.log(smallestNormal))) <= 1);
  // Subnormals (BCE at p = 1e-40: log is −92.103, as PyTorch's, not clamped to −100): every 64th bit pattern.
  const subnormals = new Float32Array(new Int32Array(0x007fffff >> 6).map((_, i) => 1 + (i << 6)).buffer);
  const sub = maxUlps(subnormals, mapWasm('log', subnormals), Math.log);
  assert.ok(sub.worst <= 1, `subnormals: max ${sub.worst} ulp at x = ${sub.at}`);
});

test("backends: setBackend('wasm') and setBackend('ts') agree on large random cross-entropy within float32 tolerance", () => {
  const next = random(9);
  const [N, C] = [300, 1000];
  const logits = tensor(Float32Array.from({ length: N * C }, () => (next() - 0.5) * 20), { shape: [N, C] });
  const targets = Array.from({ length: N }, (_, i) => (i % 17 === 0 ? 5 : Math.floor(next() * C)));
  const weight = Float32Array.from({ length: C }, () => 0.5 + next());
  const gradOutput = Float32Array.from({ length: N }, () => next() - 0.5);
  const before = getBackend();
  try {
    const probabilities = tensor(Float32Array.from({ length: N * C }, () => next() / (C / 2)), { shape: [N, C] });
    const cases: [unknown, object][] = [
      [targets, {}],
      [targets, { labelSmoothing: 0.1, weight, ignoreIndex: 5 }],
      [targets, { reduction: 'sum' }],
      [targets, { reduction: 'none', gradOutput }],
      [probabilities, { labelSmoothing: 0.2, weight }],
      [probabilities, { reduction: 'none', gradOutput }],
    ];
    for (const [target, options] of cases) {
      const run = (backend: 'ts' | 'wasm') => {
        setBackend(backend);
        return crossEntropy.withGrad(logits, target as number[], options);
      };
      const a = run('ts');
      const b = run('wasm');
      const close = (x: ArrayLike<number>, y: ArrayLike<number>, what: string) => {
        let scale = 1;
        for (let i = 0; i < x.length; i++) scale = Math.max(scale, Math.abs(x[i]));
        for (let i = 0; i < x.length; i++) {
          assert.ok(Math.abs(x[i] - y[i]) <= 2e-5 * Math.abs(x[i]) + 8 * 2 ** -23 * scale, `${what}[${i}]: ts ${x[i]}, wasm ${y[i]} (${Object.keys(options).join(', ')})`);
        }
      };
      close(a.loss.data, b.loss.data, 'loss');
      close(a.grad!.data, b.grad!.data, 'grad');
      if (a.grads[1]) close(a.grads[1].data, b.grads[1]!.data, 'target grad');
    }
  } finally {
    setBackend(before);
  }
});

/** Whether this V8 has relaxed SIMD (>= 11.4, or the flag npm test passes on Node 20). */
function hasRelaxedSimd(): boolean {
  const [major, minor] = process.versions.v8.split('.').map(Number);
  return major > 11 || (major === 11 && minor >= 4) || process.execArgv.includes('--experimental-wasm-relaxed-simd');
}

test('wasmVariant: relaxed SIMD (fused multiply-add) where V8 has it, else SIMD; the probes say the same as the builds', async () => {
  assert.equal(wasmVariant(), hasRelaxedSimd() ? 'relaxed-simd' : 'simd');
  assert.deepEqual(wasmStatus(), { variant: wasmVariant(), reason: null });
  const { validate } = (globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } }).WebAssembly;
  assert.equal(validate(SIMD_PROBE), true);
  assert.equal(validate(RELAXED_SIMD_PROBE), hasRelaxedSimd());
  // The relaxed build loads exactly where its probe validates.
  const loaded = await loadKernels('relaxed-simd').then(() => true, (e: Error) => (assert.match(e.message, /does not validate the relaxed-simd build/), false));
  assert.equal(loaded, hasRelaxedSimd());
  await loadKernels(hasRelaxedSimd() ? 'relaxed-simd' : 'simd');
});

test('loadKernels: both builds run in one process and agree with the TypeScript path (cross-entropy, softmax, BCE with logits)', async () => {
  const next = random(12);
  const [N, C] = [64, 700];
  const logits = tensor(Float32Array.from({ length: N * C }, () => (next() - 0.5) * 30), { shape: [N, C] });
  const targets = Array.from({ length: N }, () => Math.floor(next() * C));
  const x = Float32Array.from({ length: 20_001 }, () => (next() - 0.5) * 10);
  const y = Float32Array.from({ length: 20_001 }, () => next());
  const run = () => [crossEntropy.withGrad(logits, targets).grad!.data, logSoftmax(logits).data, binaryCrossEntropyWithLogits.withGrad(x, y).grad!.data];
  const before = getBackend();
  try {
    setBackend('ts');
    const reference = run();
    for (const variant of hasRelaxedSimd() ? (['simd', 'relaxed-simd'] as const) : (['simd'] as const)) {
      assert.equal((await loadKernels(variant)).variant, variant);
      setBackend('wasm');
      run().forEach((values, k) => {
        for (let i = 0; i < values.length; i++) {
          const r = reference[k][i];
          assert.ok(Math.abs(values[i] - r) <= 2e-5 * Math.abs(r) + 1e-7, `${variant}, result ${k}, [${i}]: ${values[i]} vs ${r}`);
        }
      });
      setBackend('ts');
    }
  } finally {
    await loadKernels(hasRelaxedSimd() ? 'relaxed-simd' : 'simd');
    setBackend(before);
  }
});

const INDEX = fileURLToPath(new URL('../index.js', import.meta.url));
/** The WebAssembly flags of this process (npm test's second run passes --experimental-wasm-relaxed-simd). */
const WASM_FLAGS = process.execArgv.filter((a) => a.startsWith('--experimental-wasm'));

/** Runs `code` in a fresh Node process (after `prelude`, which may take WebAssembly away) with the library as L; returns what it printed as JSON. */
function fresh(code: string, prelude = ''): unknown {
  const script = `${prelude}\nconst L = await import(${JSON.stringify(INDEX)});\nconst out = [];\n${code}\nconsole.log(JSON.stringify(out));`;
  return JSON.parse(execFileSync(process.execPath, [...WASM_FLAGS, '--input-type=module', '-e', script], { encoding: 'utf8' }));
}

test('loading: calls before the kernels are there run the TypeScript path with the same numbers; the first call that wants them starts loading', () => {
  const out = fresh(`
    const x = new Float32Array(20000).map((_, i) => Math.sin(i)), y = new Float32Array(20000).map((_, i) => Math.cos(i));
    out.push(L.wasmStatus());
    L.mseLoss([1], [2]);
    out.push(L.wasmStatus()); // a small call wants no kernel: still idle
    const early = L.mseLoss.withGrad(x, y);
    out.push(L.wasmStatus());
    let message = ''; try { L.setBackend('wasm'); } catch (e) { message = e.message; }
    out.push(message);
    out.push(await L.wasmReady());
    const late = L.mseLoss.withGrad(x, y);
    L.setBackend('ts');
    const ts = L.mseLoss.withGrad(x, y);
    out.push([early.loss.item(), late.loss.item(), ts.loss.item()]);
    out.push(early.grad.data.every((g, i) => g === ts.grad.data[i]), late.grad.data.some((g, i) => g !== ts.grad.data[i]));
  `) as unknown[];
  assert.deepEqual(out.slice(0, 4), [
    { variant: null, reason: 'idle' },
    { variant: null, reason: 'idle' },
    { variant: null, reason: 'loading' },
    "setBackend: the WebAssembly kernels are still loading (await wasmReady() before setBackend('wasm'))",
  ]);
  assert.equal((out[4] as { variant: string }).variant, wasmVariant());
  const [early, late, ts] = out[5] as number[];
  assert.equal(early, ts, 'before loading: the TypeScript path, bit for bit');
  assert.ok(Math.abs(late - ts) <= 2e-5 * ts, `${late} vs ${ts}`);
  // After loading, the kernel's float32 gradient (written by the kernel) differs from the float64-then-rounded one somewhere.
  assert.deepEqual(out.slice(6), [true, true]);
});

test('no WebAssembly, no SIMD, compilation refused (as under a strict Content-Security-Policy): the TypeScript path, nothing throws, wasmStatus says why', () => {
  const code = `
    const x = new Float32Array(20000).map((_, i) => Math.sin(i)), y = new Float32Array(20000);
    const first = L.mseLoss(x, y).item();
    const status = L.wasmStatus();
    out.push((await L.wasmReady()).variant, status, L.wasmStatus(), L.mseLoss(x, y).item() === first);
    try { L.setBackend('wasm'); } catch (e) { out.push(e.message); }
  `;
  const cases: [string, object, string][] = [
    ['delete globalThis.WebAssembly;', { variant: null, reason: 'no-webassembly' }, "setBackend: 'wasm' is not available here (no-webassembly)"],
    ['WebAssembly.validate = () => false;', { variant: null, reason: 'no-simd' }, "setBackend: 'wasm' is not available here (no-simd)"],
    [
      "WebAssembly.Module = function () { throw new WebAssembly.CompileError('Refused to compile or instantiate WebAssembly module'); };",
      { variant: null, reason: 'csp', message: 'Refused to compile or instantiate WebAssembly module' },
      "setBackend: 'wasm' is not available here (csp: Refused to compile or instantiate WebAssembly module)",
    ],
  ];
  for (const [prelude, status, message] of cases) {
    assert.deepEqual(fresh(code, prelude), [null, status, status, true, message], prelude);
  }
  // Unpacked by DecompressionStream where Node's zlib is not at hand (browsers); impossible without either: failed, after trying both builds.
  const [viaStream] = fresh(code, 'delete process.getBuiltinModule;') as [string];
  assert.equal(viaStream, wasmVariant());
  const [, , failed] = fresh(code, 'delete globalThis.DecompressionStream; delete process.getBuiltinModule;') as { reason: string; message: string }[];
  assert.equal(failed.reason, 'failed');
  assert.match(failed.message, /simd: DecompressionStream is not available to unpack the kernels$/);
});

test('memory refused (Memory.grow throws): the call runs the TypeScript path, bit for bit, instead of failing', () => {
  const out = fresh(
    `
    await L.wasmReady();
    WebAssembly.Memory.prototype.grow = () => { throw new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded'); };
    const logits = new L.Tensor(new Float32Array(64 * 1000).map((_, i) => Math.sin(i)), [64, 1000]);
    const x = new Float32Array(50000).map((_, i) => Math.cos(i)), y = new Float32Array(50000);
    const run = () => [Array.from(L.crossEntropy.withGrad(logits, Array.from({ length: 64 }, (_, i) => i)).grad.data), Array.from(L.mseLoss.withGrad(x, y).grad.data)];
    L.setBackend('wasm');
    const refused = run();
    L.setBackend('ts');
    out.push(JSON.stringify(refused) === JSON.stringify(run()));
  `,
  );
  assert.deepEqual(out, [true]);
});

test('re-entrancy: an element getter that calls another loss mid-call gets the TypeScript path and leaves the outer call intact', async () => {
  const n = 40_000;
  const next = random(13);
  const x = Float32Array.from({ length: n }, () => next() * 4 - 2);
  const y = Float32Array.from({ length: n }, () => next());
  const other = Float32Array.from({ length: n }, () => next() * 100);
  const upstream = Float64Array.from({ length: n }, () => next() - 0.5);
  const [N, C] = [300, 200];
  const logits = tensor(Float32Array.from({ length: N * C }, () => next() * 10), { shape: [N, C] });
  const classes = Array.from({ length: N }, (_, i) => (i * 7) % C);
  let nested = 0;
  // Every 1000th element read runs a large loss of its own (which would use the kernels' scratch area).
  const meddling = <T extends ArrayLike<number>>(data: T): T =>
    new Proxy(data, {
      get(target, key) {
        if (typeof key === 'string' && /^\d+$/.test(key) && Number(key) % 1000 === 0) {
          nested++;
          binaryCrossEntropyWithLogits.withGrad(other, y);
          crossEntropy.withGrad(logits, classes);
        }
        return Reflect.get(target, key);
      },
    });
  const plain = huberLoss.withGrad(x, y, { reduction: 'none', gradOutput: upstream });
  // A Proxy of a typed array is refused (it cannot be read in place); a Proxy of a plain array is
  // read element by element when the call converts its arguments.
  const proxied = huberLoss.withGrad(x, y, { reduction: 'none', gradOutput: meddling(Array.from(upstream)) });
  const plainCe = crossEntropy.withGrad(logits, classes, { reduction: 'none' });
  const proxiedCe = crossEntropy.withGrad(logits, meddling(classes), { reduction: 'none' });
  assert.ok(nested > 0, 'the getter ran');
  assert.deepEqual(proxied.loss.data, plain.loss.data);
  assert.deepEqual(proxied.grad!.data, plain.grad!.data);
  assert.deepEqual(proxiedCe.loss.data, plainCe.loss.data);
  assert.deepEqual(proxiedCe.grad!.data, plainCe.grad!.data);
});

test('scratch memory stays bounded: a long odd period, a row wider than MAX_ROW_ELEMENTS; both computed as the TypeScript path does', () => {
  const before = getBackend();
  try {
    // posWeight of a whole row of odd length 2^20 + 1: chunks used to need 4·(2^20 + 1) elements of each of 8 regions (128 MiB).
    const [rows, cols] = [3, 2 ** 20 + 1];
    const next = random(14);
    const x = tensor(Float32Array.from({ length: rows * cols }, () => next() * 8 - 4), { shape: [rows, cols] });
    const y = tensor(Float32Array.from({ length: rows * cols }, () => (next() < 0.3 ? 1 : 0)), { shape: [rows, cols] });
    const posWeight = tensor(Float32Array.from({ length: cols }, () => 0.5 + next() * 3), { shape: [1, cols] });
    // And a short period that divides nothing evenly (3 columns): written once, chunks of a multiple of 12.
    const x3 = tensor(x.data.subarray(0, 30_000), { shape: [10_000, 3] });
    const y3 = tensor(y.data.subarray(0, 30_000), { shape: [10_000, 3] });
    const w3 = tensor([0.5, 2, 3]);
    const wide = tensor(Float32Array.from({ length: MAX_ROW_ELEMENTS + 5 }, () => next() * 10), { shape: [1, MAX_ROW_ELEMENTS + 5] });
    const run = () => [
      binaryCrossEntropyWithLogits.withGrad(x, y, { posWeight, argnums: [0] }),
      binaryCrossEntropyWithLogits.withGrad(x3, y3, { posWeight: w3, reduction: 'none' }),
      crossEntropy.withGrad(wide, [7]),
    ];
    setBackend('ts');
    const reference = run();
    setBackend('wasm');
    const kernels = run();
    assert.ok(kernelMemoryBytes() <= 16 * 2 ** 20, `${kernelMemoryBytes()} bytes of WebAssembly memory`);
    kernels.forEach((r, k) => {
      const scale = Math.max(1, Math.abs(reference[k].loss.data[0]));
      for (const [a, b] of [[r.loss.data, reference[k].loss.data], [r.grad!.data, reference[k].grad!.data]]) {
        for (let i = 0; i < b.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= 2e-5 * Math.abs(b[i]) + 1e-6 * scale, `case ${k} [${i}]: ${a[i]} vs ${b[i]}`);
      }
    });
    // The row wider than the bound ran the TypeScript path, bit for bit.
    assert.deepEqual(kernels[2].grad!.data, reference[2].grad!.data);
  } finally {
    setBackend(before);
  }
});

test('setBackend: bad input', () => {
  assert.throws(() => setBackend('gpu' as never), /^Error: setBackend: backend 'gpu' is not valid \(valid: 'auto', 'ts', 'wasm'\)$/);
});

test('WebAssembly elementwise and cross-entropy paths: every element written, argnums skips the target gradient, gradInto receives the first', () => {
  const next = random(11);
  const n = 4099; // not a multiple of 4: the TypeScript tail accumulates into gradInto's last elements
  const x = Float32Array.from({ length: n }, () => (next() - 0.5) * 6);
  const y = Float32Array.from({ length: n }, () => next());
  const before = getBackend();
  try {
    setBackend('wasm');
    for (const loss of [mseLoss, huberLoss, binaryCrossEntropyWithLogits]) {
      const full = loss.withGrad(x, y);
      assert.ok(full.grads[1] !== null, `${loss.name}: the target gradient by default`);
      // Results live in unfilled memory (resultArray): every element must be written, the tail included.
      setBackend('ts');
      const reference = loss.withGrad(x, y);
      setBackend('wasm');
      for (const k of [0, 1]) {
        for (let i = 0; i < n; i++) {
          const [a, b] = [full.grads[k]!.data[i], reference.grads[k]!.data[i]];
          assert.ok(Math.abs(a - b) <= 1e-5 * Math.max(1e-3, Math.abs(b)), `${loss.name} grads[${k}][${i}]: wasm ${a}, ts ${b}`);
        }
      }
      const inputOnly = loss.withGrad(x, y, { argnums: [0] });
      assert.equal(inputOnly.grads[1], null);
      assert.deepEqual(inputOnly.grad!.data, full.grad!.data);
      assert.equal(inputOnly.loss.item(), full.loss.item());
      const targetOnly = loss.withGrad(x, y, { argnums: [1] });
      assert.equal(targetOnly.grad, null);
      assert.deepEqual(targetOnly.grads[1]!.data, full.grads[1]!.data);
      const into = new Float32Array(n).fill(NaN);
      const written = loss.withGrad(x, y, { gradInto: into, argnums: [0] });
      assert.equal(written.grad!.data, into);
      assert.deepEqual(into, full.grad!.data);
    }
    const [N, C] = [40, 1000];
    const logits = tensor(Float32Array.from({ length: N * C }, () => next() * 4), { shape: [N, C] });
    const probabilities = tensor(Float32Array.from({ length: N * C }, () => next() / 500), { shape: [N, C] });
    const full = crossEntropy.withGrad(logits, probabilities);
    const targetOnly = crossEntropy.withGrad(logits, probabilities, { argnums: [1] });
    assert.equal(targetOnly.grad, null);
    assert.deepEqual(targetOnly.grads[1]!.data, full.grads[1]!.data);
    const inputOnly = crossEntropy.withGrad(logits, probabilities, { argnums: [0] });
    assert.equal(inputOnly.grads[1], null);
    assert.deepEqual(inputOnly.grad!.data, full.grad!.data);
  } finally {
    setBackend(before);
  }
});

test('float32 elementwise totals: within 2^-23 of Σ|terms| of the float64 sum (a float32 rounding per pair of terms, then float64 sums), where a float32 running sum loses the small terms', () => {
  // One large term (2^24 and up) in the first pair, then 2^20 small ones: a float32 running sum
  // stops moving after the first pair (its ulp is 2 or more); the kernels' pairs of small terms
  // are exact and reach the float64 sums. n is not a multiple of 8: the unrolled loops' last
  // vector and the TypeScript tail run too.
  const n = (1 << 20) + 13;
  const cases = [
    { loss: L.mseLoss, big: 4096, small: 1, target: 0 },
    { loss: L.l1Loss, big: 2 ** 25, small: 0.75, target: 0 },
    { loss: L.huberLoss, big: 2 ** 25, small: 0.5, target: 0 },
    { loss: L.smoothL1Loss, big: 2 ** 25, small: 0.5, target: 0 },
    { loss: L.softMarginLoss, big: -(2 ** 25), small: 0, target: 1 },
  ];
  const before = getBackend();
  try {
    for (const { loss, big, small, target } of cases) {
      const x = new Float32Array(n).fill(small);
      x[0] = x[1] = big;
      const t = new Float32Array(n).fill(target);
      setBackend('ts');
      const terms = loss(Float64Array.from(x), Float64Array.from(t), { reduction: 'none' }).data;
      let exact = 0;
      let running = Math.fround(0);
      for (const v of terms) {
        exact += v;
        running = Math.fround(running + Math.fround(v));
      }
      const bound = 2 ** -23 * exact; // every term is non-negative: Σ|terms| is the sum
      assert.ok(Math.abs(running - exact) > 100 * bound, `${loss.name}: the case must defeat a float32 running sum`);
      setBackend('wasm');
      for (const reduction of ['sum', 'mean'] as const) {
        const scale = reduction === 'mean' ? n : 1;
        for (const [how, value] of [
          ['forward', () => loss(x, t, { reduction }).item()],
          ['withGrad', () => loss.withGrad(x, t, { reduction, argnums: [0] }).loss.item()],
        ] as const) {
          const got = value() * scale;
          assert.ok(Math.abs(got - exact) <= bound, `${loss.name} ${reduction} ${how}: ${got} against ${exact} (bound ${bound})`);
        }
      }
    }
  } finally {
    setBackend(before);
  }
});

test('gradInto: an array that overlaps an input is refused (the kernels write it while reading their inputs)', () => {
  const x = new Float32Array(8).fill(1);
  assert.throws(() => mseLoss.withGrad(x, new Float32Array(8), { gradInto: x }), /^Error: mseLoss: gradInto shares memory with input$/);
  const buffer = new Float32Array(16);
  assert.throws(() => mseLoss.withGrad(buffer.subarray(0, 8), buffer.subarray(8), { gradInto: buffer.subarray(4, 12) }), /^Error: mseLoss: gradInto shares memory with input$/);
  assert.equal(mseLoss.withGrad(buffer.subarray(0, 8), x, { gradInto: buffer.subarray(8) }).grad!.data.length, 8, 'adjacent, not overlapping');
});

test('argnums: bad input', () => {
  assert.throws(() => mseLoss.withGrad([1], [2], { argnums: [2] }), /^Error: mseLoss: argnums must be an array of argument positions among 0 \(input\), 1 \(target\), got \[2\]$/);
  assert.throws(() => mseLoss.withGrad([1], [2], { argnums: 0 as never }), /mseLoss: argnums must be an array/);
  assert.throws(() => mseLoss.withGrad([1], [2], { argnums: [1], gradInto: new Float32Array(1) }), /^Error: mseLoss: gradInto is the gradient of argument 0, which argnums leaves out$/);
  assert.throws(() => mseLoss([1], [2], { argnums: [0] } as never), /mseLoss: unknown option 'argnums'/);
});

interface ActivationCase {
  fn: 'softmax' | 'logSoftmax' | 'logSumExp';
  dtype: 'float32' | 'float64';
  range: string;
  args: EncodedTensor[];
  options: Record<string, unknown>;
  result: EncodedTensor;
}

const edges = loadFixture<LossCase>('edges.json') as ReturnType<typeof loadFixture<LossCase>> & { activations: ActivationCase[] };
type AnyFn = ((...args: unknown[]) => Tensor) & { withGrad: (...args: unknown[]) => L.LossWithGrad };

/** Every edge case of issue 11 (NaN, ±inf, 1e17–float32 max, subnormals, confident rows) on one backend. */
function edgeTests(backend: 'ts' | 'wasm') {
  test(`edge cases (PyTorch's answers, test/fixtures/edges.json), backend '${backend}': ${edges.cases.length} losses, ${edges.activations.length} activations`, () => {
    const before = getBackend();
    try {
      setBackend(backend);
      edges.cases.forEach((c, index) => {
        const fn = (L as unknown as Record<string, AnyFn>)[c.fn];
        const label = `${c.fn} ${c.dtype} ${c.range} case ${index} ${JSON.stringify(Object.keys(c.options))}`;
        const args = c.args.map((a) => (typeof a === 'number' ? a : decode(a)));
        const options = decodeOptions(c.options);
        const reference = c.reference64 ?? c;
        // Against PyTorch's float64 computation, our float32 results are rounded float64 values.
        const asResult = (t: Tensor) => (c.reference64 ? tensor(t.data, { dtype: c.dtype, shape: t.shape }) : t);
        assertTensorClose(fn(...args, options), asResult(decode(reference.loss)), `${label} loss`);
        const gradOutput = c.gradOutput ? decode(c.gradOutput) : undefined;
        const result = fn.withGrad(...args, { ...options, ...(gradOutput ? { gradOutput } : {}) });
        assertTensorClose(result.loss, asResult(decode(reference.loss)), `${label} withGrad loss`);
        reference.grads.forEach((g, k) => {
          if (g === null || g === 'not-compared') return;
          assertTensorClose(result.grads[k]!, asResult(decode(g)), `${label} grads[${k}]`);
        });
      });
      for (const c of edges.activations) {
        const fn = (L as unknown as Record<string, (x: Tensor, o: object) => Tensor>)[c.fn];
        assertTensorClose(fn(decode(c.args[0]), c.options), decode(c.result), `${c.fn} ${c.dtype} ${c.range} ${JSON.stringify(c.args[0].data)}`);
      }
    } finally {
      setBackend(before);
    }
  });
}
edgeTests('ts');
edgeTests('wasm');

interface Worst {
  ulps: number;
  rel: number;
  floored: number;
  tiny: number;
  mismatches: number;
  count: number;
}

/**
 * The README's Accuracy numbers (max over the SIMD and relaxed-SIMD builds, measured by
 * scripts/measure-accuracy.mjs): `rel` componentwise relative error of the loss / result over
 * results >= 2^-100; `floored` the error of gradients relative to the row's largest entry (rows)
 * or to max(|g|, 1) (elementwise). Results below 2^-100 (from exps flushed at 2^-126) within 4e-36.
 */
const ACCURACY: Record<string, { rel: number; floored: number }> = {
  'crossEntropy (class indices)': { rel: 2e-6, floored: 2e-6 },
  'crossEntropy (probabilities)': { rel: 2e-6, floored: 2e-6 },
  softmax: { rel: 2.2e-6, floored: 2.2e-6 },
  logSoftmax: { rel: 2e-6, floored: 2e-6 },
  logSumExp: { rel: 4e-7, floored: 4e-7 },
  l1Loss: { rel: 2e-7, floored: 2e-7 },
  mseLoss: { rel: 2e-7, floored: 2e-7 },
  'smoothL1Loss (beta 1)': { rel: 2e-7, floored: 2e-7 },
  'smoothL1Loss (beta 0.5)': { rel: 2e-7, floored: 2e-7 },
  'smoothL1Loss (beta 1e+39)': { rel: 2e-7, floored: 2e-7 },
  'huberLoss (delta 1.5)': { rel: 2e-7, floored: 2e-7 },
  binaryCrossEntropy: { rel: 2e-7, floored: 2e-7 },
  binaryCrossEntropyWithLogits: { rel: 4e-7, floored: 3e-7 },
  'binaryCrossEntropyWithLogits (posWeight)': { rel: 4e-7, floored: 3e-7 },
  'sigmoidFocalLoss (gamma 2)': { rel: 2.1e-6, floored: 5e-7 },
  'sigmoidFocalLoss (gamma 0.5)': { rel: 2.1e-6, floored: 4e-6 },
  'sigmoidFocalLoss (gamma 1.5)': { rel: 2.1e-6, floored: 1e-6 },
};

test("kernel accuracy against float64, in this engine's build: the README's bounds hold on scripts/measure-accuracy.mjs's battery, no NaN/inf out of place", async () => {
  const script = new URL('../../../scripts/measure-accuracy.mjs', import.meta.url).href;
  const { measureAccuracy } = (await import(script)) as { measureAccuracy: () => Promise<{ variant: string; results: ({ name: string } & Record<string, Worst>)[] }> };
  const { variant, results } = await measureAccuracy();
  assert.equal(variant, wasmVariant());
  assert.deepEqual(results.map((r) => r.name).sort(), Object.keys(ACCURACY).sort());
  for (const r of results) {
    const bound = ACCURACY[r.name];
    for (const [part, w] of Object.entries(r).filter(([k]) => k !== 'name') as [string, Worst][]) {
      const label = `${r.name}, ${part}`;
      assert.equal(w.mismatches, 0, `${label}: NaN/inf positions`);
      assert.ok(w.tiny <= 4e-36, `${label}: ${w.tiny} below 2^-100`);
      if (part === 'loss' || part === 'result') assert.ok(w.rel <= bound.rel, `${label}: relative error ${w.rel} > ${bound.rel}`);
      assert.ok(w.floored <= bound.floored, `${label}: error ${w.floored} > ${bound.floored}`);
      assert.ok(w.count > 0, `${label}: compared nothing`);
    }
  }
});

test("the issue's accuracy cases on the kernels: a confident row's gradient and log-softmax of equal ±1e4 rows to a few float32 ulps", () => {
  const before = getBackend();
  try {
    const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
    // float64 reference: the TypeScript path on the same float32 values
    const run = (backend: 'ts' | 'wasm', f: (dtype: 'float32' | 'float64') => ArrayLike<number>) => {
      setBackend(backend);
      return Array.from(f(backend === 'ts' ? 'float64' : 'float32'));
    };
    const row = Float32Array.of(-3.648, -6.3879, 3.4631);
    const grad = (dtype: 'float32' | 'float64') => crossEntropy.withGrad(tensor(Array.from(row), { dtype, shape: [1, 3] }), [2]).grad!.data;
    const [k, r] = [run('wasm', grad), run('ts', grad)];
    // The target's entry was 4.2e-5 relative off (p − 1 cancelling in float32); what is left is the
    // float32 rounding of x − m (2.4e-7 relative on exp(−7.11)), which the target's 1 − p inherits.
    k.forEach((v, i) => assert.ok(rel(v, r[i]) < 6e-7, `grad[${i}]: ${v} vs ${r[i]} (${rel(v, r[i])})`));
    for (const value of [1e4, -1e4]) {
      const x = new Array(7).fill(value);
      const lsm = (dtype: 'float32' | 'float64') => L.logSoftmax(tensor([x], { dtype })).data;
      const soft = (dtype: 'float32' | 'float64') => crossEntropy(tensor([x], { dtype }), tensor([new Array(7).fill(1 / 7)], { dtype }), { reduction: 'none' }).data;
      for (const f of [lsm, soft]) {
        const [a, b] = [run('wasm', f), run('ts', f)];
        // was 3.1e-4 relative (log Σ rounded into m = ±1e4)
        a.forEach((v, i) => assert.ok(rel(v, b[i]) < 2e-7, `${f === lsm ? 'logSoftmax' : 'crossEntropy (probabilities)'} ${value}: ${v} vs ${b[i]}`));
      }
    }
  } finally {
    setBackend(before);
  }
});

test('weights beyond 2^60 run the TypeScript path: the kernels\' flush of exps below 2^-126 is not magnified into the result', () => {
  // Class 0 is certain (−log p0 = 3e^-90 ≈ 2.5e-39, below float32's normal range): under a weight
  // of 1e38 that term is 0.23 of the loss, which a kernel that flushes it to 0 would lose.
  const logits = tensor([[84, -6, -6, -6], [84, -6, -6, -6]]);
  const options = { reduction: 'none', weight: [1e38, 1, 0, 0], labelSmoothing: 0.1 } as const;
  setBackend('ts');
  const reference = crossEntropy.withGrad(logits, [0, 0], options);
  const bce = binaryCrossEntropyWithLogits(tensor([100, 100, 100, 100]), tensor([1, 1, 1, 1]), { reduction: 'sum', posWeight: [1e38] });
  setBackend('wasm');
  try {
    const kernel = crossEntropy.withGrad(logits, [0, 0], options);
    assert.deepEqual(kernel.loss.data, reference.loss.data);
    assert.deepEqual(kernel.grad.data, reference.grad.data);
    assert.ok(Math.abs(kernel.loss.data[0] - 2.4773838) < 1e-6, `${kernel.loss.data[0]}`);
    // log1p(e^-100) = 3.7e-44 per element, times the pos weight 1e38: 1.5e-5 in all, not 0.
    const bceKernel = binaryCrossEntropyWithLogits(tensor([100, 100, 100, 100]), tensor([1, 1, 1, 1]), { reduction: 'sum', posWeight: [1e38] });
    assert.deepEqual(bceKernel.data, bce.data);
    assert.ok(bce.item() > 1e-5, `${bce.item()}`);
  } finally {
    setBackend('auto');
  }
});

test('every elementwise kernel is exported by both builds, for float32 and float64 lanes', async () => {
  try {
    for (const variant of hasRelaxedSimd() ? (['simd', 'relaxed-simd'] as const) : (['simd'] as const)) {
      await loadKernels(variant);
      const exported = withKernels((k) => Object.keys(k));
      for (const name of ELEMENTWISE_KERNELS) {
        for (const suffix of ['_f32', '_f64']) assert.ok(exported.includes(`${name}${suffix}`), `${variant} build: ${name}${suffix} is not exported`);
      }
    }
  } finally {
    await loadKernels(hasRelaxedSimd() ? 'relaxed-simd' : 'simd');
  }
});

/** Distance in units in the last place between two float64 values (0 when both are NaN). */
function ulps64(a: number, b: number): number {
  if (Number.isNaN(a) && Number.isNaN(b)) return 0;
  if (a === b) return 0;
  const view = new DataView(new ArrayBuffer(8));
  const ordered = (v: number) => {
    view.setFloat64(0, v);
    const bits = view.getBigInt64(0);
    return bits < 0n ? -9223372036854775808n - bits : bits;
  };
  const d = ordered(a) - ordered(b);
  return Number(d < 0n ? -d : d);
}

test('float64 kernels: exp and log (math64.ts) within 1 ulp of Math.exp and Math.log, subnormals and specials included', () => {
  // exp(x) is poissonNllLoss's loss at a target of 0 (logInput); ½ log v is gaussianNllLoss's at x = y (halving is exact).
  // (At x = ±inf and v = 0 or inf these losses are NaN, 0 · inf: the range edges are checked below them.)
  const xs = Float64Array.from({ length: 40_000 }, (_, i) => -745 + (1455 * i) / 39_999);
  const edges = Float64Array.of(-746, -745.2, -745.13, -744.4, -720, -708.5, -1e-300, 0, -0, 1e-300, 709.7, 709.78, 709.79, 710, NaN);
  const xsAll = new Float64Array([...xs, ...edges]);
  const vs = Float64Array.from({ length: 40_000 }, (_, i) => Math.exp(-744 + (1453 * i) / 39_999));
  const vEdges = Float64Array.of(4.9e-324, 2.2250738585072014e-308, 2.225073858507201e-308, 1e-310, 0.7071067811865476, 1, 1 + 2 ** -52, 1 - 2 ** -53, 1.4142135623730951, 1.7976931348623157e308, NaN);
  const vsAll = new Float64Array([...vs, ...vEdges]);
  const before = getBackend();
  setBackend('wasm');
  try {
    const exps = L.poissonNllLoss(xsAll, new Float64Array(xsAll.length), { reduction: 'none' }).data;
    const logs = L.gaussianNllLoss(vsAll, vsAll, vsAll, { reduction: 'none', eps: 0 }).data;
    let worst = 0;
    xsAll.forEach((x, i) => (worst = Math.max(worst, ulps64(exps[i], Math.exp(x)))));
    assert.ok(worst <= 1, `exp: ${worst} ulps`);
    worst = 0;
    vsAll.forEach((v, i) => (worst = Math.max(worst, ulps64(2 * logs[i], Math.log(v)))));
    assert.ok(worst <= 1, `log: ${worst} ulps`);
  } finally {
    setBackend(before);
  }
});

test('float64 kernels: log1p (math64.ts) within 1 ulp of Math.log1p, on [0, 1] (its fast path), beyond, and both in one vector', () => {
  const next = random(12);
  // [0, 1] densely and by exponent (log1p(exp(−|z|)) of the activations and logistic losses), then
  // (1, 1e300] by exponent, then the two interleaved so that a vector holds one of each.
  const unit = Float64Array.from({ length: 40_000 }, (_, i) => (i % 2 ? i / 39_999 : Math.exp(-740 * next())));
  const wide = Float64Array.from({ length: 40_000 }, () => Math.exp(690 * next()));
  const mixed = Float64Array.from({ length: 40_000 }, (_, i) => (i % 2 ? unit[i] : wide[i]));
  const edges = Float64Array.of(0, -0, 1, 1 + 2 ** -52, 1 - 2 ** -53, 5e-324, 2.2250738585072014e-308, 1e-300, 2 ** -53, 0.5, 1.7976931348623157e308, NaN);
  for (const [name, xs] of [['unit', unit], ['wide', wide], ['mixed', mixed], ['edges', edges]] as const) {
    const out = log1pWasm(xs);
    let worst = 0;
    let at = 0;
    xs.forEach((x, i) => {
      const u = ulps64(out[i], Math.log1p(x));
      if (u > worst) [worst, at] = [u, x];
    });
    assert.ok(worst <= 1, `${name}: ${worst} ulps at ${at}`);
  }
});
