/**
 * Value modifiers: the registry of every modifier in the specification's appendix, and the
 * encodings/expansions whose output must be byte-identical to pySigma's (windash,
 * base64offset, wide/utf16).
 */
import type { PatternPart } from '../ir/types';
import { normalizePattern } from './strings';

export type ModifierKind =
  | 'position' // contains, startswith, endswith
  | 'linking' // all
  | 'negate' // neq
  | 'case' // cased
  | 'encoding' // base64, base64offset, wide, utf16*
  | 'windash'
  | 'expand'
  | 'type' // re, cidr, exists, fieldref: they change what the value is
  | 'regexflag' // i, m, s
  | 'compare' // gt, gte, lt, lte
  | 'timepart'; // minute … year

export const MODIFIERS: Record<string, ModifierKind> = {
  contains: 'position',
  startswith: 'position',
  endswith: 'position',
  all: 'linking',
  neq: 'negate',
  cased: 'case',
  base64: 'encoding',
  base64offset: 'encoding',
  wide: 'encoding',
  utf16le: 'encoding',
  utf16be: 'encoding',
  utf16: 'encoding',
  windash: 'windash',
  expand: 'expand',
  re: 'type',
  cidr: 'type',
  exists: 'type',
  fieldref: 'type',
  i: 'regexflag',
  ignorecase: 'regexflag',
  m: 'regexflag',
  multiline: 'regexflag',
  s: 'regexflag',
  dotall: 'regexflag',
  gt: 'compare',
  gte: 'compare',
  lt: 'compare',
  lte: 'compare',
  minute: 'timepart',
  hour: 'timepart',
  day: 'timepart',
  week: 'timepart',
  month: 'timepart',
  year: 'timepart',
};

export const WINDASH_CHARS = ['-', '/', '\u2013', '\u2014', '\u2015'];

/** Python 3's `\w` for str patterns: Unicode letters and numbers, and the underscore. */
function isWordChar(c: string | undefined): boolean {
  return c !== undefined && /[\p{L}\p{N}_]/u.test(c);
}

/**
 * pySigma replaces matches of `\B[-/]\b` in each literal part (so a wildcard is a boundary
 * of the text around it) and expands every occurrence independently into the five dashes.
 */
export function windash(parts: PatternPart[]): PatternPart[][] {
  // Split literals into fixed text and dash slots.
  type Piece = PatternPart | { t: 'dash' };
  const pieces: Piece[] = [];
  for (const p of parts) {
    if (p.t !== 'lit') {
      pieces.push(p);
      continue;
    }
    const chars = Array.from(p.v);
    let buf = '';
    chars.forEach((c, i) => {
      const before = chars[i - 1];
      if ((c === '-' || c === '/') && !isWordChar(before) && isWordChar(chars[i + 1])) {
        if (buf) pieces.push({ t: 'lit', v: buf });
        buf = '';
        pieces.push({ t: 'dash' });
      } else buf += c;
    });
    if (buf) pieces.push({ t: 'lit', v: buf });
  }
  let out: PatternPart[][] = [[]];
  for (const piece of pieces) {
    if (piece.t === 'dash') {
      const next: PatternPart[][] = [];
      for (const prefix of out) for (const d of WINDASH_CHARS) next.push([...prefix, { t: 'lit', v: d }]);
      out = next;
    } else out = out.map((prefix) => [...prefix, piece]);
  }
  return out.map(normalizePattern);
}

/** Bytes of a value: UTF-8 for text; the code units themselves for byte strings made by wide/utf16. */
export function valueBytes(s: string, isBytes: boolean): Buffer {
  return isBytes ? Buffer.from(s, 'latin1') : Buffer.from(s, 'utf8');
}

export function base64(s: string, isBytes: boolean): string {
  return valueBytes(s, isBytes).toString('base64');
}

/** pySigma's three shifted encodings, keeping only the part that does not depend on neighbouring bytes. */
export function base64offset(s: string, isBytes: boolean): string[] {
  const val = valueBytes(s, isBytes);
  const starts = [0, 2, 3];
  const ends = [undefined, -3, -2];
  const out: string[] = [];
  for (let i = 0; i < 3; i++) {
    const enc = Buffer.concat([Buffer.alloc(i, 0x20), val]).toString('base64');
    const end = ends[(val.length + i) % 3];
    out.push(enc.slice(starts[i], end));
  }
  return out;
}

/** UTF-16 encodings as byte strings (one char per byte), since the needle is compared byte for byte. */
export function utf16(s: string, variant: 'le' | 'be' | 'bom'): string {
  const le = Buffer.from(s, 'utf16le');
  let bytes = le;
  if (variant === 'be') {
    bytes = Buffer.from(le);
    bytes.swap16();
  } else if (variant === 'bom') bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), le]);
  return bytes.toString('latin1');
}
