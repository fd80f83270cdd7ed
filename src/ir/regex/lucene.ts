import { luceneFoldAlternatives } from './casefold';
import { ALL, complementRanges, MAX_CP, type Lang } from './lang';

/**
 * Characters that are operators in Lucene RegExp under the default ALL syntax flags
 * (RegExp.java: parseUnionExp `|`, parseInterExp `&`, parseRepeatExp `? * + {`, parseComplExp
 * `~` (DEPRECATED_COMPLEMENT, which ES|QL still enables), parseCharClassExp `[`,
 * parseSimpleExp `. # @ " ( ) <`, parseCharExp `\`), plus `} ] >` which only close those.
 * A backslash before any non-letter is a literal in Lucene; before a letter it is a class or an error.
 */
export const LUCENE_RESERVED = '.?+*|{}[]()"\\#@&<>~';
// Inside [...] Lucene treats `\`, `]`, `-` and a leading `^` specially; the rest are escaped too
// so that no consumer (ES|QL, EQL, a future Lucene) can read them as operators.
const CLASS_RESERVED = LUCENE_RESERVED + '-^';
const RAW_UNSAFE_RANGE_START = [0x2d, 0x5c, 0x5d, 0x5e]; // - (would extend a preceding raw item into a range) \ ] ^

export interface RenderOptions {
  /**
   * 'flag' (default): literals are left to Lucene's own case folding (the query sets
   * case_insensitive). 'explicit': every case alternative is spelled out and the pattern is
   * case-sensitive, for targets without a case-insensitive regex flag (ES|QL RLIKE) or with a
   * different folding (Lucene 9 folds ASCII only).
   */
  caseFolding?: 'flag' | 'explicit';
}

function isLetter(cp: number): boolean {
  return (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a);
}

function lit(cp: number, reserved: string): string {
  const ch = String.fromCodePoint(cp);
  return !isLetter(cp) && reserved.includes(ch) ? '\\' + ch : ch;
}

class Renderer {
  constructor(readonly ci: boolean) {}

  /** Precedence: 0 alternation, 1 concatenation, 2 repetition, 3 repetition operand. */
  render(l: Lang, prec: number): string {
    switch (l.t) {
      case 'none': return '#'; // EMPTY (ALL flags): the empty language
      // Never `()`: Lucene parses it as the string "", which under CASE_INSENSITIVE becomes the
      // concatenation of zero automata, i.e. the empty *language* (checked on 10.3.2).
      case 'eps': return '.{0}';
      case 'cp': {
        if (l.fold === this.ci || luceneFoldAlternatives(l.cp).length === 0) return lit(l.cp, LUCENE_RESERVED);
        if (l.fold) return this.set(foldSet(l.cp)); // explicit mode: spell out the alternatives
        return this.set([l.cp, l.cp]); // must not be folded by a case-insensitive query
      }
      case 'set': return this.set(l.ranges);
      case 'seq': {
        const s = l.items.map((x) => this.render(x, 1)).join('');
        return prec > 1 ? `(${s})` : s;
      }
      case 'alt': {
        const rest = l.items.filter((x) => x.t !== 'eps');
        if (rest.length < l.items.length) {
          const body = this.render(rest.length === 1 ? rest[0] : { t: 'alt', items: rest }, 3);
          return prec > 2 ? `(${body}?)` : `${body}?`;
        }
        const s = l.items.map((x) => this.render(x, 0)).join('|');
        return prec > 0 ? `(${s})` : s;
      }
      case 'rep': {
        const body = this.render(l.body, 3);
        const { min, max } = l;
        let q: string;
        if (max === null) q = min === 0 ? '*' : min === 1 ? '+' : `{${min},}`;
        else if (min === 0 && max === 1) q = '?';
        else q = min === max ? `{${min}}` : `{${min},${max}}`;
        return prec > 2 ? `(${body + q})` : body + q;
      }
    }
  }

  set(r: number[]): string {
    if (r.length === 2 && r[0] === 0 && r[1] === MAX_CP) return '.';
    if (r.length === 2 && r[0] === r[1] && (!this.ci || luceneFoldAlternatives(r[0]).length === 0)) return lit(r[0], LUCENE_RESERVED);
    // Prefer the shorter of [..] and [^..]; both mean the same set because every item is either
    // fold-free or written as a range, which Lucene never folds.
    const neg = r[0] === 0 && r[r.length - 1] === MAX_CP;
    const items = neg ? complementRanges(r) : r;
    let out = neg ? '[^' : '[';
    for (let i = 0; i < items.length; i += 2) {
      let lo = items[i];
      const hi = items[i + 1];
      // Lucene reads an escaped character in a class as a lone item (never a range start, never
      // folded), so a range must start with a raw character: split off the ones that cannot be raw.
      while (lo < hi && RAW_UNSAFE_RANGE_START.includes(lo)) out += lit(lo++, CLASS_RESERVED);
      if (lo === hi && !(this.ci && luceneFoldAlternatives(lo).length > 0)) out += lit(lo, CLASS_RESERVED);
      else out += String.fromCodePoint(lo) + '-' + lit(hi, CLASS_RESERVED);
    }
    return out + ']';
  }
}

function foldSet(cp: number): number[] {
  const pts = [cp, ...luceneFoldAlternatives(cp)].sort((a, b) => a - b);
  const out: number[] = [];
  for (const p of pts) {
    if (out.length && out[out.length - 1] + 1 === p) out[out.length - 1] = p;
    else out.push(p, p);
  }
  return out;
}

export function renderLang(l: Lang, caseInsensitive: boolean, opts: RenderOptions = {}): { pattern: string; caseInsensitive: boolean } {
  const ci = caseInsensitive && (opts.caseFolding ?? 'flag') === 'flag';
  return { pattern: new Renderer(ci).render(l, 0), caseInsensitive: ci };
}

export { ALL };
