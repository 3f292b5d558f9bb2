import assert from 'node:assert/strict';
import { test } from 'node:test';
import { broadcastMap, forEachLane, normalizeDim } from './shape.js';

test('broadcastMap: numpy broadcasting as an index map', () => {
  assert.equal(broadcastMap('f', 'w', [2, 3], [2, 3]), null);
  assert.deepEqual(Array.from(broadcastMap('f', 'w', [3], [2, 3])!), [0, 1, 2, 0, 1, 2]);
  assert.deepEqual(Array.from(broadcastMap('f', 'w', [2, 1], [2, 3])!), [0, 0, 0, 1, 1, 1]);
  assert.deepEqual(Array.from(broadcastMap('f', 'w', [], [2, 2])!), [0, 0, 0, 0]);
  assert.deepEqual(Array.from(broadcastMap('f', 'w', [2, 1, 2], [2, 3, 2])!), [0, 1, 0, 1, 0, 1, 2, 3, 2, 3, 2, 3]);
  assert.throws(() => broadcastMap('f', 'w', [4], [2, 3]), /^Error: f: w shape \[4\] cannot be broadcast to shape \[2, 3\]$/);
});

test('forEachLane visits every lane once with its reduced index', () => {
  const seen: number[][] = [];
  forEachLane([2, 3, 2], 1, (offset, stride, length, lane) => seen.push([offset, stride, length, lane]));
  assert.deepEqual(seen, [[0, 2, 3, 0], [1, 2, 3, 1], [6, 2, 3, 2], [7, 2, 3, 3]]);
});

test('normalizeDim', () => {
  assert.equal(normalizeDim('f', -1, 3), 2);
  assert.equal(normalizeDim('f', 0, 0), 0);
  assert.throws(() => normalizeDim('f', 3, 3), /f: dim 3 is out of range for a tensor of 3 dimensions \(expected -3 to 2\)/);
});
