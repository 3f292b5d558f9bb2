// The p-norm distance of rows (PyTorch's pairwise_distance), shared by the triplet margin losses.

/** p-norm of the row difference `x − y + eps`; writes ∂norm/∂x into `grad` when given. */
export function rowDistance(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  base: number,
  D: number,
  p: number,
  eps: number,
  grad: Float64Array | null,
): number {
  let acc = 0;
  // The loop specialised on p by hand (V8 does not unswitch loops): p = 2 is one multiply-add.
  if (p === 2) {
    for (let d = base; d < base + D; d++) {
      const v = x[d] - y[d] + eps;
      acc += v * v;
    }
  } else {
    for (let d = base; d < base + D; d++) {
      const v = Math.abs(x[d] - y[d] + eps);
      acc += p === 1 ? v : v ** p;
    }
  }
  const norm = p === 2 ? Math.sqrt(acc) : p === 1 ? acc : acc ** (1 / p);
  if (grad) {
    // ∂‖v‖_p/∂v_k = sign(v_k) |v_k|^(p−1) / ‖v‖^(p−1), and 0 at a zero norm (PyTorch's norm_backward):
    // v_k · scale for p = 2, sign(v_k) for p = 1.
    const scale = p === 1 ? 1 : norm === 0 ? 0 : 1 / norm ** (p - 1);
    if (p === 2) {
      for (let d = 0; d < D; d++) grad[d] = (x[base + d] - y[base + d] + eps) * scale;
    } else {
      for (let d = 0; d < D; d++) {
        const v = x[base + d] - y[base + d] + eps;
        const magnitude = p === 1 ? 1 : Math.abs(v) ** (p - 1);
        grad[d] = v === 0 ? 0 : Math.sign(v) * magnitude * scale;
      }
    }
  }
  return norm;
}
