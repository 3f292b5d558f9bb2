import { checkClassTargets, classWeights } from '../core/classes.js';
import { defineLoss, gradTensor, resultDtype, type KernelCall, type KernelResult } from '../core/loss.js';
import { integerOption, numberOption } from '../core/options.js';
import { checkReduction, Reducer, type Reduction } from '../core/reduction.js';
import { sameShape, shapeString } from '../core/shape.js';
import { asTensor, Tensor, type TensorLike, type TypedArray } from '../core/tensor.js';
import { kernelsFor, weightsFitKernels } from '../kernels/backend.js';
import { linearBackward, linearBackwardWasm, linearForward, linearForwardWasm, matmulScratchBytes } from '../kernels/matmul.js';
import { kernelsCanRun, resultArray } from '../kernels/wasm.js';
import { crossEntropy } from './cross-entropy.js';

type Floats = Float32Array | Float64Array;

/** Options of {@link linearCrossEntropy}. */
export interface LinearCrossEntropyOptions {
  /** Bias of the projection, `[V]`; its gradient is `grads[3]`. */
  linearBias?: TensorLike;
  /** One weight per class, `[V]`. */
  weight?: TensorLike;
  /** Class index whose rows contribute nothing (0 under `'none'`); default −100. */
  ignoreIndex?: number;
  /** In [0, 1]: mix `labelSmoothing / V` of the uniform distribution into the target; default 0. */
  labelSmoothing?: number;
  /** `'none' | 'mean' | 'sum'`; default `'mean'`. */
  reduction?: Reduction;
  /**
   * Rows of the batch per chunk: the `[chunkSize, V]` logits (and their gradient) are the only
   * buffers of V per row. Default: PyTorch's `aspect_ratio` rule, the power of two at or above
   * `N / ceil(V / H)` (a chunk's logits weigh about as much as the input), at least 128 rows.
   */
  chunkSize?: number;
}

/** Whether every entry is finite (`v − v` is 0 exactly for finite v, NaN for ±∞ and NaN). */
function allFinite(a: Floats): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] - a[i] !== 0) return false;
  return true;
}

/**
 * The fewest rows of a default chunk: the weight gradient `Gᵀ X` sums over a chunk's rows, and with
 * few of them the kernels spend their time loading and storing it. Measured (N = 256, H = 1024,
 * V = 16384, forward + backward, Node 24, loaded machine): 19.7 s with chunks of 8 rows, 12.4–14.0 s
 * with 64, 10.6–13.4 s with 256.
 */
const MIN_DEFAULT_CHUNK = 128;

/**
 * PyTorch's `aspect_ratio` chunking, `next_pow2(ceil(N / ceil(V / H)))` (a chunk's logits weigh
 * about as much as the input), but at least MIN_DEFAULT_CHUNK rows, and at most N.
 */
function defaultChunk(N: number, V: number, H: number): number {
  const rows = Math.ceil(N / Math.max(1, Math.ceil(V / Math.max(H, 1))));
  return Math.max(1, Math.min(N, Math.max(MIN_DEFAULT_CHUNK, 2 ** Math.ceil(Math.log2(Math.max(rows, 1))))));
}

/**
 * Cross-entropy of a linear projection, as `torch.nn.functional.linear_cross_entropy`, fused and
 * chunked: `crossEntropy(input · linearWeightᵀ + linearBias, target, …)` without the `[N, V]`
 * logits. The batch is cut into chunks of `chunkSize` rows; each chunk's logits `[chunk, V]` are
 * computed, turned into their loss and gradient `G` in place by {@link crossEntropy} (same options,
 * same numerics), and `G` goes straight into the gradients: `∂/∂input = G W`,
 * `∂/∂linearWeight = Σ_chunks Gᵀ X`, `∂/∂linearBias = Σ_rows G`. Peak memory beyond the arguments
 * and their gradients: two `[chunk, V]` buffers. `'mean'` divides by `Σ weight[target]` over the
 * rows not ignored (NaN with zero gradients when that is 0, as PyTorch).
 *
 * Arguments all float32, or all float64, run on the WebAssembly SIMD matrix kernels (sums in that
 * dtype, as PyTorch's matmul); mixed dtypes, every call where the kernels do not run, and a call
 * whose kernel result holds a non-finite number (a float32 overflow, or a NaN input), on the TypeScript path in
 * float64.
 *
 * Shapes: `input` `[N, H]` or `[H]`; `linearWeight` `[V, H]`; `target` class indices `[N]` or `[]`;
 * result `[]`, or `[N]` (`[]`) for `'none'`. `withGrad` gives `grads = [input, linearWeight, null,
 * linearBias]` (null without a bias).
 *
 * @example
 * ```ts
 * const input = [[1, 0], [0, 1], [1, 1]];
 * const linearWeight = [[1, -1], [0.5, 0.5], [-1, 2]];
 * const { loss, grads } = linearCrossEntropy.withGrad(input, linearWeight, [0, 2, 1], { linearBias: [0, 0.1, 0], chunkSize: 2 });
 * console.log(loss.toString());
 * // tensor(0.5520)
 * console.log(grads[3]!.toString());
 * // tensor([-0.0863,  0.0028,  0.0836])
 * ```
 * Differs from PyTorch: targets are class indices only (probabilities would be `[N, V]`
 * themselves), and `linearWeight` is `[V, H]` (no K-dimensional loss); `chunkSize` replaces
 * `options: LinearCrossEntropyOptions` and chunks every call, label smoothing included.
 */
export const linearCrossEntropy = defineLoss(
  {
    name: 'linearCrossEntropy',
    reference: 'torch.nn.functional.linear_cross_entropy',
    args: [
      { name: 'input', shape: '[N, H] or [H]', differentiable: true },
      { name: 'linearWeight', shape: '[V, H]', differentiable: true, parameter: true },
      { name: 'target', shape: 'class indices [N] or []', differentiable: false, classIndices: true },
    ],
    options: {
      linearBias: { type: 'tensor', default: 0, shape: '[V]', broadcast: false, differentiable: true, doc: 'bias of the projection (its gradient is grads[3])' },
      weight: { type: 'tensor', default: 1, shape: '[V]', broadcast: false, mean: 'weights', doc: 'one weight per class' },
      ignoreIndex: { type: 'integer', default: -100, doc: 'class index whose rows contribute nothing' },
      labelSmoothing: { type: 'number', default: 0, range: { min: 0, max: 1 }, doc: 'mix labelSmoothing / V of the uniform distribution into the target' },
      chunkSize: { type: 'integer', default: MIN_DEFAULT_CHUNK, range: { min: 1 }, doc: 'rows per chunk (by default at least this, more where the aspect-ratio rule asks)' },
    },
    kernels: ['matmulNT_f32', 'matmulNT_f64', 'transpose_f32', 'transpose_f64', 'crossEntropyRows', 'crossEntropyRows64'],
    items: 'classes',
    plot: null,
  },
  (call: KernelCall<LinearCrossEntropyOptions>) => {
  const fn = 'linearCrossEntropy';
  const [input, linearWeight, target] = call.tensors;
  const { options, wantGrad, wantGrads } = call;
  const reduction = checkReduction(fn, options.reduction, ['none', 'mean', 'sum'], 'mean');
  const smoothing = numberOption(fn, 'labelSmoothing', options.labelSmoothing, 0);
  if (!(smoothing >= 0 && smoothing <= 1)) throw new Error(`${fn}: labelSmoothing must be in [0, 1], got ${smoothing}`);
  const ignoreIndex = integerOption(fn, 'ignoreIndex', options.ignoreIndex, -100);
  if (input.shape.length !== 1 && input.shape.length !== 2) {
    throw new Error(`${fn}: input must be [N, H] or [H], got shape ${shapeString(input.shape)}`);
  }
  const H = input.shape[input.shape.length - 1];
  if (linearWeight.shape.length !== 2 || linearWeight.shape[1] !== H) {
    throw new Error(`${fn}: linearWeight must be [V, H] with the input's H = ${H}, got shape ${shapeString(linearWeight.shape)}`);
  }
  const V = linearWeight.shape[0];
  const itemShape = input.shape.slice(0, -1);
  const N = input.shape.length === 2 ? input.shape[0] : 1;
  const dtype = resultDtype([input, linearWeight]);
  const bias = options.linearBias === undefined ? null : asTensor(fn, 'linearBias', options.linearBias, dtype);
  if (bias && !(bias.shape.length === 1 && bias.shape[0] === V)) {
    throw new Error(`${fn}: linearBias must be [V] = [${V}], got shape ${shapeString(bias.shape)}`);
  }
  const weight = classWeights(fn, options.weight, V, dtype);
  if (sameShape(target.shape, [...itemShape, V]) && V !== 1) {
    throw new Error(`${fn}: target must hold class indices of shape ${shapeString(itemShape)}; probability targets (shape ${shapeString(target.shape)}) are not supported`);
  }
  const denominator = checkClassTargets(fn, target, { classes: V, inner: 1, items: N, itemShape }, ignoreIndex, weight);
  const chunk = integerOption(fn, 'chunkSize', options.chunkSize, defaultChunk(N, V, H));
  if (!(chunk >= 1)) throw new Error(`${fn}: chunkSize must be a positive integer, got ${chunk}`);

  const reducer = new Reducer(fn, reduction, itemShape, dtype, denominator);
  if (wantGrad) reducer.setGradOutput(call.gradOutput);
  const rows = Math.min(chunk, Math.max(N, 1));
  // One float dtype everywhere (float32 or float64): the kernels' products in it; otherwise float64 TypeScript.
  const kernelDtype = [input, linearWeight, ...(bias ? [bias] : [])].every((t) => t.dtype === input.dtype) && input.dtype !== 'int32' ? input.dtype : null;
  const float32 = kernelDtype === 'float32';
  // Class weights other than 0 outside KERNEL_WEIGHT_RANGE take the float64 path from the start, as
  // in crossEntropy: their products with the upstream leave float32's range in the logits' gradient
  // (a weight of 1e38 over a mean of weights 4e-44 gave a gradient entry of 0 where float64 is 1.3e64).
  const wasm = kernelDtype !== null && N > 0 && V > 0 && (!float32 || weightsFitKernels(weight)) && kernelsFor(N * V) && kernelsCanRun(Math.ceil(matmulScratchBytes(rows, V, H, float32 ? 4 : 8) / 32));
  const X = input.data;
  const W = linearWeight.data;
  const ceOptions = { weight: weight ? new Tensor(weight as TypedArray, [V]) : undefined, ignoreIndex, labelSmoothing: smoothing, reduction: 'none' as const };

  /**
   * The chunked loss and gradients, on the float32 kernels (`kernels`) or in float64. On the
   * kernels, null when anything came out non-finite: a float32 intermediate may overflow where the
   * float64 result is finite (a weight of 1e38 times an upstream of 1e4 in the logits' gradient),
   * and then the float64 path computes the call.
   */
  const compute = (kernels: boolean): KernelResult | null => {
    const F = kernels && float32 ? Float32Array : Float64Array;
    const logits = new F(rows * V);
    const gLogits = wantGrad ? new F(rows * V) : null;
    const gx = wantGrad && wantGrads[0] ? new F(input.size) : null;
    // On the kernels the first chunk writes gw (no zeroing: resultArray); the TypeScript path adds into zeros.
    const gw = wantGrad && wantGrads[1] ? (kernels ? resultArray(linearWeight.size, float32 ? 'float32' : 'float64') : new F(linearWeight.size)) : null;
    const gb = wantGrad && bias ? new Float64Array(V) : null;
    const losses = new Float64Array(N);
    for (let r0 = 0; r0 < N; r0 += rows) {
      const n = Math.min(rows, N - r0);
      const chunkLogits = logits.subarray(0, n * V);
      if (kernels) linearForwardWasm((X as Floats).subarray(r0 * H), W as Floats, bias ? (bias.data as Floats) : null, n, V, H, chunkLogits);
      else linearForward(X, r0 * H, W, bias ? bias.data : null, n, V, H, chunkLogits as Float64Array);
      const chunkTarget = new Tensor(target.data.subarray(r0, r0 + n), [n]);
      const chunkInput = new Tensor(chunkLogits, [n, V]);
      if (!gLogits) {
        losses.set(crossEntropy(chunkInput, chunkTarget, ceOptions).data, r0);
        continue;
      }
      const upstream = Float64Array.from({ length: n }, (_, i) => reducer.upstream(r0 + i));
      const g = gLogits.subarray(0, n * V);
      const result = crossEntropy.withGrad(chunkInput, chunkTarget, { ...ceOptions, gradOutput: new Tensor(upstream, [n]), gradInto: g });
      losses.set(result.loss.data, r0);
      if (kernels) linearBackwardWasm(g, (X as Floats).subarray(r0 * H), W as Floats, n, V, H, gx ? gx.subarray(r0 * H) : null, gw, r0 > 0);
      else linearBackward(g, X, r0 * H, W, n, V, H, gx as Float64Array | null, r0 * H, gw as Float64Array | null);
      if (gb) for (let i = 0; i < n; i++) for (let j = 0; j < V; j++) gb[j] += g[i * V + j];
    }
    if (kernels && ![losses, gx, gw, gb].every((a) => a === null || allFinite(a))) return null;
    // The float32 kernels' gradients are float32 already; the TypeScript path's are rounded once.
    const wrap = (grad: Float32Array | Float64Array | null, like: Tensor) =>
      grad === null ? null : grad instanceof Float32Array ? new Tensor(grad, like.shape) : gradTensor(grad, like);
    return {
      loss: reducer.reduce(losses),
      grads: wantGrad ? [wrap(gx, input), wrap(gw, linearWeight), null, gb && bias ? gradTensor(gb, bias) : null] : [],
    };
  };
  return (wasm ? compute(true) : null) ?? compute(false)!;
  },
);
