import type { Tensor } from './tensor.js';

// PyTorch's printing (torch/_tensor_str.py) with its default print options, reproduced exactly.
const PRECISION = 4;
const THRESHOLD = 1000;
const EDGE_ITEMS = 3;
const LINE_WIDTH = 80;

// Python formats the exact binary value of a double and rounds ties to even; JavaScript's
// toFixed/toExponential round ties away from zero (0.125.toFixed(2) is '0.13', Python prints '0.12').
// So we round the exact rational m * 2^e ourselves with BigInt.

function decompose(v: number): { mantissa: bigint; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(v));
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = hi >>> 20;
  const fraction = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (biased === 0) return { mantissa: fraction, exponent: -1074 };
  return { mantissa: fraction | (1n << 52n), exponent: biased - 1075 };
}

/** round(num / den) with ties to even, for non-negative BigInts. */
function roundHalfEven(num: bigint, den: bigint): bigint {
  const q = num / den;
  const twice = 2n * (num % den);
  if (twice > den || (twice === den && q % 2n === 1n)) return q + 1n;
  return q;
}

/** |v| as the exact fraction num/den, multiplied by 10^scale. */
function scaledFraction(v: number, scale: number): [bigint, bigint] {
  const { mantissa, exponent } = decompose(v);
  let num = mantissa;
  let den = 1n;
  if (exponent >= 0) num <<= BigInt(exponent);
  else den <<= BigInt(-exponent);
  if (scale >= 0) num *= 10n ** BigInt(scale);
  else den *= 10n ** BigInt(-scale);
  return [num, den];
}

function sign(v: number): string {
  return v < 0 || Object.is(v, -0) ? '-' : '';
}

function nonFinite(v: number): string | null {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  return null;
}

/** Python's `format(v, '.{digits}f')`. */
export function formatFixed(v: number, digits: number): string {
  const special = nonFinite(v);
  if (special !== null) return special;
  const [num, den] = scaledFraction(v, digits);
  const s = roundHalfEven(num, den).toString().padStart(digits + 1, '0');
  const whole = s.slice(0, s.length - digits);
  return sign(v) + (digits > 0 ? `${whole}.${s.slice(s.length - digits)}` : whole);
}

/** Python's `format(v, '.{digits}e')`. */
export function formatExponential(v: number, digits: number): string {
  const special = nonFinite(v);
  if (special !== null) return special;
  let exp10 = 0;
  let digitsStr: string;
  if (v === 0) {
    digitsStr = '0'.repeat(digits + 1);
  } else {
    exp10 = Math.floor(Math.log10(Math.abs(v)));
    const lower = 10n ** BigInt(digits);
    for (;;) {
      const [num, den] = scaledFraction(v, digits - exp10);
      const floor = num / den;
      if (floor >= 10n * lower) exp10 += 1;
      else if (floor < lower) exp10 -= 1;
      else {
        let q = roundHalfEven(num, den);
        if (q === 10n * lower) {
          q = lower;
          exp10 += 1;
        }
        digitsStr = q.toString();
        break;
      }
    }
  }
  const mantissa = digits > 0 ? `${digitsStr[0]}.${digitsStr.slice(1)}` : digitsStr;
  const expAbs = String(Math.abs(exp10)).padStart(2, '0');
  return `${sign(v)}${mantissa}e${exp10 < 0 ? '-' : '+'}${expAbs}`;
}

/** torch/_tensor_str.py `_Formatter`: decides int / fixed / scientific mode and the column width. */
class Formatter {
  private readonly floating: boolean;
  private intMode = true;
  private sciMode = false;
  readonly width: number;

  constructor(values: ArrayLike<number>, floating: boolean) {
    this.floating = floating;
    let width = 1;
    if (!floating) {
      for (let i = 0; i < values.length; i++) width = Math.max(width, String(values[i]).length);
      this.width = width;
      return;
    }
    const finite: number[] = [];
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (Number.isFinite(v) && v !== 0) finite.push(v);
    }
    if (finite.length === 0) {
      this.width = width;
      return;
    }
    let min = Infinity;
    let max = 0;
    for (const v of finite) {
      min = Math.min(min, Math.abs(v));
      max = Math.max(max, Math.abs(v));
      if (v !== Math.ceil(v)) this.intMode = false;
    }
    if (this.intMode) {
      if (max / min > 1000 || max > 1e8) {
        this.sciMode = true;
        for (const v of finite) width = Math.max(width, formatExponential(v, PRECISION).length);
      } else {
        for (const v of finite) width = Math.max(width, formatFixed(v, 0).length + 1);
      }
    } else if (max / min > 1000 || max > 1e8 || min < 1e-4) {
      this.sciMode = true;
      for (const v of finite) width = Math.max(width, formatExponential(v, PRECISION).length);
    } else {
      for (const v of finite) width = Math.max(width, formatFixed(v, PRECISION).length);
    }
    this.width = width;
  }

  format(v: number): string {
    let s: string;
    if (!this.floating) s = String(v);
    else if (this.sciMode) s = formatExponential(v, PRECISION);
    else if (this.intMode) s = formatFixed(v, 0) + (Number.isFinite(v) ? '.' : '');
    else s = formatFixed(v, PRECISION);
    return s.padStart(this.width, ' ');
  }
}

interface View {
  data: ArrayLike<number>;
  offset: number;
  shape: readonly number[];
  strides: readonly number[];
}

function subView(view: View, index: number): View {
  return {
    data: view.data,
    offset: view.offset + index * view.strides[0],
    shape: view.shape.slice(1),
    strides: view.strides.slice(1),
  };
}

/** The indices of a dimension of `size` that a summarized print shows (first and last EDGE_ITEMS). */
function shownIndices(size: number, summarize: boolean): number[] {
  const all = Array.from({ length: size }, (_, i) => i);
  if (!summarize || size <= 2 * EDGE_ITEMS) return all;
  return [...all.slice(0, EDGE_ITEMS), ...all.slice(size - EDGE_ITEMS)];
}

/** `get_summarized_data`: the elements a summarized print shows, which alone decide the format. */
function collectShown(view: View, summarize: boolean, out: number[]): void {
  if (view.shape.length === 0) {
    out.push(view.data[view.offset]);
    return;
  }
  for (const i of shownIndices(view.shape[0], summarize)) collectShown(subView(view, i), summarize, out);
}

function vectorString(view: View, indent: number, summarize: boolean, formatter: Formatter): string {
  const elementLength = formatter.width + 2;
  const perLine = Math.max(1, Math.floor((LINE_WIDTH - indent) / elementLength));
  const size = view.shape[0];
  const at = (i: number) => formatter.format(view.data[view.offset + i * view.strides[0]]);
  let items: string[];
  if (summarize && size > 2 * EDGE_ITEMS) {
    items = [
      ...shownIndices(size, true).slice(0, EDGE_ITEMS).map(at),
      ' ...',
      ...shownIndices(size, true).slice(EDGE_ITEMS).map(at),
    ];
  } else {
    items = Array.from({ length: size }, (_, i) => at(i));
  }
  const lines: string[] = [];
  for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(', '));
  return '[' + lines.join(',\n' + ' '.repeat(indent + 1)) + ']';
}

function tensorString(view: View, indent: number, summarize: boolean, formatter: Formatter): string {
  const dim = view.shape.length;
  if (dim === 0) return formatter.format(view.data[view.offset]);
  if (dim === 1) return vectorString(view, indent, summarize, formatter);
  const size = view.shape[0];
  const part = (i: number) => tensorString(subView(view, i), indent + 1, summarize, formatter);
  let slices: string[];
  if (summarize && size > 2 * EDGE_ITEMS) {
    const shown = shownIndices(size, true);
    slices = [...shown.slice(0, EDGE_ITEMS).map(part), '...', ...shown.slice(EDGE_ITEMS).map(part)];
  } else {
    slices = Array.from({ length: size }, (_, i) => part(i));
  }
  return '[' + slices.join(',' + '\n'.repeat(dim - 1) + ' '.repeat(indent + 1)) + ']';
}

/** `_add_suffixes`: `, dtype=...` on the same line when it fits in 80 columns. */
function addSuffixes(body: string, suffixes: string[], indent: number): string {
  let out = body;
  let lastLineLength = body.length - body.lastIndexOf('\n') + 1;
  for (const suffix of suffixes) {
    if (lastLineLength + suffix.length + 2 > LINE_WIDTH) {
      out += ',\n' + ' '.repeat(indent) + suffix;
      lastLineLength = indent + suffix.length;
    } else {
      out += ', ' + suffix;
      lastLineLength += suffix.length + 2;
    }
  }
  return out + ')';
}

/** Prints a tensor as `print(t)` does in PyTorch (default dtype float32, default print options). */
export function formatTensor(t: Tensor): string {
  const prefix = 'tensor(';
  const suffixes: string[] = [];
  const dtypeSuffix = `dtype=torch.${t.dtype}`;
  if (t.size === 0) {
    if (t.shape.length !== 1) suffixes.push(`size=(${t.shape.join(', ')})`);
    if (t.dtype !== 'float32') suffixes.push(dtypeSuffix);
    return addSuffixes(prefix + '[]', suffixes, prefix.length);
  }
  if (t.dtype !== 'float32') suffixes.push(dtypeSuffix);
  const strides: number[] = new Array(t.shape.length);
  let stride = 1;
  for (let d = t.shape.length - 1; d >= 0; d--) {
    strides[d] = stride;
    stride *= t.shape[d];
  }
  const view: View = { data: t.data, offset: 0, shape: t.shape, strides };
  const summarize = t.size > THRESHOLD;
  const shown: number[] = [];
  collectShown(view, summarize, shown);
  const formatter = new Formatter(shown, t.dtype !== 'int32');
  return addSuffixes(prefix + tensorString(view, prefix.length, summarize, formatter), suffixes, prefix.length);
}
