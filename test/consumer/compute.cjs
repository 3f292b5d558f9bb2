// What every consumer computes with the copy of losskit it is handed: run.mjs compares the numbers
// from the installed tarball (import, require, Jest) with those of the repository's own build on
// the same Node. Sizes above WASM_THRESHOLD (16 384) take the WebAssembly kernels; the small
// cross-entropy takes the TypeScript path.
module.exports = async function compute(L) {
  // Where the kernels load lazily, wasmReady() resolves once they are in.
  await L.wasmReady?.();
  const n = 20000;
  const prediction = new Float32Array(n).map((_, i) => Math.sin(i));
  const target = new Float32Array(n).map((_, i) => Math.cos(i));
  const x = new L.Tensor(prediction, [n]);
  const mse = L.mseLoss.withGrad(x, target);
  const logits = new L.Tensor(new Float32Array(64 * 1000).map((_, i) => Math.sin(0.37 * i)), [64, 1000]);
  const labels = Array.from({ length: 64 }, (_, i) => (i * 7) % 1000);
  const ce = L.crossEntropy.withGrad(logits, labels, { labelSmoothing: 0.1 });
  const small = L.crossEntropy.withGrad([[0.121, 0.434, 0.2, 0.3343], [0.3, 0.342, 0.6, 0.123], [5, 2, -1, 3]], [1, 0, 3]);
  return {
    zeroCopy: x.data === prediction,
    wasmVariant: L.wasmVariant(),
    mse: mse.loss.item(),
    mseGrad: Array.from(mse.grad.data.slice(0, 4)),
    crossEntropy: ce.loss.item(),
    crossEntropyGrad: Array.from(ce.grad.data.slice(0, 4)),
    small: small.loss.item(),
    smallGrad: Array.from(small.grad.data),
    printed: String(small.loss),
  };
};
