import { SigmaEsError } from '../../errors';
import type { AnchorKind, ClassItem, RegexAst, RegexNode, Shorthand } from './ast';
import type { RegexFlags } from './index';

/** Repetition bounds above this are refused: Lucene unrolls counted repeats into that many automaton copies. */
export const MAX_REPEAT = 10000;

const SHORTHANDS = 'dDwWsS';
// Python `re`: escaped ASCII letters that are not one of these are errors ("bad escape").
const CHAR_ESCAPES: Record<string, number> = { a: 7, f: 12, n: 10, r: 13, t: 9, v: 11 };

class Parser {
  pos = 0;
  readonly flags: RegexFlags;

  constructor(readonly src: string, flags: RegexFlags) {
    this.flags = { ...flags };
  }

  syntax(msg: string, at = this.pos): never {
    throw new SigmaEsError('REGEX_SYNTAX', `${msg} at position ${at} in regex ${JSON.stringify(this.src)}`);
  }

  unsupported(construct: string, at: number, why: string): never {
    throw new SigmaEsError(
      'REGEX_UNSUPPORTED',
      `${construct} at position ${at} in regex ${JSON.stringify(this.src)} is not supported: ${why}`,
    );
  }

  more(): boolean {
    return this.pos < this.src.length;
  }

  peek(): string {
    return this.more() ? String.fromCodePoint(this.src.codePointAt(this.pos)!) : '';
  }

  next(): number {
    const cp = this.src.codePointAt(this.pos);
    if (cp === undefined) this.syntax('unexpected end of pattern');
    this.pos += cp > 0xffff ? 2 : 1;
    return cp;
  }

  eat(s: string): boolean {
    if (this.src.startsWith(s, this.pos)) {
      this.pos += s.length;
      return true;
    }
    return false;
  }

  parseLeadingFlags(): void {
    // Python 3.11+ only allows global flags at the very start; several groups may follow each other.
    for (;;) {
      const m = /^\(\?([a-zA-Z]+)\)/.exec(this.src.slice(this.pos));
      if (!m) return;
      for (const f of m[1]) {
        if (f === 'i' || f === 'm' || f === 's') this.flags[f] = true;
        else if (f === 'u') continue; // the default for str patterns
        else if ('aLx'.includes(f)) this.unsupported(`inline flag (?${f})`, this.pos, 'only the i, m and s flags have an exact Lucene rendering');
        else this.syntax(`unknown flag ${f}`);
      }
      this.pos += m[0].length;
    }
  }

  parseAlt(depth: number): RegexNode {
    const items = [this.parseSeq(depth)];
    while (this.eat('|')) items.push(this.parseSeq(depth));
    return items.length === 1 ? items[0] : { t: 'alt', items };
  }

  parseSeq(depth: number): RegexNode {
    const items: RegexNode[] = [];
    while (this.more()) {
      const c = this.peek();
      if (c === '|') break;
      if (c === ')') {
        if (depth === 0) this.syntax('unbalanced parenthesis');
        break;
      }
      const atomPos = this.pos;
      const atom = this.parseAtom(depth);
      if (atom === null) continue; // comment group
      items.push(this.parseQuantifiers(atom, atomPos));
    }
    if (items.length === 0) return { t: 'empty' };
    return items.length === 1 ? items[0] : { t: 'seq', items };
  }

  parseQuantifiers(atom: RegexNode, atomPos: number): RegexNode {
    let node = atom;
    let quantified = false;
    for (;;) {
      const qPos = this.pos;
      const q = this.parseQuantifier();
      if (!q) return node;
      if (quantified) this.syntax('multiple repeat', qPos);
      if (atom.t === 'anchor') this.syntax('nothing to repeat', qPos);
      if (q.max !== null && q.min > q.max) this.syntax('min repeat greater than max repeat', qPos);
      if (q.min > MAX_REPEAT || (q.max ?? 0) > MAX_REPEAT) {
        this.unsupported(`repetition count above ${MAX_REPEAT}`, qPos, 'Lucene unrolls counted repetition into automaton states');
      }
      let lazy = false;
      if (this.eat('?')) lazy = true;
      else if (this.peek() === '+') this.unsupported('possessive quantifier', this.pos, 'Lucene has no possessive repetition (it changes which strings match)');
      node = { t: 'repeat', body: node, min: q.min, max: q.max, lazy };
      quantified = true;
      void atomPos;
    }
  }

  parseQuantifier(): { min: number; max: number | null } | null {
    const c = this.peek();
    if (c === '*') { this.pos++; return { min: 0, max: null }; }
    if (c === '+') { this.pos++; return { min: 1, max: null }; }
    if (c === '?') { this.pos++; return { min: 0, max: 1 }; }
    if (c === '{') {
      // Python reads `{` as a literal unless it forms {n}, {n,}, {,m} or {n,m}.
      const m = /^\{(\d*)(,?)(\d*)\}/.exec(this.src.slice(this.pos));
      if (!m || (m[1] === '' && m[2] === '') || (m[2] === '' && m[3] !== '')) return null;
      this.pos += m[0].length;
      const min = m[1] === '' ? 0 : Number(m[1]);
      const max = m[2] === '' ? min : m[3] === '' ? null : Number(m[3]);
      return { min, max };
    }
    return null;
  }

  parseAtom(depth: number): RegexNode | null {
    const start = this.pos;
    const c = this.next();
    switch (c) {
      case 0x2e: return { t: 'dot' }; // .
      case 0x5e: return { t: 'anchor', kind: 'caret', pos: start }; // ^
      case 0x24: return { t: 'anchor', kind: 'dollar', pos: start }; // $
      case 0x5b: return this.parseClass(start); // [
      case 0x28: return this.parseGroup(start, depth); // (
      case 0x5c: return this.parseEscape(start, false) as RegexNode; // backslash
      case 0x2a: case 0x2b: case 0x3f: // * + ?
        this.syntax('nothing to repeat', start);
      // falls through (unreachable)
      case 0x7b: { // {
        this.pos = start;
        if (this.parseQuantifier()) this.syntax('nothing to repeat', start);
        this.pos = start + 1;
        return { t: 'char', cp: c };
      }
      default: return { t: 'char', cp: c };
    }
  }

  parseGroup(start: number, depth: number): RegexNode | null {
    if (this.eat('?')) {
      if (this.eat(':')) return this.finishGroup(start, depth);
      if (this.eat('P<')) {
        if (!/^[A-Za-z_][A-Za-z0-9_]*>/.test(this.src.slice(this.pos))) this.syntax('bad group name', this.pos);
        this.pos = this.src.indexOf('>', this.pos) + 1;
        return this.finishGroup(start, depth);
      }
      if (this.eat('#')) {
        const end = this.src.indexOf(')', this.pos);
        if (end < 0) this.syntax('missing ), unterminated comment', start);
        this.pos = end + 1;
        return null;
      }
      const rest = this.src.slice(this.pos);
      if (rest.startsWith('P=')) this.unsupported('named backreference (?P=...)', start, 'a backreference is not a regular language');
      if (rest.startsWith('=') || rest.startsWith('!')) this.unsupported(`lookahead (?${rest[0]}...)`, start, 'Lucene RegExp has no lookaround');
      if (rest.startsWith('<=') || rest.startsWith('<!')) this.unsupported(`lookbehind (?${rest.slice(0, 2)}...)`, start, 'Lucene RegExp has no lookaround');
      if (rest.startsWith('<')) this.unsupported('named group (?<name>...)', start, 'Python spells named groups (?P<name>...)');
      if (rest.startsWith('>')) this.unsupported('atomic group (?>...)', start, 'atomic groups change which strings match and Lucene has none');
      if (rest.startsWith('(')) this.unsupported('conditional group (?(...)...)', start, 'it depends on a capture, which is not a regular language');
      const fm = /^[a-zA-Z-]+[:)]/.exec(rest);
      if (fm) {
        if (fm[0].endsWith(':') || fm[0].includes('-')) {
          this.unsupported(`scoped inline flags (?${fm[0]}`, start, 'use the i/m/s modifiers or a (?ims) group at the very start');
        }
        this.unsupported(`inline flags (?${fm[0]}`, start, 'global flags are only allowed at the start of the regex');
      }
      this.syntax('unknown extension (?' + rest.slice(0, 1), start);
    }
    return this.finishGroup(start, depth);
  }

  finishGroup(start: number, depth: number): RegexNode {
    const body = this.parseAlt(depth + 1);
    if (!this.eat(')')) this.syntax('missing ), unterminated subpattern', start);
    return { t: 'group', body };
  }

  /** Escape after the backslash; inside a class `\b` is backspace and anchors are errors. */
  parseEscape(start: number, inClass: boolean): RegexNode | ClassItem {
    if (!this.more()) this.syntax('bad escape (end of pattern)', start);
    const ch = this.peek();
    if (SHORTHANDS.includes(ch)) {
      this.pos++;
      const item: ClassItem = { t: 'shorthand', c: ch as Shorthand };
      return inClass ? item : { t: 'class', negated: false, items: [item] };
    }
    const lit = (cp: number): RegexNode | ClassItem => (inClass ? { t: 'range', from: cp, to: cp } : { t: 'char', cp });
    if (ch in CHAR_ESCAPES) { this.pos++; return lit(CHAR_ESCAPES[ch]); }
    if (ch === 'x' || ch === 'u' || ch === 'U') {
      const n = ch === 'x' ? 2 : ch === 'u' ? 4 : 8;
      const hex = this.src.slice(this.pos + 1, this.pos + 1 + n);
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) this.syntax(`incomplete escape \\${ch}${hex}`, start);
      const cp = parseInt(hex, 16);
      if (cp > 0x10ffff) this.syntax(`bad escape \\${ch}${hex}`, start);
      this.pos += 1 + n;
      return lit(cp);
    }
    if (ch === '0') {
      const m = /^0[0-7]{0,2}/.exec(this.src.slice(this.pos))![0];
      this.pos += m.length;
      return lit(parseInt(m, 8));
    }
    if (ch >= '1' && ch <= '9') {
      const m = /^[0-7]{3}/.exec(this.src.slice(this.pos));
      if (m && parseInt(m[0], 8) <= 0o377) { this.pos += 3; return lit(parseInt(m[0], 8)); }
      if (inClass) this.syntax(`bad escape \\${ch}`, start);
      this.unsupported(`backreference \\${ch}`, start, 'a backreference is not a regular language');
    }
    if (inClass) {
      if (ch === 'b') { this.pos++; return lit(8); }
      if (/[a-zA-Z]/.test(ch)) this.syntax(`bad escape \\${ch}`, start);
      return lit(this.next());
    }
    const anchors: Record<string, AnchorKind> = { A: 'strStart', Z: 'strEnd' };
    if (ch in anchors) { this.pos++; return { t: 'anchor', kind: anchors[ch], pos: start }; }
    if (ch === 'b' || ch === 'B') {
      this.unsupported(`word boundary \\${ch}`, start, 'Lucene RegExp has no zero-width assertions and \\b inside a pattern has no exact anchor-free rewrite');
    }
    if (ch === 'N') this.unsupported('named character \\N{...}', start, 'not supported by the dialect; write the character or \\uXXXX');
    if (ch === 'p' || ch === 'P') this.unsupported(`Unicode property \\${ch}`, start, 'Python re has no \\p classes');
    if (ch === 'z' || ch === 'G' || ch === 'K' || ch === 'R' || ch === 'X' || ch === 'Q' || ch === 'E') {
      this.unsupported(`escape \\${ch}`, start, 'not part of Python re (PCRE-only)');
    }
    if (/[a-zA-Z]/.test(ch)) this.syntax(`bad escape \\${ch}`, start);
    return lit(this.next());
  }

  parseClass(start: number): RegexNode {
    const negated = this.eat('^');
    const items: ClassItem[] = [];
    let first = true;
    for (;;) {
      if (!this.more()) this.syntax('unterminated character set', start);
      const ch = this.peek();
      if (ch === ']' && !first) { this.pos++; break; }
      first = false;
      const itemPos = this.pos;
      if (this.src.startsWith('[:', this.pos) || this.src.startsWith('[=', this.pos) || this.src.startsWith('[.', this.pos)) {
        // Python warns (FutureWarning: possible nested set) and still reads them as literals; refuse the ambiguity.
        this.unsupported(`"${this.src.slice(this.pos, this.pos + 2)}" inside a character class`, itemPos, 'ambiguous (POSIX class syntax, a literal in Python); escape the [');
      }
      let lo: ClassItem;
      if (this.eat('\\')) lo = this.parseEscape(itemPos, true) as ClassItem;
      else { const cp = this.next(); lo = { t: 'range', from: cp, to: cp }; }
      // `-` makes a range unless it is last in the class
      if (this.peek() === '-' && this.src[this.pos + 1] !== ']' && this.pos + 1 < this.src.length) {
        this.pos++;
        const hiPos = this.pos;
        let hi: ClassItem;
        if (this.eat('\\')) hi = this.parseEscape(hiPos, true) as ClassItem;
        else { const cp = this.next(); hi = { t: 'range', from: cp, to: cp }; }
        if (lo.t !== 'range' || hi.t !== 'range') this.syntax('bad character range', itemPos);
        if (hi.from < lo.from) this.syntax('bad character range', itemPos);
        items.push({ t: 'range', from: lo.from, to: hi.from });
      } else items.push(lo);
    }
    return { t: 'class', negated, items };
  }
}

export function parse(source: string, flags: RegexFlags): RegexAst {
  const p = new Parser(source, flags);
  p.parseLeadingFlags();
  const body = p.parseAlt(0);
  if (p.more()) p.syntax('unbalanced parenthesis');
  return { t: 'regex', flags: p.flags, body };
}
