/**
 * `losskit/tfjs`: every losskit loss as a TF.js loss, `(yTrue, yPred) => tf.Scalar`, for
 * `model.compile({ loss })`, `model.fit` and custom loops (`tf.variableGrads`, `tf.grad`), with
 * losskit's own gradient (through `tf.customGrad`).
 *
 * `@tensorflow/tfjs-core` is an optional peer dependency: only this entry point imports it, so
 * `import 'losskit'` never loads TF.js.
 *
 * How a call runs: the forward pass reads `yTrue` and `yPred` back (`dataSync`: the backend's own
 * array on cpu, a copy out of the WebAssembly heap on wasm, a GPU readback on webgl/webgpu), calls
 * the loss's `withGrad` once, and keeps the gradients as plain typed arrays — not tensors: a tensor
 * created inside `customGrad`'s forward pass is disposed when it returns, so the backward pass
 * would fail with "Tensor is disposed". The backward pass only multiplies those arrays by `dy`.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as L from '../index.js';
import { Tensor } from '../index.js';
import type { CtcLoss, CtcLossOptions, Loss2, Loss3, LossWithGrad } from '../index.js';

// The examples below are fenced `typescript`, not `ts`: they need TF.js, so test/tfjs.test.ts runs
// them (with TF.js in scope) instead of test/doc-examples.test.ts.

/**
 * The export names of every losskit loss with a gradient (`crossEntropy`, `mse`, ...): the keys
 * of {@link losses}.
 *
 * @example
 * ```typescript
 * import { losses, type LossName } from 'losskit/tfjs';
 * const name: LossName = 'huberLoss';
 * console.log(typeof losses[name]);
 * // function
 * ```
 */
export type LossName = Exclude<{ [K in keyof typeof L]: (typeof L)[K] extends { withGrad: (...args: never[]) => { loss: unknown } } ? K : never }[keyof typeof L], (typeof NOT_TFJS)[number]>;

/**
 * Differentiable losses a TF.js loss `(yTrue, yPred)` cannot carry: linearCrossEntropy's
 * linearWeight is a model parameter (in TF.js: a dense layer, then crossEntropy on its logits).
 *
 * @example
 * ```typescript
 * import { losses, NOT_TFJS } from 'losskit/tfjs';
 * console.log(NOT_TFJS.join(', '), 'linearCrossEntropy' in losses);
 * // linearCrossEntropy false
 * ```
 */
export const NOT_TFJS = ['linearCrossEntropy'] as const;

/**
 * A losskit loss with a gradient (`typeof crossEntropy`, ...): what {@link tfjsLoss} accepts.
 *
 * @example
 * ```typescript
 * import { mseLoss } from 'losskit';
 * import { tfjsLoss, type DifferentiableLoss } from 'losskit/tfjs';
 * const chosen: DifferentiableLoss = mseLoss;
 * console.log(tfjsLoss(chosen).name);
 * // mseLoss
 * ```
 */
export type DifferentiableLoss = (typeof L)[LossName];

/**
 * What {@link tfjsLoss} returns: a TF.js loss function, yTrue first (TF.js's order), returning a
 * scalar; its `name` is the loss's.
 *
 * @example
 * ```typescript
 * import * as tf from '@tensorflow/tfjs';
 * import { losses, type TfjsLoss } from 'losskit/tfjs';
 * const loss: TfjsLoss = losses.mseLoss;
 * console.log(loss(tf.tensor1d([0, 0]), tf.tensor1d([1, 3])).dataSync()[0]);
 * // 5
 * ```
 */
export type TfjsLoss = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar;

type Options<F> = F extends CtcLoss ? CtcLossOptions : F extends Loss2<infer O> ? O : F extends Loss3<infer O> ? O : never;

/**
 * The options `tfjsLoss` passes to a loss: the loss's own options (`reduction` must reduce to a
 * scalar: `'mean'`, `'sum'` or `'batchmean'`). Array-valued options (`weight`, `posWeight`) may be
 * plain arrays, typed arrays, losskit tensors or tf.Tensors (read once, when the loss is made).
 *
 * @example
 * ```typescript
 * import * as tf from '@tensorflow/tfjs';
 * import { crossEntropy } from 'losskit';
 * import { tfjsLoss, type TfjsLossOptions } from 'losskit/tfjs';
 * const options: TfjsLossOptions<typeof crossEntropy> = { weight: tf.tensor1d([1, 3]), reduction: 'sum' };
 * console.log(tfjsLoss(crossEntropy, options)(tf.tensor1d([1]), tf.tensor2d([[0, 0]])).dataSync()[0]);
 * // 2.079441547393799
 * ```
 */
export type TfjsLossOptions<F> = { [K in keyof Options<F>]: Options<F>[K] | tf.Tensor };

/**
 * Where a loss's arguments come from.
 * - `pair`: `loss(yPred, yTrue)`. `target` says what yTrue holds: `values` (same shape as yPred),
 *   `integers` (same shape, integer-valued: multilabelMarginLoss's class lists), `indices` (class
 *   indices: yPred `[..., C]` with classes on the last axis, TF.js's convention, yTrue `[...]` or
 *   `[..., 1]`), `auto` (crossEntropy: probabilities when yTrue is shaped like yPred, else indices).
 * - `unstack`: yPred holds several tensor arguments stacked along `axis` (-1 or -2); `order` lists the
 *   loss's arguments: `p<k>` the k-th slice of yPred, `yTrue` the target (absent: yTrue is ignored).
 * - `ctc`: yPred `[N, T, C]` log-probabilities (batch first, as a TF.js model gives them), yTrue
 *   `[N, S]` padded targets whose first negative entry ends a sequence; every input length is T.
 */
type Layout =
  | { kind: 'pair'; target: 'values' | 'integers' | 'indices' | 'auto' }
  | { kind: 'unstack'; axis: -1 | -2; order: readonly ('p0' | 'p1' | 'p2' | 'yTrue')[] }
  | { kind: 'ctc' };

const values: Layout = { kind: 'pair', target: 'values' };
const indices: Layout = { kind: 'pair', target: 'indices' };

/** One entry per loss export (the type makes a new loss without a layout a compile error). */
const LAYOUTS: Record<LossName, Layout> = {
  crossEntropy: { kind: 'pair', target: 'auto' },
  nllLoss: indices,
  multiMarginLoss: indices,
  multilabelMarginLoss: { kind: 'pair', target: 'integers' },
  binaryCrossEntropy: values,
  binaryCrossEntropyWithLogits: values,
  l1Loss: values,
  mae: values,
  mseLoss: values,
  mse: values,
  smoothL1Loss: values,
  huberLoss: values,
  klDiv: values,
  poissonNllLoss: values,
  hingeEmbeddingLoss: values,
  softMarginLoss: values,
  multilabelSoftMarginLoss: values,
  sigmoidFocalLoss: values,
  // yPred [..., 2]: (mean, variance) on the last axis; yTrue [...].
  gaussianNllLoss: { kind: 'unstack', axis: -1, order: ['p0', 'yTrue', 'p1'] },
  // yPred [N, 2]: (input1, input2); yTrue [N] of ±1.
  marginRankingLoss: { kind: 'unstack', axis: -1, order: ['p0', 'p1', 'yTrue'] },
  // yPred [N, 2, D]: (input1, input2); yTrue [N] of ±1.
  cosineEmbeddingLoss: { kind: 'unstack', axis: -2, order: ['p0', 'p1', 'yTrue'] },
  // yPred [N, 3, D]: (anchor, positive, negative); yTrue is not used.
  tripletMarginLoss: { kind: 'unstack', axis: -2, order: ['p0', 'p1', 'p2'] },
  ctcLoss: { kind: 'ctc' },
  // boxes1 = yPred, boxes2 = yTrue: [N, 4] each.
  generalizedBoxIouLoss: values,
  distanceBoxIouLoss: values,
  completeBoxIouLoss: values,
  // yPred [N, 3, D]: (anchor, positive, negative); yTrue is not used.
  tripletMarginWithDistanceLoss: { kind: 'unstack', axis: -2, order: ['p0', 'p1', 'p2'] },
  diceLoss: values,
  tverskyLoss: values,
  logCoshLoss: values,
  squaredHingeLoss: values,
  categoricalHingeLoss: values,
  cosineSimilarityLoss: values,
  categoricalFocalCrossEntropy: values,
  sparsemaxLoss: { kind: 'pair', target: 'integers' },
  polyLossCrossEntropy: values,
  // yPred [N, D] embeddings; yTrue [N] integer labels.
  ntxentLoss: indices,
};

type AnyWithGrad = (...args: unknown[]) => LossWithGrad;

/** Export name of each loss function object: its own name (`mseLoss`), not an alias's (`mse`). */
const NAMES = new Map<unknown, LossName>();
for (const [name, value] of Object.entries(L)) {
  if (Object.hasOwn(LAYOUTS, name) && (!NAMES.has(value) || (value as { name: string }).name === name)) NAMES.set(value, name as LossName);
}

const RESERVED = ['lossInto', 'gradInto', 'gradOutput', 'argnums'];
const SCALAR_REDUCTIONS = ['mean', 'sum', 'batchmean'];

/** A TF.js tensor's elements as losskit reads them: float32 or int32 as they are, bool as int32, others refused. */
function read(fn: string, arg: string, t: tf.Tensor): Float32Array | Int32Array {
  if (t.dtype === 'float32' || t.dtype === 'int32') return t.dataSync() as Float32Array | Int32Array;
  if (t.dtype === 'bool') return Int32Array.from(t.dataSync());
  throw new Error(`${fn}: ${arg} must be a float32, int32 or bool tf.Tensor, got ${t.dtype}`);
}

/** Class indices or integer labels from a float tensor, checked to be integers. */
function integers(fn: string, data: Float32Array | Int32Array): Int32Array {
  if (data instanceof Int32Array) return data;
  const out = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isInteger(v)) throw new Error(`${fn}: yTrue must hold integer class indices, got ${v} at flat index ${i}`);
    out[i] = v;
  }
  return out;
}

/** `[outer, k, inner]` split along the middle axis into k arrays `[outer, inner]` (and back). */
function unstack(data: Float32Array, outer: number, k: number, inner: number): Float32Array[] {
  const parts = Array.from({ length: k }, () => new Float32Array(outer * inner));
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < k; j++) parts[j].set(data.subarray((o * k + j) * inner, (o * k + j + 1) * inner), o * inner);
  }
  return parts;
}

function stack(parts: readonly ArrayLike<number>[], outer: number, inner: number): Float32Array {
  const k = parts.length;
  const out = new Float32Array(outer * k * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < k; j++) for (let i = 0; i < inner; i++) out[(o * k + j) * inner + i] = parts[j][o * inner + i];
  }
  return out;
}

/** `[A, B, inner]` → `[B, A, inner]`. */
function swapLeading(data: ArrayLike<number>, A: number, B: number, inner: number): Float32Array {
  const out = new Float32Array(A * B * inner);
  for (let a = 0; a < A; a++) {
    for (let b = 0; b < B; b++) for (let i = 0; i < inner; i++) out[(b * A + a) * inner + i] = data[(a * B + b) * inner + i];
  }
  return out;
}

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** The loss's tensor arguments built from yTrue and yPred, and how to map its gradients back. */
interface Prepared {
  args: Tensor[];
  /** Gradients with respect to yTrue and yPred (float32, their sizes) from the loss's `grads`. */
  back: (grads: (Tensor | null)[]) => [Float32Array, Float32Array];
}

/** A gradient as float32 (losskit's own array when it is one: nothing else holds it), zeros where there is none. */
const orZeros = (g: Tensor | null, n: number): Float32Array => (g === null ? new Float32Array(n) : g.data instanceof Float32Array ? g.data : Float32Array.from(g.data));

function prepare(fn: string, layout: Layout, yTrue: tf.Tensor, yPred: tf.Tensor): Prepared {
  const truth = read(fn, 'yTrue', yTrue);
  const pred = read(fn, 'yPred', yPred);
  if (!(pred instanceof Float32Array)) throw new Error(`${fn}: yPred must be a float32 tf.Tensor, got ${yPred.dtype}`);
  const nTrue = truth.length;
  const nPred = pred.length;
  switch (layout.kind) {
    case 'pair': {
      const sameShape = yTrue.shape.length === yPred.shape.length && yTrue.shape.every((d, i) => d === yPred.shape[i]);
      const asIndices = layout.target === 'indices' || (layout.target === 'auto' && !sameShape);
      if (!asIndices) {
        const target = layout.target === 'integers' ? integers(fn, truth) : truth;
        // crossEntropy with probabilities: classes on the last axis, rows flattened.
        const rows = layout.target === 'auto' && yPred.rank > 2;
        const C = yPred.shape[yPred.rank - 1];
        const shape = rows ? [nPred / C, C] : yPred.shape;
        return {
          args: [new Tensor(pred, shape), new Tensor(target, rows ? shape : yTrue.shape)],
          back: (g) => [orZeros(g[1], nTrue), orZeros(g[0], nPred)],
        };
      }
      // Class indices: yPred [..., C] → [M, C], yTrue [...] or [..., 1] → [M].
      const lead = yPred.shape.slice(0, -1);
      const okTrue = [lead, [...lead, 1]].some((s) => s.length === yTrue.rank && s.every((d, i) => d === yTrue.shape[i]));
      if (yPred.rank < 1 || !okTrue) {
        throw new Error(
          `${fn}: yTrue of class indices must be shaped like yPred without its last (class) axis, or with a last axis of 1: ` +
            `yPred [${yPred.shape.join(', ')}], yTrue [${yTrue.shape.join(', ')}]`,
        );
      }
      const C = yPred.shape[yPred.rank - 1];
      const M = size(lead);
      return {
        args: [new Tensor(pred, yPred.rank === 1 ? [C] : [M, C]), new Tensor(integers(fn, truth), yPred.rank === 1 ? [] : [M])],
        back: (g) => [new Float32Array(nTrue), orZeros(g[0], nPred)],
      };
    }
    case 'unstack': {
      const axis = yPred.rank + layout.axis;
      const k = layout.order.filter((a) => a !== 'yTrue').length;
      if (axis < 0 || yPred.shape[axis] !== k) {
        throw new Error(`${fn}: yPred must stack its ${k} inputs along axis ${layout.axis} (size ${k}), got shape [${yPred.shape.join(', ')}]`);
      }
      const outer = size(yPred.shape.slice(0, axis));
      const inner = size(yPred.shape.slice(axis + 1));
      const partShape = [...yPred.shape.slice(0, axis), ...yPred.shape.slice(axis + 1)];
      const parts = unstack(pred, outer, k, inner);
      const args = layout.order.map((a) => (a === 'yTrue' ? new Tensor(truth, yTrue.shape) : new Tensor(parts[Number(a[1])], partShape)));
      const at = (a: string): number => layout.order.indexOf(a as 'p0');
      return {
        args,
        back: (g) => [
          at('yTrue') >= 0 ? orZeros(g[at('yTrue')], nTrue) : new Float32Array(nTrue),
          stack(parts.map((_, j) => orZeros(g[at(`p${j}`)], outer * inner)), outer, inner),
        ],
      };
    }
    case 'ctc': {
      if (yPred.rank !== 3 || yTrue.rank !== 2 || yTrue.shape[0] !== yPred.shape[0]) {
        throw new Error(`${fn}: yPred must be [N, T, C] log-probabilities and yTrue [N, S] padded targets, got yPred [${yPred.shape.join(', ')}], yTrue [${yTrue.shape.join(', ')}]`);
      }
      const [N, T, C] = yPred.shape as number[];
      const S = yTrue.shape[1] as number;
      const targets = integers(fn, truth);
      const targetLengths = new Int32Array(N);
      for (let n = 0; n < N; n++) {
        let s = 0;
        while (s < S && targets[n * S + s] >= 0) s++;
        targetLengths[n] = s;
      }
      return {
        args: [
          new Tensor(swapLeading(pred, N, T, C), [T, N, C]),
          new Tensor(targets, [N, S]),
          new Tensor(new Int32Array(N).fill(T), [N]),
          new Tensor(targetLengths, [N]),
        ],
        back: (g) => [new Float32Array(nTrue), swapLeading(orZeros(g[0], nPred), T, N, C)],
      };
    }
    default: {
      const never: never = layout;
      throw new Error(`${fn}: unknown layout ${JSON.stringify(never)} (valid kinds: pair, unstack, ctc)`);
    }
  }
}

/** Options as losskit takes them: tf.Tensors read into losskit tensors (copied: the caller may dispose them). */
function lossOptions(fn: string, options: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (RESERVED.includes(key)) throw new Error(`${fn}: option '${key}' is set by losskit/tfjs, not by the caller`);
    if (key === 'reduction' && !SCALAR_REDUCTIONS.includes(value as string)) {
      throw new Error(`${fn}: reduction ${JSON.stringify(value)} is not valid for a TF.js loss, which returns a scalar (valid: 'mean', 'sum', 'batchmean')`);
    }
    out[key] = value instanceof tf.Tensor ? new Tensor(read(fn, key, value).slice(), value.shape) : value;
  }
  return out;
}

/**
 * Wraps a losskit loss as a TF.js loss `(yTrue, yPred) => tf.Scalar` — TF.js's argument order,
 * yTrue first — with `options` passed to every call. Its gradient is losskit's `withGrad`,
 * installed with `tf.customGrad`, so it works in `model.compile({ loss })`, `model.fit`,
 * `tf.grad`, `tf.variableGrads` and `optimizer.minimize`.
 *
 * How yTrue and yPred map to the loss's arguments: `loss(yPred, yTrue)` for two-tensor losses.
 * Class indices (crossEntropy when yTrue is not shaped like yPred, nllLoss, multiMarginLoss) come
 * as yTrue `[...]` or `[..., 1]` against yPred `[..., C]` with the classes on the last axis (TF.js's
 * convention; the leading axes are flattened into rows), in a float or int32 tensor whose values
 * must be integers (else it throws). gaussianNllLoss takes yPred `[..., 2]` (mean, variance);
 * marginRankingLoss yPred `[N, 2]`; cosineEmbeddingLoss yPred `[N, 2, D]`; tripletMarginLoss
 * yPred `[N, 3, D]` (anchor, positive, negative; yTrue ignored); ctcLoss yPred `[N, T, C]`
 * log-probabilities (e.g. a `logSoftmax` output; batch first) and yTrue `[N, S]` targets padded
 * with negative values, every input length T. The gradient with respect to yTrue is losskit's where
 * it has one (regression targets, probabilities), 0 where PyTorch does not differentiate (indices,
 * ±1 labels).
 *
 * @param loss any differentiable losskit loss (`crossEntropy`, `mseLoss`, ...).
 * @param options the loss's options; `reduction` must give a scalar (`'mean'`, `'sum'`, `'batchmean'`).
 * @returns the TF.js loss function.
 * @example
 * ```typescript
 * import * as tf from '@tensorflow/tfjs';
 * import { crossEntropy } from 'losskit';
 * import { tfjsLoss } from 'losskit/tfjs';
 *
 * const loss = tfjsLoss(crossEntropy, { labelSmoothing: 0.1, ignoreIndex: -100 });
 * const yTrue = tf.tensor1d([1, -100, 0]);             // class indices, as floats (checked to be integers)
 * const yPred = tf.tensor2d([[1, 2], [0, 0], [3, 1]]);  // logits
 * console.log(loss(yTrue, yPred).dataSync()[0]);
 * // 0.2950948476791382
 * const grad = tf.grad((p: tf.Tensor) => loss(yTrue, p))(yPred);   // losskit's gradient
 * console.log(grad.arraySync());
 * // 0.10947071015834808,-0.10947071015834808,0,0,-0.03460146114230156,0.03460146114230156
 * ```
 */
export function tfjsLoss<F extends DifferentiableLoss>(loss: F, options?: TfjsLossOptions<F>): TfjsLoss {
  const name = NAMES.get(loss);
  if (name === undefined) {
    throw new Error(`tfjsLoss: loss must be a differentiable losskit loss (one of ${[...new Set(NAMES.values())].join(', ')})`);
  }
  const fn = `losskit/tfjs ${name}`;
  const layout = LAYOUTS[name];
  const opts = lossOptions(fn, (options ?? {}) as Record<string, unknown>);
  const withGrad = (loss as unknown as { withGrad: AnyWithGrad }).withGrad;
  const forward = (yTrue: tf.Tensor, yPred: tf.Tensor) => {
    const { args, back } = prepare(fn, layout, yTrue, yPred);
    const result = withGrad(...args, opts);
    if (result.loss.shape.length !== 0) throw new Error(`${fn}: the loss is not a scalar (shape [${result.loss.shape.join(', ')}])`);
    const [gTrue, gPred] = back(result.grads);
    const trueShape = yTrue.shape;
    const predShape = yPred.shape;
    return {
      value: tf.scalar(result.loss.item()),
      // Plain arrays survive the forward pass; the tensors made here belong to the backward pass's
      // scope. dy is a scalar (the loss is one): multiplied in JavaScript, since the cpu backend's
      // broadcasting tf.mul took 0.1–0.6 s for 4M elements (measured, 2 loaded cores); dy is usually
      // exactly 1, and then the saved array is used as it is.
      gradFunc: (dy: tf.Tensor) => {
        const scale = dy.dataSync()[0];
        const times = (g: Float32Array): Float32Array => (scale === 1 ? g : g.map((v) => v * scale));
        return [tf.tensor(times(gTrue), trueShape), tf.tensor(times(gPred), predShape)];
      },
    };
  };
  const compute = tf.customGrad(forward as unknown as Parameters<typeof tf.customGrad<tf.Scalar>>[0]);
  const wrapped = (yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar => {
    if (!(yTrue instanceof tf.Tensor) || !(yPred instanceof tf.Tensor)) {
      throw new Error(`${fn}: yTrue and yPred must be tf.Tensors (TF.js's order: yTrue first)`);
    }
    return compute(yTrue, yPred) as tf.Scalar;
  };
  Object.defineProperty(wrapped, 'name', { value: name });
  return wrapped;
}

/**
 * Every differentiable losskit loss as a TF.js loss with its default options, under its export
 * name (derived from the library's exports: a new loss appears here by itself).
 *
 * @example
 * ```typescript
 * import * as tf from '@tensorflow/tfjs';
 * import { losses } from 'losskit/tfjs';
 *
 * const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1, kernelInitializer: 'zeros' })] });
 * model.compile({ optimizer: tf.train.sgd(0.5), loss: losses.binaryCrossEntropyWithLogits });
 * const history = await model.fit(tf.tensor2d([[1, 0], [0, 1]]), tf.tensor2d([[1], [0]]), { epochs: 3, verbose: 0 });
 * console.log(history.history.loss.map((v) => Number(v).toFixed(4)).join(' '));
 * // 0.6931 0.6326 0.5794
 * ```
 */
export const losses = Object.fromEntries(
  Object.entries(L)
    .filter(([name]) => Object.hasOwn(LAYOUTS, name))
    .map(([name, value]) => [name, tfjsLoss(value as DifferentiableLoss)]),
) as Record<LossName, TfjsLoss>;
