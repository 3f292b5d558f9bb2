import { checkClassTargets, classLayout, classWeights, itemBase } from '../core/classes.js';
import { gradBuffer, gradOf } from '../core/grad-buffer.js';
import { defineLoss, gradTensor, resultDtype, type KernelCall } from '../core/loss.js';
import { integerOption, numberOption } from '../core/options.js';
import { checkReduction, Reducer, type Reduction } from '../core/reduction.js';
import { sameShape } from '../core/shape.js';
import { laneSoftmax } from '../core/stable.js';
import { Tensor, type TensorLike } from '../core/tensor.js';
import { kernelsFor, useWasm, weightsFitKernels } from '../kernels/backend.js';
import { crossEntropyRowsWasm, crossEntropySpatialWasm, resultArray, type CrossEntropyRowsRequest } from '../kernels/wasm.js';

/** Options of {@link crossEntropy}. */
export interface CrossEntropyOptions {
  /** One weight per class, `[C]`. */
  weight?: TensorLike;
  /** Class index whose items contribute nothing (0 under `'none'`); default −100. Class indices only. */
  ignoreIndex?: number;
  /** `'none' | 'mean' | 'sum'`; default `'mean'`. */
  reduction?: Reduction;
  /** In [0, 1]: mix `labelSmoothing / C` of the uniform distribution into the target; default 0. */
  labelSmoothing?: number;
}

/**
 * Cross-entropy of logits, as `torch.nn.functional.cross_entropy`: `logSoftmax` and
 * negative log-likelihood in one stable pass (`log p_c = x_c − logSumExp(x)`, never NaN for
 * finite logits, however large).
 *
 * Every item has coefficients `a_c`: with class indices,
 * `a_c = (1 − ε) w_t [c = t] + (ε / C) w_c`; with probabilities, `a_c = w_c ((1 − ε) y_c + ε / C)`
 * (ε = labelSmoothing). Then `loss = −Σ_c a_c log p_c` and the gradient reuses the softmax:
 * `∂/∂x_c = p_c Σ_k a_k − a_c` (`softmax − target` in the plain case); probability targets get
 * `∂/∂y_c = −(1 − ε) w_c log p_c`. `'mean'` divides by `Σ w[t]` over non-ignored items (class
 * indices) or by the item count (probabilities); a mean over nothing is NaN with zero gradient.
 *
 * Shapes: `input` `[C]`, `[N, C]` or `[N, C, d1, ..., dk]`; `target` class indices `[]`, `[N]`
 * or `[N, d1, ..., dk]` — or probabilities of the input's shape (decided by shape); result `[]`,
 * or the item shape for `'none'`.
 *
 * @example
 * ```ts
 * const logits = [[0.121, 0.434, 0.2, 0.3343], [0.3, 0.342, 0.6, 0.123], [5, 2, -1, 3]];
 * console.log(crossEntropy(logits, [1, 0, 3]).toString());
 * // tensor(1.6154)
 * console.log(crossEntropy(logits, [1, 0, 3], { reduction: 'none' }).toString());
 * // tensor([1.2319, 1.4423, 2.1719])
 * ```
 * Differs from PyTorch: class indices are numbers (JavaScript has no int64); a non-integer throws.
 */
export const crossEntropy = defineLoss({
  name: 'crossEntropy',
  reference: 'torch.nn.functional.cross_entropy',
  args: [
    { name: 'input', shape: '[C], [N, C] or [N, C, d1, ..., dk] (logits)', differentiable: true },
    { name: 'target', shape: "class indices [], [N] or [N, d1, ..., dk], or probabilities like input", differentiable: true, classIndices: true },
  ],
  options: {
    weight: { type: 'tensor', default: 1, shape: '[C]', broadcast: false, mean: 'weights', doc: 'one weight per class' },
    ignoreIndex: { type: 'integer', default: -100, doc: 'class index whose items contribute nothing' },
    labelSmoothing: { type: 'number', default: 0, range: { min: 0, max: 1 }, doc: 'mix labelSmoothing / C of the uniform distribution into the target' },
  },
  kernels: ['crossEntropyRows', 'crossEntropyProbRows', 'crossEntropySpatial', 'crossEntropyRows64', 'crossEntropyProbRows64', 'crossEntropySpatial64'],
  items: 'classes',
  plot: { x: 'true-class-logit', range: [-6, 6] },
}, (call: KernelCall<CrossEntropyOptions>) => {
  const fn = 'crossEntropy';
  const [input, target] = call.tensors;
  const { options, wantGrad } = call;
  const reduction = checkReduction(fn, options.reduction, ['none', 'mean', 'sum'], 'mean');
  const smoothing = numberOption(fn, 'labelSmoothing', options.labelSmoothing, 0);
  if (!(smoothing >= 0 && smoothing <= 1)) throw new Error(`${fn}: labelSmoothing must be in [0, 1], got ${smoothing}`);
  const ignoreIndex = integerOption(fn, 'ignoreIndex', options.ignoreIndex, -100);
  const layout = classLayout(fn, input);
  const { classes: C, inner, items } = layout;
  const weight = classWeights(fn, options.weight, C, resultDtype([input]));
  const probabilities = sameShape(input.shape, target.shape);
  if (probabilities && target.dtype === 'int32') {
    throw new Error(`${fn}: a target of the input's shape holds class probabilities and must be float32 or float64, got int32 (class indices have the input's shape without the class dimension)`);
  }
  if (probabilities && ignoreIndex !== -100) {
    throw new Error(`${fn}: ignoreIndex (${ignoreIndex}) applies to class indices, not to probability targets (as PyTorch)`);
  }
  const denominator = probabilities ? items : checkClassTargets(fn, target, layout, ignoreIndex, weight);

  const reducer = new Reducer(fn, reduction, layout.itemShape, resultDtype([input]), denominator);
  if (wantGrad) reducer.setGradOutput(call.gradOutput);
  // float32 logits on the WebAssembly SIMD kernels (same formulas, float32 arithmetic with float64
  // sums), when the backend says so: rows of C classes ([C], [N, C]; class indices or float32
  // probabilities), or K-dimensional inputs with class indices (classes strided by the inner size).
  // float64 logits run crossEntropyRows64 / crossEntropyProbRows64 (rows; probabilities in
  // float64 too) or crossEntropySpatial64 (K-dimensional, class indices), float64 throughout: no
  // flush, so any weight.
  const spatial = inner > 1;
  const kernelTargets = spatial ? !probabilities : !probabilities || target.dtype === input.dtype;
  const float32 = input.dtype === 'float32' && kernelTargets && weightsFitKernels(weight) && useWasm(input.dtype, input.size, spatial ? 4 * C : C);
  const float64 = input.dtype === 'float64' && kernelTargets && kernelsFor(input.size, spatial ? 8 * C : 2 * C);
  if (float32 || float64) {
    const result = crossEntropyWasm(call, { probabilities, rows: layout.items, classes: C, inner, weights: weight, ignoreIndex, smoothing }, reducer);
    if (result) return result;
  }
  const X = input.data;
  const T = target.data;
  const uniform = smoothing / C;
  let weightSum = 0;
  for (let c = 0; c < C; c++) weightSum += weight ? weight[c] : 1;
  const losses = new Float64Array(items);
  const gradInput = wantGrad ? new Float64Array(input.size) : null;
  const gradTarget = call.wantGrads[1] && probabilities ? new Float64Array(target.size) : null;

  for (let i = 0; i < items; i++) {
    const base = itemBase(layout, i);
    const t = probabilities ? -1 : T[i];
    if (!probabilities && t === ignoreIndex) continue;
    // a_c: the weight of log p_c in this item's loss.
    const coefficient = (c: number): number => {
      const w = weight ? weight[c] : 1;
      if (probabilities) return w * ((1 - smoothing) * T[base + c * inner] + uniform);
      return (c === t ? (1 - smoothing) * w : 0) + (smoothing > 0 ? uniform * w : 0);
    };
    // −log p_c = (m − x_c) + log Σ (laneSoftmax): the sum of non-negative terms, exact for the
    // maximum however large m is, NaN for a NaN or +inf logit and for an all −inf row (as PyTorch).
    const s = laneSoftmax(X, base, inner, C);
    const sum = s.ties + s.others;
    // PyTorch's sum runs over every class with probabilities or label smoothing (so 0 · inf is
    // NaN there, as in PyTorch), over the target alone otherwise.
    const every = probabilities || smoothing > 0;
    let loss = 0;
    let total = probabilities ? 0 : (1 - smoothing) * (weight ? weight[t] : 1) + uniform * weightSum;
    for (let c = 0; c < C; c++) {
      const a = coefficient(c);
      if (every || c === t) loss += a * (s.max - X[base + c * inner] + s.logSum);
      if (probabilities) total += a;
    }
    losses[i] = loss;
    if (gradInput) {
      const u = reducer.upstream(i);
      for (let c = 0; c < C; c++) {
        const k = base + c * inner;
        const a = coefficient(c);
        // p_c A − a_c. On a confident row p_c ≈ 1 and a_c ≈ A cancel: for the unique maximum it is
        // (A − a_c) − A (1 − p_c) with 1 − p_c = others / Σ and A − a_c = Σ_{k≠c} a_k, both sums of
        // small terms. Elsewhere p_c ≤ 1/2: no cancellation.
        let g: number;
        if (X[k] === s.max && s.ties === 1) {
          let rest = 0;
          for (let j = 0; j < C; j++) if (j !== c) rest += coefficient(j);
          g = rest - total * (s.others / sum);
        } else g = (Math.exp(X[k] - s.max) / sum) * total - a;
        gradInput[k] = u * g;
        if (gradTarget) gradTarget[k] = u * (1 - smoothing) * (weight ? weight[c] : 1) * (s.max - X[k] + s.logSum);
      }
    }
  }
  return {
    loss: reducer.reduce(losses),
    grads: wantGrad ? [gradTensor(gradInput!, input), gradTarget ? gradTensor(gradTarget, target) : null] : [],
  };
});

/**
 * The call on the WebAssembly kernels (rows or K-dimensional items, float32 or float64): the
 * call, what the TypeScript path checked, and its reducer. Null when the kernel's total is not finite — a NaN or infinite logit, or a float32
 * intermediate that overflowed (m − x_c of logits ±3.4e38, times a zero weight) where float64 stays
 * finite — or when the upstream scale does not fit float32: the TypeScript path then computes the
 * call in float64.
 */
function crossEntropyWasm(
  call: KernelCall<CrossEntropyOptions>,
  setup: Pick<CrossEntropyRowsRequest, 'probabilities' | 'rows' | 'classes' | 'weights' | 'ignoreIndex' | 'smoothing'> & { inner: number },
  reducer: Reducer,
): { loss: Tensor; grads: (Tensor | null)[] } | null {
  const [input, target] = call.tensors;
  const { wantGrads } = call;
  const perItem = reducer.reduction === 'none';
  const wide = input.dtype === 'float64';
  const losses = perItem ? (wide ? new Float64Array(setup.rows) : new Float32Array(setup.rows)) : null;
  // The kernel writes the caller's array directly when there is one (no allocation, no extra copy).
  const gradTarget = wantGrads[1] && setup.probabilities ? resultArray(target.size, input.dtype as 'float32' | 'float64') : null;
  const grad = wantGrads[0] ? gradBuffer(call, 0, input, false) : null;
  const upstream = !grad && !gradTarget ? 0 : reducer.upstreams();
  // A mean's 1 / Σ w[t] beyond float32 (weights of 1e-40): the kernel's float32 upstream would be inf.
  if (!wide && typeof upstream === 'number' && !Number.isFinite(Math.fround(upstream))) return null;
  const { inner, ...rows } = setup;
  const logits = input.data as Float32Array | Float64Array;
  const total =
    inner > 1
      ? crossEntropySpatialWasm({ ...rows, ...kernelTargets(target, setup), samples: setup.rows / inner, logits, inner, upstream, grad, losses })
      : crossEntropyRowsWasm({ ...rows, ...kernelTargets(target, setup), logits, gradTarget, upstream, grad, losses });
  if (!Number.isFinite(total)) return null;
  const loss = losses ? new Tensor(losses, reducer.itemShape) : reducer.reduce(Float64Array.of(total));
  return { loss, grads: [gradOf(grad, input), gradOf(gradTarget, target)] };
}

/**
 * The class indices and ignore index as the kernel reads them (int32). An ignoreIndex outside
 * int32 (PyTorch's is int64) would wrap onto a real class (2**32 + 1 → 1): then the targets equal
 * to it are mapped to −1 and −1 is passed, a value no valid target has (targets are checked to be
 * in [0, C) unless ignored). Only that rare case copies the targets.
 */
function kernelTargets(
  target: Tensor,
  setup: Pick<CrossEntropyRowsRequest, 'probabilities' | 'ignoreIndex'>,
): Pick<CrossEntropyRowsRequest, 'targets' | 'ignoreIndex'> {
  const { ignoreIndex } = setup;
  if (setup.probabilities || ignoreIndex === (ignoreIndex | 0)) return { targets: target.data, ignoreIndex };
  return { targets: Int32Array.from(target.data, (t) => (t === ignoreIndex ? -1 : t)), ignoreIndex: -1 };
}
