// How a text field becomes a number, for the CSV/TSV reader: one policy, stated once. (The
// reader's quote-free fast path, decimal.ts, reads only plain decimals, with the values Number()
// gives them here, and leaves every other field to parseField: cli/test/decimal.test.ts.)
//
// - Numbers are decimal: `1`, `-2.5`, `+.5`, `3e-7`, with surrounding spaces (what Python's float(),
//   numpy.loadtxt and pandas.read_csv take). JavaScript's extra forms are refused: `0x10`, `0b11`,
//   `0o7` (Number() reads them as 16, 3, 7; no data tool writes them).
// - `nan`, `inf`, `-inf`, `infinity` in any case, with a sign (what numpy, pandas and Python write;
//   also JavaScript's `NaN`, `Infinity`) are the IEEE values: NaN propagates as in PyTorch.
// - A decimal beyond float64's range (`1e400`) is an error, not a silent Infinity. Underflow to 0 or
//   a subnormal is IEEE rounding, as in every reader.
// - Missing values are empty fields and the markers of MISSING_MARKERS (R's NA, pandas' <NA>...):
//   `--na error` (the default) stops at the first, `--na skip` drops their rows.

/** Text that means "no value" (the field trimmed). */
export const MISSING_MARKERS: readonly string[] = ['', 'NA', 'N/A', 'n/a', '#N/A', '<NA>', 'NULL', 'null', 'None'];
const MISSING = new Set(MISSING_MARKERS);

const SPECIAL = /^\s*([+-]?)(nan|inf|infinity)\s*$/i;

/** Returned by parseField for a missing value. */
export const MISSING_VALUE = Symbol('missing');

/**
 * The number a field holds, MISSING_VALUE, or a string saying why it is not a number (the caller
 * adds the file and line). Fast path: Number() and two checks; the rules above on its misses.
 */
export function parseField(text: string): number | typeof MISSING_VALUE | string {
  const v = Number(text);
  if (Number.isFinite(v)) {
    // Number('') and Number('  ') are 0; '0x10', '0b11', '0o7' are the only other non-decimal forms
    // it takes (unsigned: Number('-0x10') is NaN), so only a field whose first non-space is 0 needs
    // a look. Leading spaces are rare: trimmed only when the first character is not printable ASCII.
    if (v === 0 && text.trim() === '') return MISSING_VALUE;
    const first = text.charCodeAt(0);
    if (first !== 48 && first > 32 && first < 127) return v;
    const t = first === 48 ? text : text.trimStart();
    const second = t.charCodeAt(1) | 0x20; // lower case
    if (t.charCodeAt(0) === 48 && (second === 0x78 || second === 0x62 || second === 0x6f)) return `not a decimal number: ${JSON.stringify(text)}`;
    return v;
  }
  const special = SPECIAL.exec(text);
  if (special) {
    if (special[2].toLowerCase() === 'nan') return NaN;
    return special[1] === '-' ? -Infinity : Infinity;
  }
  if (MISSING.has(text.trim())) return MISSING_VALUE;
  if (!Number.isNaN(v)) return `out of float64's range: ${JSON.stringify(text)}`;
  return `not a number: ${JSON.stringify(text)}`;
}
