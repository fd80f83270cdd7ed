/**
 * Sigma string values: wildcards and escapes, read exactly as pySigma's SigmaString does,
 * so `C:\Windows\*` is a literal star (the backslash escapes it) while `C:\\Windows\\*`
 * ends in a wildcard.
 */
import type { PatternPart } from '../ir/types';

/** Merge adjacent literals and drop empty ones, so every consumer sees one canonical form. */
export function normalizePattern(parts: PatternPart[]): PatternPart[] {
  const out: PatternPart[] = [];
  for (const p of parts) {
    if (p.t === 'lit') {
      if (p.v === '') continue;
      const last = out[out.length - 1];
      if (last && last.t === 'lit') out[out.length - 1] = { t: 'lit', v: last.v + p.v };
      else out.push(p);
    } else out.push(p);
  }
  return out;
}

/**
 * pySigma's state machine: `\` before `*`, `?` or `\` yields that character literally;
 * before anything else both characters are kept; a trailing lone `\` is kept.
 */
const SPECIAL = /[*?\\]/;

export function parseSigmaString(s: string): PatternPart[] {
  // most values have no wildcard or backslash: one literal, no character loop
  if (!SPECIAL.test(s)) return s === '' ? [] : [{ t: 'lit', v: s }];
  // Runs of plain text are sliced, not built a character at a time: most values that get here
  // are Windows paths, whose backslashes are kept as written.
  const parts: PatternPart[] = [];
  let lit = '';
  let run = 0; // where the pending run of literal text starts
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 92 /* \ */) {
      const n = s.charCodeAt(i + 1);
      if (n === 42 /* * */ || n === 63 /* ? */ || n === 92) {
        // the escaped character is literal: the run goes on from it, the backslash dropped
        lit += s.slice(run, i);
        run = ++i;
      }
    } else if (c === 42 || c === 63) {
      lit += s.slice(run, i);
      if (lit) parts.push({ t: 'lit', v: lit });
      lit = '';
      parts.push(c === 42 ? { t: 'any' } : { t: 'one' });
      run = i + 1;
    }
  }
  lit += s.slice(run);
  if (lit) parts.push({ t: 'lit', v: lit });
  return parts;
}

export function literalPattern(s: string): PatternPart[] {
  return s === '' ? [] : [{ t: 'lit', v: s }];
}

export function hasWildcards(parts: PatternPart[]): boolean {
  return parts.some((p) => p.t !== 'lit');
}

/** Concatenated literal text; only meaningful when there are no wildcards. */
export function patternText(parts: PatternPart[]): string {
  return parts.map((p) => (p.t === 'lit' ? p.v : p.t === 'any' ? '*' : '?')).join('');
}

/** Sigma-escaped text of a pattern: the inverse of parseSigmaString, for messages and round trips. */
export function formatSigmaString(parts: PatternPart[]): string {
  return parts
    .map((p) => (p.t === 'any' ? '*' : p.t === 'one' ? '?' : p.v.replace(/[\\*?]/g, (m) => `\\${m}`)))
    .join('');
}

/** Map each literal part, keeping wildcards in place. */
export function mapLiterals(parts: PatternPart[], f: (s: string) => string): PatternPart[] {
  return normalizePattern(parts.map((p) => (p.t === 'lit' ? { t: 'lit', v: f(p.v) } : p)));
}

export function addWildcards(parts: PatternPart[], start: boolean, end: boolean): PatternPart[] {
  const out = [...parts];
  if (start && out[0]?.t !== 'any') out.unshift({ t: 'any' });
  if (end && out[out.length - 1]?.t !== 'any') out.push({ t: 'any' });
  return out;
}

/**
 * Matcher over one string for patterns made of literals and `*` only (null when a `?` is in
 * it): the evaluator's case-folded wildcard leaves and the condition's `1 of sel*` patterns.
 */
export function literalWildcardMatcher(pattern: PatternPart[]): ((s: string) => boolean) | null {
  if (pattern.some((p) => p.t === 'one')) return null;
  const lits = pattern.filter((p): p is { t: 'lit'; v: string } => p.t === 'lit').map((p) => p.v);
  const startAnch = pattern.length > 0 && pattern[0].t === 'lit';
  const endAnch = pattern.length > 0 && pattern[pattern.length - 1].t === 'lit';
  if (lits.length === 0) return pattern.length === 0 ? (s) => s === '' : () => true;
  if (pattern.length === 1) {
    const v = lits[0];
    return (s) => s === v;
  }
  if (lits.length === 1) {
    const v = lits[0];
    if (startAnch) return (s) => s.startsWith(v);
    if (endAnch) return (s) => s.endsWith(v);
    return (s) => s.includes(v);
  }
  const first = lits[0];
  const last = lits[lits.length - 1];
  return (s) => {
    let pos = 0;
    let i = 0;
    let end = s.length;
    if (startAnch) {
      if (!s.startsWith(first)) return false;
      pos = first.length;
      i = 1;
    }
    let j = lits.length;
    if (endAnch) {
      if (s.length - last.length < pos || !s.endsWith(last)) return false;
      end = s.length - last.length;
      j = lits.length - 1;
    }
    for (; i < j; i++) {
      const k = s.indexOf(lits[i], pos);
      if (k < 0 || k + lits[i].length > end) return false;
      pos = k + lits[i].length;
    }
    return true;
  };
}
