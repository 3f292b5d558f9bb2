// A CommonJS consumer: `require` of the installed package.
const L = require('losskit');
const compute = require('./compute.cjs');

console.log(JSON.stringify({ resolved: require.resolve('losskit'), ...compute(L) }));
