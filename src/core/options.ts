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

/**
 * The valid name closest to `name` (case-insensitive edit distance), if it is close enough to be a
 * likely typo: at most 2 edits, or a third of the name's length. Public as `closestName`: the
 * command line suggests losses and flags with it.
 */
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

/** How a value reads in an error message: `the string 'a'`, `a Map`, `an Int32Array`, `null`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'undefined':
      return 'undefined';
    case 'string':
      return `the string '${value}'`;
    case 'number':
      return `the number ${value}`;
    case 'bigint':
      return `the bigint ${value}n`;
    case 'boolean':
      return String(value);
    case 'symbol':
      return 'a symbol';
    case 'function':
      return 'a function';
    case 'object': {
      const name = constructorName(value);
      if (name === 'Object' || (name === undefined && Object.getPrototypeOf(value) === null)) return 'an object';
      if (name !== undefined) return `${/^[AEIO]/.test(name) ? 'an' : 'a'} ${name}`;
      return 'an object inheriting from another object';
    }
    default:
      return `a value of type ${typeof value}`;
  }
}

/** The name of an object's class (own `constructor` of its prototype), if it has one. */
function constructorName(value: object): string | undefined {
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === null || typeof proto !== 'object') return undefined;
  const ctor = Object.getOwnPropertyDescriptor(proto, 'constructor')?.value as unknown;
  return typeof ctor === 'function' && ctor.name !== '' ? ctor.name : undefined;
}

/**
 * A plain object: `{ ... }` or `Object.create(null)`, from any realm. A Map, a Date, an array, a
 * class instance or an object inheriting from another object is not: its options would live in
 * internal slots or up the prototype chain, where reading them silently picks up the wrong thing.
 */
function isPlainObject(value: object): boolean {
  if (Object.prototype.toString.call(value) !== '[object Object]') return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/**
 * Reads the options argument of `fn` once: its own enumerable properties, copied into a
 * null-prototype object (so nothing on `Object.prototype` can leak in), each checked against
 * `valid`. Throws for anything but a plain object or `undefined`, and for unknown names.
 */
export function readOptions(fn: string, options: unknown, valid: readonly string[]): Record<string, unknown> {
  const copy: Record<string, unknown> = Object.create(null);
  if (options === undefined) return copy;
  if (options === null || typeof options !== 'object' || !isPlainObject(options)) {
    const example = valid.length > 0 ? `{ ${valid[0]}: ... }` : '{}';
    throw new Error(`${fn}: options must be an object such as ${example} (a plain object, read by its own properties), got ${describeValue(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!valid.includes(key)) {
      const guess = closest(key, valid);
      throw new Error(
        `${fn}: unknown option '${key}'${guess ? ` (did you mean '${guess}'?)` : ''}; valid options: ${valid.length > 0 ? valid.join(', ') : 'none'}`,
      );
    }
    copy[key] = (options as Record<string, unknown>)[key];
  }
  return copy;
}

/**
 * Throws when `fn` got more arguments than its `params` (trailing `undefined`s do not count):
 * `[1, 2].map(sigmoid)` passes an index and the array, which must not be silently ignored.
 */
export function checkArity(fn: string, args: ArrayLike<unknown>, params: readonly string[]): void {
  let count = args.length;
  while (count > 0 && args[count - 1] === undefined) count--;
  if (count > params.length) {
    throw new Error(`${fn}: expected at most ${params.length} argument${params.length === 1 ? '' : 's'} (${params.join(', ')}), got ${count}`);
  }
}

/** A finite number option, with its default. */
export function numberOption(fn: string, name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new Error(`${fn}: ${name} must be a number, got ${shown(value)}`);
  }
  return value;
}

/** A boolean option, with its default. */
export function booleanOption(fn: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new Error(`${fn}: ${name} must be true or false, got ${shown(value)}`);
  return value;
}

/** An integer-valued option (class indices, dimensions). */
export function integerOption(fn: string, name: string, value: unknown, fallback: number): number {
  const n = numberOption(fn, name, value, fallback);
  if (!Number.isInteger(n)) throw new Error(`${fn}: ${name} must be an integer, got ${n}`);
  return n;
}

/** An option's value in an error: a BigInt keeps its `n` (String(0n) is '0'). */
function shown(value: unknown): string {
  return typeof value === 'bigint' ? `${value}n` : String(value);
}
