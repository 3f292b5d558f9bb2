// Jest in its default CommonJS mode (which cannot load ES modules): require('losskit') must give
// the CommonJS build and the same numbers as the repository's build on this Node (expected.json,
// written by run.mjs).
const L = require('losskit');
const compute = require('./compute.cjs');
const expected = require(`./expected-${process.version}.json`);

test('require(losskit) under Jest: the CommonJS build, the same numbers', async () => {
  expect(require.resolve('losskit')).toMatch(/node_modules\/losskit\/dist\/cjs\/index\.js$/);
  expect(await compute(L)).toEqual(expected);
});
