// ONNX Runtime Web (wasm) in a worker thread of its own: creating its session changes the engine's
// WebAssembly state so that jax-js's modules no longer instantiate ("memory import 0 has no maximum
// limit"), so it never runs in the benchmark's main thread. Messages: { prepare: { x, t, n, c } }
// -> { ok }, { run: k } -> { ms } (k consecutive calls timed here as one batch, each from tensor creation to
// the loss read back).
import { parentPort } from 'node:worker_threads';
import * as ort from 'onnxruntime-web';
import { crossEntropyOnnx } from './onnx-model.js';

ort.env.wasm.numThreads = 1;
const session = await ort.InferenceSession.create(crossEntropyOnnx(), { executionProviders: ['wasm'] });
let input = null;
parentPort.on('message', async (m) => {
  try {
    if (m.prepare) {
      input = m.prepare;
      parentPort.postMessage({ ok: true });
      return;
    }
    const { x, t, n, c } = input;
    const start = performance.now();
    for (let i = 0; i < m.run; i++) {
      const labels = new ort.Tensor('int64', BigInt64Array.from(t, (v) => BigInt(v)), [n]);
      await session.run({ logits: new ort.Tensor('float32', x, [n, c]), labels });
    }
    parentPort.postMessage({ ms: performance.now() - start });
  } catch (e) {
    parentPort.postMessage({ error: String(e.message ?? e) });
  }
});
