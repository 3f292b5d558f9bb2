// The page's state: named values, each with a default, read from and written to the URL's query
// string (so a view can be shared). Parts of the page watch the keys they depend on; a change runs
// only those watchers, so moving beta redraws the smooth L1 curves and nothing else.

export type Value = number | string | boolean | number[] | number[][];

export class Store {
  private readonly values = new Map<string, Value>();
  private readonly defaults = new Map<string, Value>();
  private readonly watchers = new Map<string, (() => void)[]>();
  /** Keys whose URL value could not be read (not a number, wrong length): the message. */
  readonly problems = new Map<string, string>();
  private readonly query: URLSearchParams;
  private writeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(search: string) {
    this.query = new URLSearchParams(search);
  }

  /** Declares a key with its default; its value comes from the URL when the URL has a readable one. */
  define<T extends Value>(key: string, fallback: T, choices?: readonly string[]): T {
    if (this.defaults.has(key)) return this.values.get(key) as T;
    this.defaults.set(key, fallback);
    const raw = this.query.get(key);
    let value: Value = fallback;
    if (raw !== null) {
      const parsed = parse(raw, fallback);
      if (choices && !choices.includes(String(parsed))) this.problems.set(key, `the URL's ${key}=${raw} is not one of ${choices.join(', ')}; showing the default ${encode(fallback)}`);
      else if (parsed === undefined) this.problems.set(key, `the URL's ${key}=${raw} is not ${describe(fallback)}; showing the default ${encode(fallback)}`);
      else value = parsed;
    }
    this.values.set(key, value);
    return value as T;
  }

  get<T extends Value>(key: string): T {
    if (!this.values.has(key)) throw new Error(`playground: state key '${key}' is not defined`);
    return this.values.get(key) as T;
  }

  /** Sets values; runs each watcher of a changed key once, in the order they were registered. */
  set(patch: Record<string, Value>): void {
    const due = new Set<() => void>();
    for (const [key, value] of Object.entries(patch)) {
      if (!this.defaults.has(key)) throw new Error(`playground: state key '${key}' is not defined`);
      if (encode(this.values.get(key)!) === encode(value)) continue;
      this.values.set(key, value);
      this.problems.delete(key);
      for (const w of this.watchers.get(key) ?? []) due.add(w);
    }
    for (const w of due) w();
    if (due.size) this.scheduleUrl();
  }

  /** Back to the defaults (of the given keys, or all). */
  reset(keys: readonly string[] = [...this.defaults.keys()]): void {
    this.set(Object.fromEntries(keys.map((k) => [k, this.defaults.get(k)!])));
    for (const k of keys) this.problems.delete(k);
  }

  /** Runs fn now and whenever one of keys changes. */
  watch(keys: readonly string[], fn: () => void): void {
    for (const k of keys) {
      if (!this.defaults.has(k)) throw new Error(`playground: state key '${k}' is not defined`);
      this.watchers.set(k, [...(this.watchers.get(k) ?? []), fn]);
    }
    fn();
  }

  /** The query string of the state: only what differs from the defaults. */
  search(): string {
    const q = new URLSearchParams();
    for (const [k, v] of this.values) if (encode(v) !== encode(this.defaults.get(k)!)) q.set(k, encode(v));
    const s = q.toString();
    return s ? `?${s}` : '';
  }

  // replaceState is rate-limited by browsers (a drag fires 60 changes a second): write once it rests.
  private scheduleUrl(): void {
    clearTimeout(this.writeTimer);
    this.writeTimer = setTimeout(() => history.replaceState(null, '', `${location.pathname}${this.search()}`), 150);
  }
}

function encode(v: Value): string {
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (Array.isArray(v)) return v.map((r) => (Array.isArray(r) ? r.join(',') : String(r))).join(Array.isArray(v[0]) ? ';' : ',');
  return String(v);
}

function describe(v: Value): string {
  if (typeof v === 'number') return 'a number';
  if (typeof v === 'boolean') return '0 or 1';
  if (Array.isArray(v) && Array.isArray(v[0])) return `${v.length} rows of ${(v[0] as number[]).length} numbers`;
  if (Array.isArray(v)) return `${v.length} numbers`;
  return 'a valid choice';
}

/** A URL value read like the default's type (same lengths for lists); undefined when unreadable. */
function parse(raw: string, like: Value): Value | undefined {
  const num = (s: string) => (s.trim() !== '' && Number.isFinite(Number(s)) ? Number(s) : undefined);
  if (typeof like === 'number') return num(raw);
  if (typeof like === 'boolean') return raw === '1' ? true : raw === '0' ? false : undefined;
  if (typeof like === 'string') return raw;
  if (Array.isArray(like[0])) {
    const rows = raw.split(';').map((r) => r.split(',').map(num));
    const shape = like as number[][];
    return rows.length === shape.length && rows.every((r, i) => r.length === shape[i].length && r.every((v) => v !== undefined)) ? (rows as number[][]) : undefined;
  }
  const xs = raw.split(',').map(num);
  return xs.length === like.length && xs.every((v) => v !== undefined) ? (xs as number[]) : undefined;
}
