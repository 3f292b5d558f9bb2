// Option checking shared by every public function: a typo such as `reducton` must fail loudly.

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** The valid name closest to `name`, if it is close enough to be a likely typo. */
export function closest(name: string, valid: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of valid) {
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/** Throws when `options` is not a plain object or holds a key outside `valid`. */
export function checkOptions(fn: string, options: unknown, valid: readonly string[]): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new Error(`${fn}: options must be an object such as { reduction: 'sum' }, got ${Array.isArray(options) ? 'an array' : String(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!valid.includes(key)) {
      const guess = closest(key, valid);
      throw new Error(
        `${fn}: unknown option '${key}'${guess ? ` (did you mean '${guess}'?)` : ''}; valid options: ${valid.join(', ')}`,
      );
    }
  }
}

/** A finite number option, with its default. */
export function numberOption(fn: string, name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new Error(`${fn}: ${name} must be a number, got ${String(value)}`);
  }
  return value;
}

/** A boolean option, with its default. */
export function booleanOption(fn: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new Error(`${fn}: ${name} must be true or false, got ${String(value)}`);
  return value;
}

/** An integer-valued option (class indices, dimensions). */
export function integerOption(fn: string, name: string, value: unknown, fallback: number): number {
  const n = numberOption(fn, name, value, fallback);
  if (!Number.isInteger(n)) throw new Error(`${fn}: ${name} must be an integer, got ${n}`);
  return n;
}
