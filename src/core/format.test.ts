import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspect } from 'node:util';
import { decode, decodeNumber, loadFixture, type EncodedTensor } from '../../test/support/fixtures.js';
import { tensor } from '../index.js';
import { formatExponential, formatFixed } from './format.js';

interface NumberFormat {
  value: number | string;
  spec: string;
  formatted: string;
}

interface PrintCase {
  tensor: EncodedTensor;
  printed: string;
}

test('toString prints exactly as PyTorch prints (golden fixtures)', () => {
  const fixture = loadFixture<PrintCase>('printing.json');
  assert.ok(fixture.cases.length > 60);
  fixture.cases.forEach((c, i) => {
    assert.equal(decode(c.tensor).toString(), c.printed, `case ${i} shape [${c.tensor.shape}] ${c.tensor.dtype}`);
  });
});

test("formatFixed / formatExponential equal Python's format() (golden fixtures)", () => {
  const { numberFormats } = loadFixture<PrintCase>('printing.json') as unknown as { numberFormats: NumberFormat[] };
  assert.ok(numberFormats.length > 400);
  for (const { value, spec, formatted } of numberFormats) {
    const digits = Number(spec.slice(1, -1));
    const v = decodeNumber(value);
    assert.equal(spec.endsWith('f') ? formatFixed(v, digits) : formatExponential(v, digits), formatted, `format(${v}, '${spec}')`);
  }
});

test("ties round to even as in Python, where JavaScript's toFixed rounds them up", () => {
  assert.equal((0.125).toFixed(2), '0.13');
  assert.equal(formatFixed(0.125, 2), '0.12');
  assert.equal(formatFixed(NaN, 4), 'nan');
  assert.equal(formatExponential(-Infinity, 4), '-inf');
});

test('console.log prints the PyTorch form in Node', () => {
  assert.equal(inspect(tensor([1.2319, 1.4423, 2.1719])), 'tensor([1.2319, 1.4423, 2.1719])');
  assert.equal(`${tensor(1.6154)}`, 'tensor(1.6154)');
});
