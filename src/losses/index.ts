// Every loss, one module each: src/index.ts exports them and the catalogue (src/core/catalog.ts)
// collects their definitions from here, so adding a loss is one line here.
export * from './cross-entropy.js';
export * from './nll.js';
export * from './binary-cross-entropy.js';
export * from './binary-cross-entropy-with-logits.js';
export * from './l1.js';
export * from './mse.js';
export * from './smooth-l1.js';
export * from './huber.js';
export * from './kl-div.js';
export * from './poisson-nll.js';
export * from './gaussian-nll.js';
export * from './margin-ranking.js';
export * from './hinge-embedding.js';
export * from './soft-margin.js';
export * from './multilabel-soft-margin.js';
export * from './multi-margin.js';
export * from './multilabel-margin.js';
export * from './cosine-embedding.js';
export * from './triplet-margin.js';
export * from './sigmoid-focal.js';
export * from './log-loss.js';
export * from './ctc.js';
// Issue 16: PyTorch's and torchvision's (branch losses-torch)
export * from './linear-cross-entropy.js';
export * from './triplet-margin-with-distance.js';
export * from './generalized-box-iou.js';
export * from './distance-box-iou.js';
export * from './complete-box-iou.js';
// Issue 16: Keras's and optax's (branch losses-keras)
export * from './dice.js';
export * from './tversky.js';
export * from './log-cosh.js';
export * from './squared-hinge.js';
export * from './categorical-hinge.js';
export * from './cosine-similarity.js';
export * from './categorical-focal-cross-entropy.js';
export * from './sparsemax.js';
export * from './poly-loss-cross-entropy.js';
export * from './ntxent.js';
