/**
 * A fast reader for the block-style YAML that Sigma rules are written in, with positions.
 *
 * js-yaml with a position listener costs ~0.65 s of CPU on the SigmaHQ corpus, the largest
 * share of loading it. Rules use a narrow part of YAML (block maps and lists, plain and quoted
 * scalars, `|` blocks, comments), so this reader handles exactly that part, line by line, and
 * returns `undefined` for anything else — anchors, tags, flow collections, multi-line quoted
 * scalars, `>` blocks, several documents, tabs, odd indentation, duplicate keys, anything
 * js-yaml would reject — so that the caller falls back to js-yaml, which stays the definition.
 * Scalars are resolved by js-yaml's own CORE schema types, and the result (values and
 * positions) is checked equal to the js-yaml path over the corpus and random documents
 * (test/sigma/yaml-fast.test.ts).
 */
import * as jsyaml from 'js-yaml';

export interface FastPosition {
  line: number; // 1-based
  column: number; // 1-based
}

/**
 * Where a container opens and where each of its children stands, flat: `[line, column, key,
 * line, column, key, line, column, …]` (1-based), children in document order, list items by
 * index. One array a container instead of a Map and an object a child: most positions are never
 * asked for (they serve error messages).
 */
export type PackedPositions = Array<string | number>;

/** Receives, for every map and list, its packed positions, and for a map past PACKED_SCAN_MAX keys the index of them the reader built. */
export type RecordPositions = (container: object, positions: PackedPositions, index?: Map<string | number, number>) => void;

interface ImplicitType {
  resolve(s: string): boolean;
  construct(s: string): unknown;
}
const IMPLICIT = (jsyaml.CORE_SCHEMA as unknown as { compiledImplicit: ImplicitType[] }).compiledImplicit;

/** Bail-out signal: the text uses YAML this reader leaves to js-yaml. */
class Unsupported {}
const UNSUPPORTED = new Unsupported();
function bail(): never {
  throw UNSUPPORTED;
}

// Only these first characters can start a null, boolean, integer or float in the CORE schema.
const MAYBE_TYPED = new Set('-+0123456789._~nNtTfF');

/** A plain scalar as js-yaml's CORE schema reads it (null, bool, int, float or string). */
function resolvePlain(s: string): unknown {
  if (s.length > 0 && !MAYBE_TYPED.has(s[0])) return s;
  for (const t of IMPLICIT) if (t.resolve(s)) return t.construct(s);
  return s;
}

// Characters that cannot start a plain scalar (js-yaml readPlainScalar); `-`, `?`, `:` only when a space follows.
const NOT_PLAIN_START = new Set('#&*!|>\'"%@`,[]{}');
const DQ_ESCAPES: Record<string, string> = {
  '0': '\x00', a: '\x07', b: '\x08', t: '\t', '\t': '\t', n: '\n', v: '\x0B', f: '\x0C', r: '\r', e: '\x1B',
  ' ': ' ', '"': '"', '/': '/', '\\': '\\', N: '\x85', _: '\xA0', L: '\u2028', P: '\u2029',
};
const HEX_LEN: Record<string, number> = { x: 2, u: 4, U: 8 };
// One scan for everything left to js-yaml by character: control characters (tabs and CR
// included), C1 controls and NEL, LS/PS, BOM, non-characters, and lone surrogates (js-yaml
// refuses those; a well-formed pair — an emoji — is an ordinary character to both readers,
// which count columns in UTF-16 units alike: SigmaHQ's emoji rules are its largest files).
const AWKWARD = /[\x00-\x09\x0B-\x1F\x7F-\x9F\u2028\u2029\uFEFF\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const MAX_DEPTH = 50;

interface Key {
  key: string;
  /** Index just after the `:`. */
  end: number;
}

// Per-line arrays shared by every Reader: it is synchronous and never re-entered, and reads only
// below the current text's line count. Allocating two typed arrays per file cost a quarter of
// the constructor's time over a corpus.
let sharedIndents = new Int32Array(1024);
let sharedBlanks = new Uint8Array(1024);

class Reader {
  private readonly lines: string[];
  /** Leading spaces of each line. */
  private readonly indents: Int32Array;
  /** Per line: 0 content, 1 spaces only, 2 a comment. */
  private readonly blanks: Uint8Array;
  private i = 0;
  private depth = 0;

  constructor(
    text: string,
    private readonly record: RecordPositions,
  ) {
    this.lines = text.split('\n');
    // js-yaml reads a final line break as the end of the last line, not as an empty line after it
    if (text.endsWith('\n')) this.lines.pop();
    const n = this.lines.length;
    if (sharedIndents.length < n) {
      sharedIndents = new Int32Array(2 * n);
      sharedBlanks = new Uint8Array(2 * n);
    }
    this.indents = sharedIndents;
    this.blanks = sharedBlanks;
    for (let i = 0; i < n; i++) {
      const l = this.lines[i];
      const ind = indentOf(l);
      this.indents[i] = ind;
      this.blanks[i] = ind === l.length ? 1 : l.charCodeAt(ind) === 35 /* # */ ? 2 : 0;
      // `---` and `...` start and end documents; several documents are left to js-yaml
      if (ind === 0 && (l.startsWith('---') || l.startsWith('...')) && isSpaceOrEnd(l, 3)) bail();
    }
  }

  document(): { value: unknown; position: FastPosition } | undefined {
    this.skipBlank();
    if (this.i >= this.lines.length) return undefined;
    const line = this.lines[this.i];
    if (this.indents[this.i] !== 0) bail();
    const position = { line: this.i + 1, column: 1 };
    let value: unknown;
    if (isSeqItem(line, 0)) value = this.sequence(0, position);
    else if (this.key(line, 0)) value = this.mapping(0, 0, position);
    else bail(); // a scalar document is not a rule; js-yaml says what it is
    this.skipBlank();
    if (this.i < this.lines.length) bail();
    return { value, position };
  }

  private skipBlank(): void {
    while (this.i < this.lines.length && this.blanks[this.i] !== 0) this.i++;
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) bail();
  }

  /** A block map whose keys stand at column `indent`; the first key is on the current line at `firstCol`. */
  private mapping(indent: number, firstCol: number, own: FastPosition): Record<string, unknown> {
    this.enter();
    const out: Record<string, unknown> = {};
    const positions: PackedPositions = [own.line, own.column];
    let anyOther = false;
    // where each key stands, once there are too many to scan for duplicates (handed on with the positions)
    let index: Map<string | number, number> | undefined;
    let col = firstCol;
    for (let first = true; ; first = false) {
      if (!first) {
        this.skipBlank();
        if (this.i >= this.lines.length) break;
        const ind = this.indents[this.i];
        if (ind < indent) break;
        if (ind > indent) bail();
        col = ind;
      }
      const lineNo = this.i;
      const line = this.lines[lineNo];
      const k = this.key(line, col);
      if (!k) bail();
      if (k.key === '<<' || k.key === '__proto__') bail();
      if (index ? index.has(k.key) : packedIndexOf(positions, k.key) >= 0) bail();
      // null and boolean keys are not in `positions`; once one is, ask the object too
      if (anyOther && Object.prototype.hasOwnProperty.call(out, k.key)) bail();
      if (k.resolved === 'other') anyOther = true;
      const valueCol = skipSpaces(line, k.end);
      let value: unknown;
      if (valueCol >= line.length || line[valueCol] === '#') {
        value = this.blockValue(indent, { line: lineNo + 1, column: k.end + 1 }, true);
      } else value = this.inlineValue(line, valueCol, indent);
      out[k.key] = value;
      if (k.resolved !== 'other') {
        positions.push(k.key, lineNo + 1, col + 1);
        if (index) index.set(k.key, positions.length - 3);
        else if (positions.length > 2 + 3 * PACKED_SCAN_MAX) index = packedIndex(positions);
      }
    }
    this.depth--;
    this.record(out, positions, index);
    return out;
  }

  /** A block list whose dashes stand at column `indent`, starting on the current line. */
  private sequence(indent: number, own: FastPosition): unknown[] {
    this.enter();
    const out: unknown[] = [];
    const positions: PackedPositions = [own.line, own.column];
    for (;;) {
      this.skipBlank();
      if (this.i >= this.lines.length) break;
      const line = this.lines[this.i];
      const ind = this.indents[this.i];
      if (ind < indent) break;
      if (ind > indent) bail();
      if (!isSeqItem(line, ind)) break;
      const col = skipSpaces(line, ind + 1);
      const lineNo = this.i;
      if (col >= line.length || line[col] === '#') {
        // `-` alone: the item is the block below it (an empty item is left to js-yaml)
        let j = this.i + 1;
        while (j < this.lines.length && this.blanks[j] !== 0) j++;
        if (j >= this.lines.length || this.indents[j] <= indent) bail();
        const at = { line: j + 1, column: this.indents[j] + 1 };
        positions.push(out.length, at.line, at.column);
        out.push(this.blockValue(indent, at, false));
        continue;
      }
      const at = { line: lineNo + 1, column: col + 1 };
      positions.push(out.length, at.line, at.column);
      if (isSeqItem(line, col)) bail(); // `- - x`
      if (this.key(line, col)) out.push(this.mapping(col, col, at));
      else out.push(this.inlineValue(line, col, indent));
    }
    this.depth--;
    this.record(out, positions);
    return out;
  }

  /**
   * The value of `key:` or `-` with nothing after it on the line: a block below, more indented
   * than `parent` (or, for a map entry, a list at the same indent), else null.
   */
  private blockValue(parent: number, own: FastPosition, sameIndentList: boolean): unknown {
    this.i++;
    this.skipBlank();
    if (this.i >= this.lines.length) return null;
    const line = this.lines[this.i];
    const ind = this.indents[this.i];
    if (ind === parent && sameIndentList && isSeqItem(line, ind)) return this.sequence(ind, own);
    if (ind <= parent) return null;
    if (isSeqItem(line, ind)) return this.sequence(ind, own);
    if (this.key(line, ind)) return this.mapping(ind, ind, own);
    const c = line[ind];
    if (c === '|' || c === '>') bail();
    return this.inlineValue(line, ind, parent);
  }

  /** A scalar starting at `col` of the current line; plain scalars may continue on deeper lines. */
  private inlineValue(line: string, col: number, parent: number): unknown {
    const c = line[col];
    if (c === "'" || c === '"') {
      const q = c === "'" ? singleQuoted(line, col) : doubleQuoted(line, col);
      if (!q) bail();
      const after = skipSpaces(line, q.end);
      if (after < line.length && line[after] !== '#') bail();
      this.i++;
      return q.value;
    }
    if (c === '|') return this.literalBlock(line, col, parent);
    if (NOT_PLAIN_START.has(c)) bail();
    if ((c === '-' || c === '?' || c === ':') && isSpaceOrEnd(line, col + 1)) bail();
    // first line of a plain scalar
    let end = plainEnd(line, col);
    let text = line.slice(col, end);
    this.i++;
    // a comment ends the scalar; otherwise deeper lines continue it, folded with spaces
    // (blank lines become newlines), as js-yaml does
    if (end < trimEnd(line)) return resolvePlain(text);
    let blanks = 0;
    for (let j = this.i; j < this.lines.length; j++) {
      const l = this.lines[j];
      const ind = this.indents[j];
      if (this.blanks[j] === 1) {
        blanks++;
        continue;
      }
      if (ind <= parent) break;
      if (this.blanks[j] === 2) bail();
      end = plainEnd(l, ind);
      if (end < trimEnd(l)) bail(); // `: ` or ` #` on a continuation line
      text += blanks === 0 ? ' ' : '\n'.repeat(blanks);
      text += l.slice(ind, end);
      blanks = 0;
      this.i = j + 1;
    }
    return resolvePlain(text);
  }

  /** A `|` block scalar (clip, `-` strip or `+` keep), replaying js-yaml's readBlockScalar. */
  private literalBlock(line: string, col: number, parent: number): string {
    let p = col + 1;
    let chomp: 'clip' | 'strip' | 'keep' = 'clip';
    if (line[p] === '-' || line[p] === '+') chomp = line[p++] === '-' ? 'strip' : 'keep';
    const h = skipSpaces(line, p);
    if (h < line.length && !(line[h] === '#' && h > p)) bail(); // indentation indicators and the rest
    let textIndent = parent + 1;
    let detected = false;
    let emptyLines = 0;
    let didRead = false;
    let out = '';
    let j = this.i + 1;
    for (; j < this.lines.length; j++) {
      const l = this.lines[j];
      let sp = 0;
      while (l.charCodeAt(sp) === 32 && (!detected || sp < textIndent)) sp++;
      if (!detected && sp > textIndent) textIndent = sp;
      if (sp === l.length) {
        emptyLines++;
        continue;
      }
      if (sp < textIndent) break;
      out += '\n'.repeat(didRead ? 1 + emptyLines : emptyLines);
      didRead = true;
      detected = true;
      emptyLines = 0;
      out += l.slice(sp);
    }
    if (chomp === 'keep') out += '\n'.repeat(didRead ? 1 + emptyLines : emptyLines);
    else if (chomp === 'clip' && didRead) out += '\n';
    this.i = j;
    return out;
  }

  /** `key:` at `col`, with the key as js-yaml would store it, or undefined when the line is no map entry. */
  key(line: string, col: number): (Key & { resolved: 'string' | 'number' | 'other' }) | undefined {
    const c = line[col];
    if (c === "'" || c === '"') {
      const q = c === "'" ? singleQuoted(line, col) : doubleQuoted(line, col);
      if (!q || line[q.end] !== ':' || !isSpaceOrEnd(line, q.end + 1)) return undefined;
      return { key: q.value, end: q.end + 1, resolved: 'string' };
    }
    if (c === undefined || NOT_PLAIN_START.has(c)) return undefined;
    if ((c === '-' || c === '?' || c === ':') && isSpaceOrEnd(line, col + 1)) return undefined;
    // the first `:` followed by a space or the end of the line, unless a ` #` comment starts
    // first (looked for in the key only: a long value is not scanned to its end)
    // `scanned`: the comment check already covers line[col, scanned) (a pair starting at a colon
    // is no ` #`), so a key of many colons is scanned once, not once a colon
    let scanned = col;
    for (let j = line.indexOf(':', col); j !== -1; j = line.indexOf(':', j + 1)) {
      if (hasComment(line, scanned, j)) return undefined;
      scanned = j;
      if (!isSpaceOrEnd(line, j + 1)) continue;
      let e = j;
      while (e > col && line.charCodeAt(e - 1) === 32) e--;
      const v = resolvePlain(line.slice(col, e));
      const resolved = typeof v === 'string' ? 'string' : typeof v === 'number' ? 'number' : 'other';
      return { key: typeof v === 'string' ? v : String(v), end: j + 1, resolved };
    }
    return undefined;
  }
}

/**
 * Where `key`'s entry stands in packed positions (the index of its key), or -1. Rule maps are
 * small: the reader finds duplicate keys with it too, which is cheaper than asking the object (for
 * a fresh key string, a string-table lookup and a search of one of a corpus's thousands of shapes).
 */
export function packedIndexOf(positions: PackedPositions, key: string | number): number {
  for (let i = 2; i < positions.length; i += 3) if (positions[i] === key) return i;
  return -1;
}

/**
 * Containers with more entries than this get a hash index beside their packed positions: a
 * linear scan per key made a map of n keys cost n² (a generated rule with 50,000 selections
 * took 22 s to check). SigmaHQ's largest map has fewer entries, so its rules never build one.
 */
export const PACKED_SCAN_MAX = 64;

/** Key → index in `positions` of its entry (keys are unique: both readers drop or refuse repeats). */
export function packedIndex(positions: PackedPositions): Map<string | number, number> {
  const index = new Map<string | number, number>();
  for (let i = 2; i < positions.length; i += 3) index.set(positions[i], i);
  return index;
}

/** Whether ` #` starts somewhere in line[from, to). */
function hasComment(line: string, from: number, to: number): boolean {
  for (let h = from; h + 1 < to; h++) if (line.charCodeAt(h) === 32 && line.charCodeAt(h + 1) === 35) return true;
  return false;
}

function indentOf(line: string): number {
  let n = 0;
  while (line.charCodeAt(n) === 32) n++;
  return n;
}

function isSpaceOrEnd(line: string, at: number): boolean {
  return at >= line.length || line.charCodeAt(at) === 32;
}

function isSeqItem(line: string, at: number): boolean {
  return line.charCodeAt(at) === 45 /* - */ && isSpaceOrEnd(line, at + 1);
}

function skipSpaces(line: string, at: number): number {
  while (line.charCodeAt(at) === 32) at++;
  return at;
}

function trimEnd(line: string): number {
  let e = line.length;
  while (e > 0 && line.charCodeAt(e - 1) === 32) e--;
  return e;
}

/** End of a plain scalar's text on this line: before ` #`, before `: `/`:` at the end, trailing spaces dropped. */
function plainEnd(line: string, col: number): number {
  let j = line.indexOf(' #', col);
  if (j === -1) j = line.length;
  for (let c = line.indexOf(':', col); c !== -1 && c < j; c = line.indexOf(':', c + 1)) {
    if (isSpaceOrEnd(line, c + 1)) bail(); // a map entry where a scalar stands
  }
  while (j > col && line.charCodeAt(j - 1) === 32) j--;
  return j;
}

/** A single-quoted scalar closed on this line (`''` is a quote). */
function singleQuoted(line: string, col: number): { value: string; end: number } | undefined {
  let value = '';
  let start = col + 1;
  for (let j = line.indexOf("'", start); j !== -1; j = line.indexOf("'", start)) {
    value += line.slice(start, j);
    if (line.charCodeAt(j + 1) !== 39) return { value, end: j + 1 };
    value += "'";
    start = j + 2;
  }
  return undefined;
}

/** A double-quoted scalar closed on this line, escapes as js-yaml reads them. */
function doubleQuoted(line: string, col: number): { value: string; end: number } | undefined {
  let value = '';
  let start = col + 1;
  for (let j = start; j < line.length; j++) {
    const ch = line[j];
    if (ch === '"') return { value: value + line.slice(start, j), end: j + 1 };
    if (ch !== '\\') continue;
    value += line.slice(start, j);
    const e = line[j + 1];
    if (e === undefined) return undefined; // escaped line break: multi-line
    if (DQ_ESCAPES[e] !== undefined) {
      value += DQ_ESCAPES[e];
      j++;
    } else if (HEX_LEN[e] !== undefined) {
      const hex = line.slice(j + 2, j + 2 + HEX_LEN[e]);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== HEX_LEN[e]) bail();
      const cp = parseInt(hex, 16);
      if (cp > 0x10ffff) bail();
      value += String.fromCodePoint(cp);
      j += 1 + HEX_LEN[e];
    } else bail();
    start = j + 1;
  }
  return undefined;
}

/**
 * The documents of `text` with the position of each, or `undefined` when the text needs
 * js-yaml (see the header). An empty or comment-only text has no documents.
 */
export function readSigmaYamlFast(
  text: string,
  record: RecordPositions,
): Array<{ value: unknown; position: FastPosition; index: number }> | undefined {
  if (AWKWARD.test(text)) return undefined;
  try {
    const doc = new Reader(text, record).document();
    return doc ? [{ ...doc, index: 0 }] : [];
  } catch (e) {
    if (e === UNSUPPORTED) return undefined;
    throw e;
  }
}
