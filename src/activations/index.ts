// Every activation, one module each: src/index.ts exports them and the catalogue (src/core/catalog.ts)
// collects their definitions from here, so an activation is listed once.
export * from './softmax.js';
export * from './log-sum-exp.js';
export * from './sigmoid.js';
export type { ActivationGradOptions, ActivationWithGrad } from './with-grad.js';
