// Generated values for the differential suite: elements and whole rows drawn from special values,
// confident rows, small shapes (fast-check arbitraries, shrinkable) and large ones (a seeded fill
// with special elements and rows laid over it, printed as the short description it came from).
import fc from 'fast-check';
import { random } from './random.js';
import { F32_MAX, f32, isArg, type Arg, type Case } from './differential.js';

/** The special values of the issue: ±0, ±Inf, NaN, subnormals, ±1e4, ±1e17, ±1e38, float32 max. */
export const SPECIALS = [0, -0, Infinity, -Infinity, NaN, 1e-40, -1e-40, 1e-45, -1e-45, 1e4, -1e4, 1e17, -1e17, 1e38, -1e38, F32_MAX, -F32_MAX].map(f32);

/** What a tensor holds: its ordinary values, its special values, and whether whole rows may be special. */
export interface Domain {
  readonly name: string;
  /** An ordinary value from a uniform draw u in [0, 1). */
  readonly ordinary: (u: number) => number;
  readonly specials: readonly number[];
  /** Rows (last dimension) may be one special value throughout, or confident (one entry far above the rest). */
  readonly rows?: boolean;
  /** Values are integers (class indices, labels): no float32 rounding question. */
  readonly integer?: boolean;
}

const uniformIn = (low: number, high: number) => (u: number) => f32(low + (high - low) * u);

export const REAL: Domain = { name: 'real', ordinary: uniformIn(-6, 6), specials: SPECIALS, rows: true };
/** Probabilities (BCE input): the edges 0 and 1, subnormals, 1 − 2^-24, NaN. */
export const PROB: Domain = {
  name: 'prob', ordinary: uniformIn(0, 1), rows: true,
  specials: [0, 1, 0.5, 1e-40, 1e-45, 2 ** -24, 1 - 2 ** -24, 1e-7, 1e-12, 1e-30, NaN].map(f32),
};
/** Soft targets in [0, 1]. */
export const SOFT: Domain = { name: 'soft', ordinary: uniformIn(0, 1), specials: [0, 1, 0.5, 1e-40, 1 - 2 ** -24].map(f32) };
export const BINARY: Domain = { name: 'binary', ordinary: (u) => (u < 0.5 ? 0 : 1), specials: [0, 1], integer: true };
export const SIGNS: Domain = { name: 'signs', ordinary: (u) => (u < 0.5 ? -1 : 1), specials: [-1, 1], integer: true };
/** Non-negative values (variances, counts, weights' magnitudes). */
export const NONNEG: Domain = { name: 'nonneg', ordinary: uniformIn(0, 4), specials: [0, 1e-40, 1e-45, 1e4, 1e17, 1e38, F32_MAX, Infinity, NaN].map(f32) };
/** Class and item weights: mostly ordinary, with 0, subnormal and huge weights. */
export const WEIGHT: Domain = { name: 'weight', ordinary: uniformIn(0, 3), specials: [0, 1, 1e-40, 1e4, 1e38].map(f32) };
/** posWeight: any positive factor, extremes included. */
export const POS_WEIGHT: Domain = { name: 'posWeight', ordinary: uniformIn(0, 4), specials: [0, 1, 1e-40, 1e4, 1e17, 1e38].map(f32) };
/** Upstream gradients: finite, including 0, −0 and large ones. */
export const UPSTREAM: Domain = { name: 'upstream', ordinary: uniformIn(-3, 3), specials: [0, -0, 1, -1, 1e4, -1e4].map(f32) };
/** Log-probabilities as a model would give them (≤ 0), with the extremes. */
export const LOG_PROB: Domain = { name: 'logProb', ordinary: uniformIn(-8, 0), specials: [0, -0, -Infinity, NaN, -1e4, -1e38, -1e-40].map(f32), rows: true };
export const classes = (C: number): Domain => ({ name: `class<${C}`, ordinary: (u) => Math.min(C - 1, Math.floor(u * C)), specials: [0, C - 1], integer: true });

/** A tensor a case needs: domain, shape, dtype kind. Used as an option value too (materialised before the call). */
export interface Want {
  readonly want: Domain;
  readonly shape: readonly number[];
  readonly kind?: 'float' | 'int32';
  /** Exactly these values (structured integer arguments: padded label rows, sequence lengths). */
  readonly fixed?: readonly number[];
}
export const want = (domain: Domain, shape: readonly number[], kind: 'float' | 'int32' = domain.integer && domain.name.startsWith('class') ? 'int32' : 'float'): Want => ({ want: domain, shape, kind });
const STRUCTURE: Domain = { name: 'fixed', ordinary: () => 0, specials: [0], integer: true };
/** A tensor of given values (int32 unless said otherwise). */
export const fixed = (values: readonly number[], shape: readonly number[], kind: 'float' | 'int32' = 'int32'): Want => ({ want: STRUCTURE, shape, kind, fixed: values });
const isWant = (v: unknown): v is Want => typeof v === 'object' && v !== null && 'want' in v;

const numel = (shape: readonly number[]) => shape.reduce((a, d) => a * d, 1);

const unit = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

function elementArb(d: Domain): fc.Arbitrary<number> {
  return fc.oneof({ arbitrary: unit.map(d.ordinary), weight: 3 }, { arbitrary: fc.constantFrom(...d.specials), weight: 2 });
}

function rowArb(d: Domain, C: number): fc.Arbitrary<number[]> {
  const plain = fc.array(elementArb(d), { minLength: C, maxLength: C });
  if (!d.rows || C < 1) return plain;
  const ordinary = fc.array(unit.map(d.ordinary), { minLength: C, maxLength: C });
  // A confident row: ordinary logits with one raised far above the rest (the p − 1 cancellation).
  const confident = fc.tuple(ordinary, fc.nat({ max: C - 1 }), fc.constantFrom(8, 12, 20, 40, 90, 1e4)).map(([row, k, by]) => row.map((v, i) => (i === k ? f32(v + by) : v)));
  return fc.oneof(
    { arbitrary: plain, weight: 3 },
    { arbitrary: ordinary, weight: 1 },
    { arbitrary: fc.constantFrom(...d.specials).map((v) => Array<number>(C).fill(v)), weight: 2 },
    { arbitrary: confident, weight: d === REAL ? 2 : 0 },
  );
}

/** Real-valued tensors whose scaling by 1 ± ε32 stays valid (not labels, indices, or values bounded by [0, 1]). */
const scalable = (w: Want) => !w.fixed && !w.want.integer && w.want !== PROB && w.want !== SOFT;

/** A small tensor of a domain: element by element, or row by row along the last dimension. */
export function tensorArb(w: Want): fc.Arbitrary<Arg> {
  if (w.fixed) return fc.constant({ kind: w.kind ?? 'float', shape: w.shape, values: w.fixed });
  const C = w.shape.length > 0 ? w.shape[w.shape.length - 1] : 1;
  const rows = C > 0 ? numel(w.shape) / C : 0;
  const values = w.shape.length >= 2 || (w.shape.length === 1 && w.want.rows)
    ? fc.array(rowArb(w.want, C), { minLength: rows, maxLength: rows }).map((r) => r.flat())
    : fc.array(elementArb(w.want), { minLength: numel(w.shape), maxLength: numel(w.shape) });
  return values.map((v) => ({ kind: w.kind ?? 'float', shape: w.shape, values: v, scalable: scalable(w) }));
}

/** What a large case lays over its seeded fill: special elements and special rows. */
export interface Overlay {
  seed: number;
  elements: { at: number; value: number }[];
  rows: { at: number; value: number | 'confident' }[];
}

export const overlayArb = (d: Domain): fc.Arbitrary<Overlay> =>
  fc.record({
    seed: fc.integer({ min: 1, max: 1 << 30 }),
    elements: fc.array(fc.record({ at: fc.nat(), value: fc.constantFrom(...d.specials) }), { maxLength: 6 }),
    rows: d.rows ? fc.array(fc.record({ at: fc.nat(), value: fc.oneof(fc.constantFrom(...d.specials), fc.constant('confident' as const)) }), { maxLength: 3 }) : fc.constant([]),
  });

/** A large tensor: ordinary values from the seed, the overlay's specials on top. */
export function fill(w: Want, o: Overlay): Arg {
  if (w.fixed) return { kind: w.kind ?? 'float', shape: w.shape, values: w.fixed };
  const n = numel(w.shape);
  const next = random(o.seed);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = w.want.ordinary(next());
  const C = w.shape.length > 0 ? w.shape[w.shape.length - 1] : n;
  const rows = C > 0 ? n / C : 0;
  if (rows > 0) {
    for (const { at, value } of o.rows) {
      const r = at % rows;
      if (value === 'confident') values[r * C + (at % C)] = f32(values[r * C + (at % C)] + 40);
      else values.fill(value, r * C, r * C + C);
    }
  }
  if (n > 0) for (const { at, value } of o.elements) values[at % n] = value;
  return { kind: w.kind ?? 'float', shape: w.shape, values, scalable: scalable(w) };
}

const printOverlay = (o: Overlay) =>
  `seed ${o.seed}${o.elements.length ? `, elements ${o.elements.map((e) => `[${e.at}]=${e.value}`).join(' ')}` : ''}${o.rows.length ? `, rows ${o.rows.map((r) => `[${r.at}]=${r.value}`).join(' ')}` : ''}`;

/** A call's recipe: tensor arguments and options (tensor options as {@link Want}), the loss's item shape. */
export interface Recipe {
  args: Want[];
  options: Record<string, unknown>;
  /** Shape of the loss under reduction 'none' (the gradOutput's shape); null for activations. */
  itemShape: readonly number[] | null;
  /** An activation's result shape: its withGrad takes a gradOutput of this shape (sometimes). */
  gradOutputShape?: readonly number[];
}

/** The shape of a case's gradOutput, if it may have one: a loss under 'none', or an activation. */
const upstreamShape = (r: Recipe): readonly number[] | null => r.gradOutputShape ?? (r.itemShape && r.options.reduction === 'none' ? r.itemShape : null);

/**
 * Small cases: every tensor drawn element by element (shrinkable), options as the recipe says, and
 * for withGrad an upstream gradient under 'none' and sometimes a gradInto array.
 */
export function smallCase(recipe: fc.Arbitrary<Recipe>): fc.Arbitrary<Case> {
  return recipe.chain((r) => {
    const optionKeys = Object.keys(r.options).filter((k) => isWant(r.options[k]));
    const shape = upstreamShape(r);
    const up = shape ? fc.option(tensorArb(want(UPSTREAM, shape)), { freq: 4 }) : fc.constant(null);
    return fc
      .record({
        args: fc.tuple(...r.args.map(tensorArb)),
        tensorOptions: fc.tuple(...optionKeys.map((k) => tensorArb(r.options[k] as Want))),
        gradOutput: up,
        gradInto: r.itemShape || r.gradOutputShape ? fc.boolean() : fc.constant(false),
      })
      .map(({ args, tensorOptions, gradOutput, gradInto }) => {
        const options: Record<string, unknown> = { ...r.options };
        optionKeys.forEach((k, i) => (options[k] = tensorOptions[i]));
        return { args, options, gradOutput: gradOutput ?? undefined, gradInto } satisfies Case;
      });
  });
}

/** Large cases (at least WASM_THRESHOLD elements): a seeded fill per tensor with an overlay of specials. */
export function largeCase(recipe: fc.Arbitrary<Recipe>): fc.Arbitrary<Case> {
  return recipe.chain((r) => {
    const optionKeys = Object.keys(r.options).filter((k) => isWant(r.options[k]));
    const shape = upstreamShape(r);
    return fc
      .record({
        overlays: fc.tuple(...r.args.map((a) => overlayArb(a.want))),
        optionSeeds: fc.tuple(...optionKeys.map(() => fc.integer({ min: 1, max: 1 << 30 }))),
        upstreamSeed: shape ? fc.option(fc.integer({ min: 1, max: 1 << 30 })) : fc.constant(null),
        gradInto: r.itemShape || r.gradOutputShape ? fc.boolean() : fc.constant(false),
      })
      .map(({ overlays, optionSeeds, upstreamSeed, gradInto }) => {
        const args = r.args.map((a, i) => fill(a, overlays[i]));
        const options: Record<string, unknown> = { ...r.options };
        optionKeys.forEach((k, i) => (options[k] = fill(r.options[k] as Want, { seed: optionSeeds[i], elements: [], rows: [] })));
        const gradOutput = upstreamSeed !== null && shape ? fill(want(UPSTREAM, shape), { seed: upstreamSeed, elements: [], rows: [] }) : undefined;
        const described = r.args.map((a, i) => `${a.want.name}[${a.shape}] (${printOverlay(overlays[i])})`);
        const opts = Object.entries(r.options).map(([k, v]) => `${k}: ${isWant(v) ? `${v.want.name}[${v.shape}] seed ${optionSeeds[optionKeys.indexOf(k)]}` : JSON.stringify(v)}`);
        if (gradOutput) opts.push(`gradOutput: upstream[${shape}] seed ${upstreamSeed}`);
        if (gradInto) opts.push('gradInto');
        return { args, options, gradOutput, gradInto, summary: `(${described.join(', ')}, { ${opts.join(', ')} })` } satisfies Case;
      });
  });
}

/** Shapes of small cases: up to 4 rows of up to 9 classes (SIMD bodies and tails of every length). */
export const dims = fc.record({ N: fc.integer({ min: 1, max: 4 }), C: fc.integer({ min: 1, max: 9 }) });
export const reduction = fc.constantFrom('none', 'mean', 'sum');
export const optional = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(a, { nil: undefined });

/** Options without the undefined ones (an absent option, not an option set to undefined). */
export function defined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
export { isArg };
