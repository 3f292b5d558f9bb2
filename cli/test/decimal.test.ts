// The CSV reader's numbers against Python's float() (correctly rounded): the fast path's
// parseDecimal (decimal.ts) either decides a field exactly as float() does or leaves it to
// parseField, and parseField (the whole policy) always gives float()'s value.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fieldEnd, parseDecimal } from '../src/io/decimal.js';
import { parseField } from '../src/io/numbers.js';
import { fixture } from './support.js';

const encoder = new TextEncoder();

function fromBits(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt('0x' + hex));
  return view.getFloat64(0);
}

/**
 * parseDecimal over the whole of `text`, placed inside other bytes (the bounds must be respected):
 * ended by `end`, and by a delimiter (then fieldEnd must be the delimiter's position).
 */
function fast(text: string): number {
  const bytes = encoder.encode(`9,${text},9`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const v = parseDecimal(bytes, view, 2, bytes.length - 2);
  const delimited = parseDecimal(bytes, view, 2, bytes.length, 44);
  assert.ok(Object.is(v, delimited), `${JSON.stringify(text)}: ${v} ended by its end, ${delimited} by a comma`);
  if (!Number.isNaN(v)) assert.equal(fieldEnd, bytes.length - 2, `${JSON.stringify(text)}: where it ends`);
  for (const lineBreak of ['\n', '\r\n']) {
    const line = encoder.encode(`${text}${lineBreak}9`);
    const atLineEnd = parseDecimal(line, new DataView(line.buffer), 0, line.length, 44);
    assert.ok(Object.is(atLineEnd, v), `${JSON.stringify(text)} before a line break: ${atLineEnd}`);
    if (!Number.isNaN(v)) assert.equal(fieldEnd, line.length - 1 - lineBreak.length, `${JSON.stringify(text)}: where it ends before a line break`);
  }
  return v;
}

test("parseDecimal and parseField give Python's float() on 10015 strings, halfway cases included (fixtures/decimals)", () => {
  const { cases } = JSON.parse(readFileSync(fixture('decimals/decimals.json'), 'utf8')) as { cases: [string, string][] };
  let decided = 0;
  for (const [text, bits] of cases) {
    const expected = fromBits(bits);
    const v = fast(text);
    if (!Number.isNaN(v)) {
      decided++;
      assert.ok(Object.is(v, expected), `parseDecimal(${text}) = ${v}, float() gives ${expected}`);
    }
    const field = parseField(text);
    if (Number.isFinite(expected)) assert.ok(Object.is(field, expected), `parseField(${text}) = ${String(field)}, float() gives ${expected}`);
  }
  // The fast path must decide most of them (it is the point): about 70 % of these are in its range.
  assert.ok(decided > 0.6 * cases.length, `parseDecimal decided ${decided} of ${cases.length}`);
});

test("parseDecimal agrees with V8's correctly rounded Number() on a million random decimals", () => {
  // A linear congruential generator: the same strings every run.
  let seed = 15;
  const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const view = new DataView(new ArrayBuffer(8));
  let decided = 0;
  const n = 1_000_000;
  for (let k = 0; k < n; k++) {
    let text: string;
    switch (k % 3) {
      case 0: // the shortest repr of a double of any magnitude in range (what pandas writes)
        text = String((random() * 2 - 1) * 10 ** Math.floor(random() * 24 - 12));
        break;
      case 1: // any bits
        view.setUint32(0, random() * 2 ** 32);
        view.setUint32(4, random() * 2 ** 32);
        text = String(view.getFloat64(0));
        break;
      default: {
        // 1-19 digits with a point and an exponent
        const digits = Array.from({ length: 1 + Math.floor(random() * 19) }, () => Math.floor(random() * 10)).join('');
        const point = Math.floor(random() * (digits.length + 1));
        text = `${random() < 0.5 ? '-' : ''}${digits.slice(0, point)}.${digits.slice(point)}e${Math.floor(random() * 50) - 25}`;
      }
    }
    const v = fast(text);
    if (Number.isNaN(v)) continue;
    decided++;
    if (!Object.is(v, Number(text))) assert.fail(`parseDecimal(${text}) = ${v}, Number() gives ${Number(text)}`);
  }
  assert.ok(decided > 0.5 * n, `decided ${decided} of ${n}`);
});

test('parseDecimal leaves to parseField every field that is not a plain decimal in its range', () => {
  for (const text of ['', ' 1', '1 ', '+', '-', '.', 'e5', '1e', '1e+', '1.2.3', '0x10', '0b11', '1_000', 'nan', 'inf', '-inf', 'NA', '1e400', '1e-30', '1e23', '12345678901234567890', '9007199254740993', '1;5']) {
    assert.ok(Number.isNaN(fast(text)), `${JSON.stringify(text)} is left to parseField`);
  }
  for (const [text, value] of [['-0', -0], ['+.5', 0.5], ['5.', 5], ['.5e1', 5], ['00012', 12], ['1E+05', 1e5], ['1e22', 1e22], ['1e-22', 1e-22], ['9007199254740992', 2 ** 53]] as const) {
    assert.ok(Object.is(fast(text), value), `${text} is ${value}`);
  }
});
