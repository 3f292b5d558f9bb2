// A CommonJS consumer: `require` of the installed package.
const L = require('losskit');
const compute = require('./compute.cjs');

compute(L).then((numbers) => console.log(JSON.stringify({ resolved: require.resolve('losskit'), ...numbers })));
