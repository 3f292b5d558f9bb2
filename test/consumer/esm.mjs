// An ES-module consumer: `import` from the installed package.
import * as L from 'losskit';
import compute from './compute.cjs';

console.log(JSON.stringify({ resolved: import.meta.resolve('losskit'), ...(await compute(L)) }));
