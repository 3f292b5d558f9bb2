// The training examples: each shows in numbers why a loss exists. Run one with
// `npm run example -- <name>` or `losskit train <name>`.
export const EXAMPLES = {
  outliers: { module: './outliers.js', summary: 'fit a line with 10% gross outliers: MSE is dragged, L1 jitters, smooth L1 / Huber get both' },
  iris: { module: './iris.js', summary: 'softmax regression on Iris with crossEntropy: label smoothing keeps accuracy, lowers overconfidence' },
  imbalanced: { module: './imbalanced.js', summary: '1:50 imbalanced logistic regression: posWeight and focal loss raise recall over plain BCE' },
  boxes: { module: './boxes.js', summary: 'box regression with mislabelled boxes: smooth L1 keeps a higher mean IoU than MSE' },
};

export async function runExample(name, options = {}) {
  const example = EXAMPLES[name];
  if (!example) throw new Error(`unknown example '${name}' (examples: ${Object.keys(EXAMPLES).join(', ')})`);
  const module = await import(example.module);
  return module.run(options);
}
