/**
 * YAML loading that keeps positions. Error messages must name the line and column of the
 * offending detection item. Rules in plain block style go through the fast reader
 * (yaml-fast.ts), which records positions as it reads; everything else goes through js-yaml
 * (three times faster than the alternatives on the SigmaHQ corpus), whose `listener` hook
 * reports node boundaries, from which we record where every map key and sequence item stands.
 */
import * as jsyaml from 'js-yaml';
import { SigmaEsError } from '../errors';
import { PACKED_SCAN_MAX, packedIndex, packedIndexOf, readSigmaYamlFast, type PackedPositions } from './yaml-fast';

export interface Position {
  line: number; // 1-based
  column: number; // 1-based
}

/**
 * Where each map key and list item of one YAML text stands. Kept per text (one Map, dropped
 * with the parsed documents): WeakMaps over every container of a corpus cost more in GC.
 */
export class YamlPositions {
  private readonly packed = new Map<object, PackedPositions>();

  record(container: object, positions: PackedPositions, index?: Map<string | number, number>): void {
    this.packed.set(container, positions);
    if (index) (this.indexes ??= new Map()).set(positions, index);
  }

  /** Where `container` opens. */
  of(container: unknown): Position | undefined {
    if (container === null || typeof container !== 'object') return undefined;
    const p = this.packed.get(container);
    return p && { line: p[0] as number, column: p[1] as number };
  }

  /** Where the key `key` of a map, or the item `key` of a list, stands. */
  child(container: unknown, key: string | number): Position | undefined {
    if (container === null || typeof container !== 'object') return undefined;
    const p = this.packed.get(container);
    if (!p) return undefined;
    // list items are recorded in order, so item i is the i-th entry
    let i = typeof key === 'number' ? 2 + 3 * key : -1;
    if (!(i >= 2 && i < p.length && p[i] === key)) i = this.indexOf(p, key);
    return i < 0 ? undefined : { line: p[i + 1] as number, column: p[i + 2] as number };
  }

  /** Key indexes of maps past PACKED_SCAN_MAX keys: the fast reader's own, or built on the first lookup. */
  private indexes?: Map<PackedPositions, Map<string | number, number>>;

  private indexOf(p: PackedPositions, key: string | number): number {
    if (p.length <= 2 + 3 * PACKED_SCAN_MAX) return packedIndexOf(p, key);
    this.indexes ??= new Map();
    let index = this.indexes.get(p);
    if (!index) this.indexes.set(p, (index = packedIndex(p)));
    return index.get(key) ?? -1;
  }
}

export interface YamlDocument {
  value: unknown;
  position: Position;
  index: number;
  /** Shared by all documents of the text. */
  positions: YamlPositions;
}

interface Frame {
  pos: Position;
  children: Array<{ result: unknown; pos: Position }>;
}

interface ListenerState {
  position: number;
  line: number;
  lineStart: number;
  result: unknown;
  kind: string | null;
}

/** Attach the positions of a finished container's children to it. */
function recordChildren(into: YamlPositions, result: unknown, frame: Frame): void {
  if (result === null || typeof result !== 'object') return;
  const positions: PackedPositions = [frame.pos.line, frame.pos.column];
  const kids = frame.children;
  if (Array.isArray(result)) {
    kids.forEach((k, i) => positions.push(i, k.pos.line, k.pos.column));
  } else {
    const obj = result as Record<string, unknown>;
    const seen = new Set<string>();
    for (let i = 0; i < kids.length; i++) {
      const k = kids[i];
      const key = typeof k.result === 'string' || typeof k.result === 'number' ? String(k.result) : undefined;
      if (key === undefined || !(key in obj) || seen.has(key)) continue;
      seen.add(key);
      positions.push(key, k.pos.line, k.pos.column);
      // An empty value (`key:`) produces no node of its own; only skip a value node that is there.
      const next = kids[i + 1];
      if (next && !(obj[key] === null && next.result !== null)) i++;
    }
  }
  into.record(result, positions);
}

/**
 * Every non-empty document of `text`, with the positions of its maps and lists.
 * `viaJsYaml` forces the js-yaml path (the reference the fast reader is tested against).
 */
export function loadYamlDocuments(text: string, file?: string, viaJsYaml = false): YamlDocument[] {
  const positions = new YamlPositions();
  if (!viaJsYaml) {
    const fast = readSigmaYamlFast(text, (c, packed, index) => positions.record(c, packed, index));
    if (fast) return fast.filter((d) => d.value !== null && d.value !== undefined).map((d) => ({ ...d, positions }));
  }
  const out: YamlDocument[] = [];
  let stack: Frame[] = [];
  let top: Array<{ result: unknown; pos: Position }> = [];
  const listener = function (this: unknown, event: 'open' | 'close', state: ListenerState): void {
    if (event === 'open') {
      stack.push({ pos: { line: state.line + 1, column: state.position - state.lineStart + 1 }, children: [] });
      return;
    }
    const frame = stack.pop();
    if (!frame) return;
    recordChildren(positions, state.result, frame);
    const parent = stack[stack.length - 1];
    (parent ? parent.children : top).push({ result: state.result, pos: frame.pos });
  };
  try {
    const docs: unknown[] = [];
    jsyaml.loadAll(
      text,
      (d) => {
        docs.push(d);
      },
      { schema: jsyaml.CORE_SCHEMA, filename: file, listener },
    );
    // Document positions: the outermost node closed for each document, in order.
    let ti = 0;
    docs.forEach((value, index) => {
      while (ti < top.length && top[ti].result !== value) ti++;
      const position = ti < top.length ? top[ti].pos : { line: 1, column: 1 };
      ti++;
      // A trailing `---` yields an empty document; it is not a rule.
      if (value === null || value === undefined) return;
      out.push({ value, position, index, positions });
    });
  } catch (e) {
    if (e instanceof jsyaml.YAMLException) {
      const mark = (e as jsyaml.YAMLException & { mark?: { line: number; column: number } }).mark;
      throw new SigmaEsError('YAML_SYNTAX', `invalid YAML: ${e.reason}`, {
        file,
        line: mark ? mark.line + 1 : undefined,
        column: mark ? mark.column + 1 : undefined,
      });
    }
    throw e;
  } finally {
    stack = [];
    top = [];
  }
  return out;
}
