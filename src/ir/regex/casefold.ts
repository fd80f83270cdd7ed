import { LUCENE_FOLD_DATA } from './casefold-data';

/**
 * Lucene 10's case-insensitive character expansion (RegExp CASE_INSENSITIVE, which
 * Elasticsearch's `regexp` query with `case_insensitive: true` uses). Not an equivalence
 * relation: a pattern character c matches exactly `luceneFold(c)`; e.g. `ǅ` matches Ǆ ǅ ǆ
 * while `K` matches K k and the Kelvin sign.
 */
let table: Map<number, number[]> | null = null;
let sortedKeys: number[] = [];

function load(): Map<number, number[]> {
  if (table) return table;
  table = new Map();
  for (const entry of LUCENE_FOLD_DATA.split(';')) {
    const [k, v] = entry.split(':');
    table.set(parseInt(k, 16), v.split(',').map((h) => parseInt(h, 16)));
  }
  sortedKeys = [...table.keys()].sort((a, b) => a - b);
  return table;
}

/** The other code points a case-insensitive Lucene RegExp character `cp` also matches. */
export function luceneFoldAlternatives(cp: number): readonly number[] {
  return load().get(cp) ?? [];
}

/** Code points in [lo, hi] that have case alternatives, ascending. */
export function foldableInRange(lo: number, hi: number): number[] {
  load();
  const out: number[] = [];
  let a = 0;
  let b = sortedKeys.length;
  while (a < b) {
    const m = (a + b) >> 1;
    if (sortedKeys[m] < lo) a = m + 1;
    else b = m;
  }
  for (let i = a; i < sortedKeys.length && sortedKeys[i] <= hi; i++) out.push(sortedKeys[i]);
  return out;
}

/**
 * What Elasticsearch's term/prefix/wildcard queries do with `case_insensitive: true`
 * (AutomatonQueries.toCaseInsensitiveChar): only code points <= 128 get their other case, which
 * in practice means ASCII letters; ß, İ, Kelvin sign, full-width letters match only themselves.
 */
export function asciiFoldAlternative(cp: number): number {
  if (cp >= 0x41 && cp <= 0x5a) return cp + 0x20;
  if (cp >= 0x61 && cp <= 0x7a) return cp - 0x20;
  return cp;
}
