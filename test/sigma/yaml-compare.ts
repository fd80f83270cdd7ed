/**
 * Differential check of the fast YAML reader against js-yaml: same documents, same values,
 * same recorded positions for every map key and list item. Shared by the unit test and the
 * corpus script.
 */
import { isDeepStrictEqual } from 'node:util';
import { loadYamlDocuments, YamlPositions } from '../../src/sigma/yaml';
import { readSigmaYamlFast } from '../../src/sigma/yaml-fast';

export type Outcome = 'fast' | 'fallback' | 'error';

/** Where the two readers differ, or undefined when they agree. Also says which path the text takes. */
export function compareYaml(text: string): { outcome: Outcome; diff?: string } {
  const fastPositions = new YamlPositions();
  let fast;
  try {
    fast = readSigmaYamlFast(text, (c, packed, index) => fastPositions.record(c, packed, index));
  } catch (e) {
    return { outcome: 'error', diff: `fast reader threw ${(e as Error).message}` };
  }
  let ref;
  try {
    ref = loadYamlDocuments(text, undefined, true);
  } catch (e) {
    if (fast === undefined) return { outcome: 'error' };
    return { outcome: 'fast', diff: `js-yaml refuses the text (${(e as Error).message.split('\n')[0]}) but the fast reader read it` };
  }
  if (fast === undefined) return { outcome: 'fallback' };
  const fastDocs = fast.filter((d) => d.value !== null && d.value !== undefined);
  if (fastDocs.length !== ref.length) return { outcome: 'fast', diff: `${fastDocs.length} documents, js-yaml ${ref.length}` };
  for (let d = 0; d < ref.length; d++) {
    const a = fastDocs[d];
    const b = ref[d];
    if (!isDeepStrictEqual(a.value, b.value)) return { outcome: 'fast', diff: `document ${d}: values differ:\n${JSON.stringify(a.value)}\n${JSON.stringify(b.value)}` };
    if (!isDeepStrictEqual(a.position, b.position) || a.index !== b.index) return { outcome: 'fast', diff: `document ${d}: position/index ${JSON.stringify([a.position, a.index])} vs ${JSON.stringify([b.position, b.index])}` };
    const walk = (x: unknown, y: unknown, path: string): string | undefined => {
      if (x === null || typeof x !== 'object') return undefined;
      const own = fastPositions.of(x);
      if (!own) return `${path}: no positions recorded`;
      const refPos = b.positions;
      if (!isDeepStrictEqual(own, refPos.of(y))) return `${path}: own position ${JSON.stringify(own)} vs ${JSON.stringify(refPos.of(y))}`;
      const keys: Array<string | number> = Array.isArray(x) ? x.map((_, i) => i) : Object.keys(x);
      for (const k of keys) {
        const p = fastPositions.child(x, k);
        const q = refPos.child(y, k);
        if (!isDeepStrictEqual(p, q)) return `${path}.${k}: position ${JSON.stringify(p)} vs ${JSON.stringify(q)}`;
        const sub = walk((x as Record<string, unknown>)[k as string], (y as Record<string, unknown>)[k as string], `${path}.${k}`);
        if (sub) return sub;
      }
      return undefined;
    };
    const bad = walk(a.value, b.value, `doc${d}`);
    if (bad) return { outcome: 'fast', diff: bad };
  }
  return { outcome: 'fast' };
}
