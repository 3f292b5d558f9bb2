import { asTensor, Tensor, typedArrayOf, type DType, type TensorLike } from './tensor.js';

/** How a loss turns per-item losses into its result. */
export type Reduction = 'none' | 'mean' | 'sum';

/** Validates a reduction option against the values a function accepts (exhaustive, listing them). */
export function checkReduction<R extends string>(fn: string, value: unknown, valid: readonly R[], fallback: R): R {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (valid as readonly string[]).includes(value)) return value as R;
  throw new Error(`${fn}: reduction '${String(value)}' is not valid (valid: ${valid.map((r) => `'${r}'`).join(', ')})`);
}

/**
 * Sum with Neumaier compensation: the float64 sum of float32 losses is then exact to the last bit
 * for any practical length, so reductions do not add error of their own.
 */
export function compensatedSum(values: ArrayLike<number>): number {
  let sum = 0;
  let compensation = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const t = sum + v;
    compensation += roundingError(sum, v, t);
    sum = t;
  }
  return compensated(sum, compensation);
}

/**
 * The rounding error of `t = sum + v`, exact (Knuth's TwoSum: branch-free, so it costs no
 * mispredicted branch where the magnitudes alternate; the same value as Neumaier's step, which
 * takes the larger magnitude first). Non-finite operands make it NaN, which {@link compensated}
 * leaves out.
 */
export function roundingError(sum: number, v: number, t: number): number {
  const part = t - sum;
  return sum - (t - part) + (v - part);
}

/** A compensated sum's value: `sum + compensation`, or `sum` where non-finite terms made the compensation NaN. */
export function compensated(sum: number, compensation: number): number {
  return Number.isFinite(sum) ? sum + compensation : sum;
}

/**
 * The one reduction helper of every loss: reduces per-item losses and, for the backward pass,
 * gives the upstream gradient of each item (`gradOutput[i]` for 'none', `g` for 'sum',
 * `g / denominator` for 'mean').
 */
export class Reducer {
  readonly reduction: Reduction;
  /** Shape of the per-item losses (the result's shape under 'none'). */
  readonly itemShape: number[];
  private readonly denominator: number;
  private readonly dtype: DType;
  private readonly fn: string;
  private scalarUpstream: number;
  private itemUpstream: ArrayLike<number> | null = null;

  /**
   * @param denominator what 'mean' divides by (the item count unless the loss says otherwise,
   *   e.g. the sum of class weights); 0 gives NaN as in PyTorch.
   */
  constructor(fn: string, reduction: Reduction, itemShape: readonly number[], dtype: DType, denominator?: number) {
    this.fn = fn;
    this.reduction = reduction;
    this.itemShape = [...itemShape];
    this.dtype = dtype;
    let count = 1;
    for (const d of itemShape) count *= d;
    this.denominator = denominator ?? count;
    this.scalarUpstream = this.scaled(1);
  }

  private scaled(g: number): number {
    return this.reduction === 'mean' ? g / this.denominator : g;
  }

  /** The loss tensor: the items under 'none', else a 0-d tensor. */
  reduce(items: Float64Array): Tensor {
    return this.reduction === 'none' ? new Tensor(typedArrayOf(this.dtype, items), this.itemShape) : this.reduceSum(compensatedSum(items));
  }

  /** The 0-d result of 'sum' or 'mean' from the items' sum, for a loss that sums as it goes (compensated, as `compensatedSum`). */
  reduceSum(sum: number): Tensor {
    switch (this.reduction) {
      case 'none':
        throw new Error(`${this.fn}: reduction 'none' keeps the items; it has no sum`);
      case 'sum':
        return new Tensor(typedArrayOf(this.dtype, [sum]), []);
      case 'mean':
        // A mean over nothing (no items, every target ignored, weights summing to 0) is NaN, as in
        // PyTorch, which divides each part of the loss by that 0: 0 / 0 even where a label-smoothing
        // term alone would give a positive numerator (x / 0 = inf).
        return new Tensor(typedArrayOf(this.dtype, [this.denominator === 0 ? NaN : sum / this.denominator]), []);
      default: {
        const never: never = this.reduction;
        throw new Error(`${this.fn}: reduction '${String(never)}' is not valid (valid: 'none', 'mean', 'sum')`);
      }
    }
  }

  /** Reads `gradOutput` (shaped like the loss; default ones) before `upstream` is used. */
  setGradOutput(gradOutput: TensorLike | undefined): void {
    if (gradOutput === undefined) return;
    // Plain numbers keep their full precision: the gradient is rounded to the result's dtype once, at the end.
    const g = asTensor(this.fn, 'gradOutput', gradOutput, 'float64');
    if (this.reduction === 'none') {
      if (g.shape.length !== this.itemShape.length || g.shape.some((d, i) => d !== this.itemShape[i])) {
        throw new Error(`${this.fn}: gradOutput shape [${g.shape.join(', ')}] does not match the loss shape [${this.itemShape.join(', ')}]`);
      }
      this.itemUpstream = g.data;
    } else {
      if (g.size !== 1) throw new Error(`${this.fn}: gradOutput must be a single number for reduction '${this.reduction}', got shape [${g.shape.join(', ')}]`);
      this.scalarUpstream = this.scaled(g.data[0]);
    }
  }

  /** Every item's upstream gradient at once: one number shared by all, or gradOutput's data under 'none'. */
  upstreams(): number | ArrayLike<number> {
    return this.itemUpstream ?? this.scalarUpstream;
  }

  /** d(result · gradOutput) / d(item i). */
  upstream(i: number): number {
    return this.itemUpstream !== null ? this.itemUpstream[i] : this.scalarUpstream;
  }
}
