/**
 * AST of the project's one regex dialect (a subset of Python `re` as used by Sigma rules).
 *
 * The root carries the effective flags (modifier flags merged with a leading `(?ims)` group), so
 * a parsed regex is self-describing: anchors, flags and classes mean the same in the Lucene
 * renderer and in the evaluator. Characters are Unicode code points, never UTF-16 units.
 */
import type { RegexFlags } from './index';

export interface RegexAst {
  t: 'regex';
  /** Effective flags: the modifier flags OR the leading inline `(?ims)` flags. */
  flags: RegexFlags;
  body: RegexNode;
}

export type RegexNode =
  | { t: 'empty' } // matches the empty string, e.g. an empty alternative `(|a)`
  | { t: 'char'; cp: number } // a literal code point (case-folded under `i`)
  | { t: 'dot' } // `.`: any code point, except `\n` unless `s`
  | { t: 'class'; negated: boolean; items: ClassItem[] } // `[...]`, `[^...]`, or `\d` etc. outside brackets
  | { t: 'seq'; items: RegexNode[] } // at least two items
  | { t: 'alt'; items: RegexNode[] } // at least two items
  | { t: 'group'; body: RegexNode } // `(...)`, `(?:...)`, `(?P<n>...)`: grouping only, no capture semantics
  | { t: 'repeat'; body: RegexNode; min: number; max: number | null; lazy: boolean } // max null = unbounded
  | { t: 'anchor'; kind: AnchorKind; pos?: number }; // pos: offset in the source, for error messages

/**
 * `^`/`$` depend on the `m` flag; `\A` and `\Z` never do. Python's `$` without `m` also matches
 * before a final `\n`; `\Z` only at the very end.
 */
export type AnchorKind = 'caret' | 'dollar' | 'strStart' | 'strEnd';

export type ClassItem =
  | { t: 'range'; from: number; to: number } // a single character is a range with from === to
  | { t: 'shorthand'; c: Shorthand };

/** ASCII semantics (Python `re.ASCII`): d = [0-9], w = [0-9A-Za-z_], s = [ \t\n\r\f\v]; upper case = complement. */
export type Shorthand = 'd' | 'D' | 'w' | 'W' | 's' | 'S';
