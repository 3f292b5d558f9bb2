// Decimal numbers read straight from bytes, correctly rounded, for the CSV reader's quote-free fast
// path (csv.ts): no string per field. Only the plain form `[+-]digits[.digits][(e|E)[+-]digits]`
// (at least one digit before the exponent) with at most 19 significant digits and a decimal
// exponent within ±22 is read here; anything else (spaces, `nan`, `NA`, `0x10`, `1e400`, 1e-30,
// 20 or more significant digits) returns NaN, and the caller reads the field as a string through
// parseField (numbers.ts), so the policy of what is a number stays in one place.
//
// The value is x = M · 10^q, M the significant digits as an integer, q the decimal exponent.
// - M < 10^15 (exact in float64) and |q| ≤ 22 (10^|q| is exact in float64 up to 10^22): x is one
//   IEEE multiplication or division of exact operands, hence correctly rounded (Clinger's fast path).
// - 10^15 ≤ M < 10^19 (what pandas writes: 17 significant digits): M is kept as a double-double
//   S + E (exact), x as a double-double h + l with |x − (h + l)| ≤ 2^-101 |x| (error bounds at the
//   steps below), and rounded by Ziv's test: if h + (l − ε) and h + (l + ε) round to the same float64,
//   with ε = 2^-96 |h| (above the error and the rounding of l ± ε), then so does x, rounding being
//   monotone. Otherwise (x within 2^-96 of a halfway point, about one field in 10^13 on random data)
//   NaN: the caller's Number() decides. Products are exact by Dekker's splitting (no FMA in JS).

/** 10^0 ... 10^22, exact (parsed, not computed by pow). */
const POW10 = Float64Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));
/** Dekker's splitting constant, 2^27 + 1: a = hi + lo with hi, lo of 26 bits, so hi·hi' is exact. */
const SPLIT = 134217729;
const POW10_HI = POW10.map((p) => SPLIT * p - (SPLIT * p - p));
const POW10_LO = POW10.map((p, i) => p - POW10_HI[i]);
const EPSILON = 2 ** -96;

/** Where the field parseDecimal last read ends (at `end`, a `stop` byte or a line break). */
export let fieldEnd = 0;

/**
 * The decimal number in the field at bytes[start...] (which ends at `end`, at the first `stop`
 * byte, such as a delimiter, or at a line break, \n or \r), correctly rounded to float64, or NaN where this fast path does not
 * decide (the field is then read by parseField). `view` is a DataView of `bytes` (digits are read
 * four at a time). Sets fieldEnd.
 */
export function parseDecimal(bytes: Uint8Array, view: DataView, start: number, end: number, stop = -1): number {
  let i = start;
  let c = bytes[i];
  const negative = c === 45; // '-'
  if (negative || c === 43) i++; // '+'
  let any = false; // a digit seen
  while (i < end && bytes[i] === 48) {
    any = true; // leading zeros: not significant
    i++;
  }
  let hi = 0; // the first 15 significant digits (exact: below 10^15)
  let lo = 0; // the next up to 4
  let loDigits = 0;
  let digits = 0; // significant digits
  let fractionStart = -1;
  for (;;) {
    if (digits <= 11 && i + 4 <= end) {
      // Four digits at once (SWAR): each byte in 0x30-0x39 iff its high nibble is 3 and, with 6
      // added (no carry out of a byte then), still 3; then pairs d0·10 + d1, and d01·100 + d23.
      const x = view.getUint32(i, true);
      if (((x & 0xf0f0f0f0) | (((x + 0x06060606) & 0xf0f0f0f0) >>> 4)) === 0x33333333) {
        const y = x - 0x30303030;
        const z = (y * 10 + (y >>> 8)) & 0x00ff00ff;
        hi = hi * 10000 + ((z & 0xff) * 100 + (z >>> 16));
        digits += 4;
        i += 4;
        continue;
      }
    }
    if (i >= end) break;
    c = bytes[i];
    const d = c - 48;
    if (d >= 0 && d <= 9) {
      if (digits < 15) hi = hi * 10 + d;
      else if (digits < 19) {
        lo = lo * 10 + d;
        loDigits++;
      } else return NaN;
      digits++;
      i++;
    } else if (c === 46 && fractionStart < 0) {
      // '.': every digit after it lowers the exponent; its leading zeros (before any significant
      // digit) are skipped here.
      fractionStart = ++i;
      if (digits === 0) while (i < end && bytes[i] === 48) i++;
    } else break;
  }
  let q = 0;
  if (fractionStart >= 0) {
    q = fractionStart - i;
    if (i > fractionStart) any = true;
  }
  if (!any && digits === 0) return NaN;
  if (i < end && (c = bytes[i]) !== stop && c !== 10 && c !== 13) {
    if (c !== 101 && c !== 69) return NaN; // 'e', 'E'
    i++;
    const negativeExponent = bytes[i] === 45;
    if (negativeExponent || bytes[i] === 43) i++;
    const first = i;
    let e = 0;
    for (; i < end; i++) {
      const d = bytes[i] - 48;
      if (!(d >= 0 && d <= 9)) break;
      if (e < 100000) e = e * 10 + d;
    }
    if (i === first || (i < end && (c = bytes[i]) !== stop && c !== 10 && c !== 13)) return NaN;
    q += negativeExponent ? -e : e;
  }
  fieldEnd = i;
  if (digits === 0) return negative ? -0 : 0;
  if (q > 22 || q < -22) return NaN;
  let x: number;
  if (loDigits === 0) x = q >= 0 ? hi * POW10[q] : hi / POW10[-q];
  else {
    // M = hi · 10^k + lo as S + E: hi · 10^k = p + e1 exactly (Dekker), p + lo = S + t exactly
    // (Knuth's two-sum); e1 and t are integers below 2^12, so E = e1 + t is exact, |E| ≤ ulp(S).
    const k = loDigits;
    const p = hi * POW10[k];
    const a = SPLIT * hi;
    const ah = a - (a - hi);
    const al = hi - ah;
    const e1 = ah * POW10_HI[k] - p + ah * POW10_LO[k] + al * POW10_HI[k] + al * POW10_LO[k];
    const S = p + lo;
    const bv = S - p;
    const E = e1 + (p - (S - bv) + (lo - bv));
    let h: number;
    let l: number;
    const P = POW10[q >= 0 ? q : -q];
    const Ph = POW10_HI[q >= 0 ? q : -q];
    const Pl = POW10_LO[q >= 0 ? q : -q];
    if (q >= 0) {
      // x = S·P + E·P; S·P = h + r exactly; l = r + E·P with error ≤ 2^-104 |x|.
      h = S * P;
      const s = SPLIT * S;
      const sh = s - (s - S);
      const sl = S - sh;
      const r = sh * Ph - h + sh * Pl + sl * Ph + sl * Pl;
      l = r + E * P;
    } else {
      // x = (S + E) / P; h = S / P rounded; h·P = u + v exactly; S − u is exact (Sterbenz: u is
      // within a factor 2 of S), so the remainder S + E − h·P is had with error ≤ 2^-102 |S|.
      h = S / P;
      const u = h * P;
      const s = SPLIT * h;
      const hh = s - (s - h);
      const hl = h - hh;
      const v = hh * Ph - u + hh * Pl + hl * Ph + hl * Pl;
      l = (S - u - v + E) / P;
    }
    const eps = EPSILON * Math.abs(h);
    x = h + (l + eps);
    if (x !== h + (l - eps)) return NaN;
  }
  return negative ? -x : x;
}
