/**
 * Event JSON parsing that keeps what Elasticsearch keeps.
 *
 * Elasticsearch indexes a JSON number in a keyword field as the number's *source text*
 * (Jackson's getText()): `1.0` becomes the term "1.0", `1e3` stays "1e3", `-0` stays "-0".
 * JSON.parse loses that (1.0 → 1 → "1"), so a number whose text does not survive the
 * round trip is kept as a RawNumber. The fast path stays JSON.parse: only lines that
 * contain such a number go through the slower exact parser, and a line whose numbers are all
 * plain digits is told so by one regex pass (ALL_PLAIN) before the walk from string to string.
 */

import { SigmaEsError } from '../errors';

/** A JSON number whose source text differs from JavaScript's rendering of its value. */
export class RawNumber {
  constructor(
    readonly raw: string,
    readonly value: number,
  ) {}
  toJSON(): number {
    return this.value;
  }
}

/**
 * Whether some number in this (valid) JSON text is written other than JavaScript would print it.
 * Strings are skipped with indexOf, which is most of an event's text; a regex over the whole line
 * was a third of the time spent reading an event.
 */
function needsExactParse(text: string): boolean {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const q = text.indexOf('"', i);
    const end = q < 0 ? n : q;
    for (let j = i; j < end; j++) {
      const c = text.charCodeAt(j);
      if (c !== 45 && (c < 48 || c > 57)) continue;
      let k = j + 1;
      let plain = c !== 45 && (c !== 48 || k === end || !isNumberChar(text.charCodeAt(k)));
      while (k < end) {
        const d = text.charCodeAt(k);
        if (d >= 48 && d <= 57) k++;
        else if (isNumberChar(d)) (plain = false), k++;
        else break;
      }
      // digits only, no leading zero, within 2^53: printed exactly as written
      if (!plain || k - j > 15) {
        const tok = text.slice(j, k);
        if (String(Number(tok)) !== tok) return true;
      }
      j = k - 1;
    }
    if (q < 0) return false;
    // the closing quote is the first one not escaped by an odd run of backslashes
    let k = q + 1;
    for (;;) {
      const e = text.indexOf('"', k);
      if (e < 0) return false;
      let b = e - 1;
      while (text.charCodeAt(b) === 92) b--;
      if ((e - 1 - b) % 2 === 0) {
        i = e + 1;
        break;
      }
      k = e + 1;
    }
  }
  return false;
}

/** `.`, `e`, `E`, `+`, `-`: the non-digit characters of a JSON number. */
function isNumberChar(c: number): boolean {
  return c === 46 || c === 101 || c === 69 || c === 43 || c === 45;
}

// Valid JSON whose numbers are all plain: digits only, no leading zero, at most 15 of them, so
// printed back as written ("-0" is not). Each position has one possible branch (a string, a plain number,
// anything else), so a failing text backtracks in linear time; failing only sends it to the walk.
const ALL_PLAIN = /^(?:[^"0-9-]|"[^"\\]*(?:\\.[^"\\]*)*"|(?:0|-?[1-9][0-9]{0,14})(?![0-9.eE+-]))*$/;

/** Jackson's StreamReadConstraints default, which ES keeps: objects and arrays open at once, the document's own included. */
export const MAX_NESTING = 1000;

/** Past Jackson's nesting limit: ES refuses the document whatever its numbers say. */
class TooDeep extends Error {}

/** Parse one JSON text; numbers whose text would change are RawNumber. Throws SyntaxError. */
export function parseJsonExact(text: string): unknown {
  const v = JSON.parse(text);
  if (ALL_PLAIN.test(text) || !needsExactParse(text)) return v;
  try {
    return new ExactParser(text).parseDocument();
  } catch (e) {
    // the recursive parser stops there; the event (refused by ES, see limits.ts) needs no exact number
    if (e instanceof TooDeep) return v;
    throw e;
  }
}

/** The exact parser on every text: the reference `parseJsonExact` must agree with (tests). */
export function parseJsonAlwaysExact(text: string): unknown {
  JSON.parse(text);
  return new ExactParser(text).parseDocument();
}

class ExactParser {
  private i = 0;
  private depth = 0;
  constructor(private readonly s: string) {}

  parseDocument(): unknown {
    const v = this.value();
    this.ws();
    if (this.i !== this.s.length) this.fail('unexpected trailing text');
    return v;
  }

  private fail(msg: string): never {
    throw new SyntaxError(`${msg} at position ${this.i}`);
  }

  private ws(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.i++;
      else break;
    }
  }

  private value(): unknown {
    this.ws();
    const c = this.s[this.i];
    if (c === '{' || c === '[') {
      if (++this.depth > MAX_NESTING) throw new TooDeep();
      const v = c === '{' ? this.object() : this.array();
      this.depth--;
      return v;
    }
    if (c === '"') return this.string();
    if (c === 't' && this.s.startsWith('true', this.i)) return (this.i += 4), true;
    if (c === 'f' && this.s.startsWith('false', this.i)) return (this.i += 5), false;
    if (c === 'n' && this.s.startsWith('null', this.i)) return (this.i += 4), null;
    return this.number();
  }

  private object(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.i++;
    this.ws();
    if (this.s[this.i] === '}') return this.i++, out;
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') this.fail('expected a key');
      const k = this.string();
      this.ws();
      if (this.s[this.i] !== ':') this.fail("expected ':'");
      this.i++;
      const v = this.value();
      // Same duplicate-key behaviour as JSON.parse (last wins); ES rejects duplicates, see event.ts.
      Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
      this.ws();
      const c = this.s[this.i++];
      if (c === '}') return out;
      if (c !== ',') this.fail("expected ',' or '}'");
    }
  }

  private array(): unknown[] {
    const out: unknown[] = [];
    this.i++;
    this.ws();
    if (this.s[this.i] === ']') return this.i++, out;
    for (;;) {
      out.push(this.value());
      this.ws();
      const c = this.s[this.i++];
      if (c === ']') return out;
      if (c !== ',') this.fail("expected ',' or ']'");
    }
  }

  private string(): string {
    const start = this.i;
    let j = start + 1;
    const s = this.s;
    while (j < s.length) {
      const c = s.charCodeAt(j);
      if (c === 34) break;
      if (c === 92) j++;
      j++;
    }
    this.i = j + 1;
    return JSON.parse(s.slice(start, j + 1)) as string;
  }

  private number(): number | RawNumber {
    const m = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.s.slice(this.i, this.i + 400));
    if (!m) this.fail('unexpected character');
    this.i += m[0].length;
    const n = Number(m[0]);
    return String(n) === m[0] ? n : new RawNumber(m[0], n);
  }
}

/** One record of an event stream: either an event or a parse error, with its position. */
export type EventRecord =
  | { index: number; line: number; event: Record<string, unknown>; text: string }
  | { index: number; line: number; error: string; text: string };

/**
 * Split a stream of text chunks into JSON event records: NDJSON (one object per line),
 * a JSON array of objects, or one or more (pretty-printed) JSON objects. Never holds more
 * than one record's text in memory. `index` counts records, malformed ones included, so
 * an event keeps its index whether or not an earlier line was broken.
 */
export async function* readEventRecords(chunks: AsyncIterable<string | Buffer>): AsyncGenerator<EventRecord> {
  const splitter = new RecordSplitter();
  for await (const chunk of chunks) {
    for (const r of splitter.push(typeof chunk === 'string' ? chunk : chunk.toString('utf8'))) yield r;
  }
  for (const r of splitter.end()) yield r;
}

type Mode = 'unknown' | 'ndjson' | 'array' | 'values';

/**
 * Incremental splitter; exported for the worker pool and tests. Every character is scanned once
 * and an unfinished record is kept as the chunks it came in, joined once when it ends: appending
 * each chunk to one buffer and searching it again made a 30 MB line cost 8.6 s and 406 MB.
 */
export class RecordSplitter {
  /** parse=false yields records with `event: {}` unparsed (text only), for worker threads to parse. */
  constructor(private readonly parse = true) {}
  private mode: Mode = 'unknown';
  /** Text not yet part of a yielded record: the unfinished line (ndjson), record (array/values) or first line (unknown). */
  private parts: string[] = [];
  /** ndjson: the line number of the unfinished line; array/values: of the character being scanned. */
  private line = 1;
  private index = 0;
  private arrayClosed = false;
  /** unknown: whether a non-blank character was met (the newline that decides must follow it). */
  private started = false;
  // streaming scanner state for 'array'/'values' modes
  private depth = 0;
  private inStr = false;
  private esc = false;
  private inRecord = false;
  private recFirst = 0;
  private recLine = 0;

  *push(text: string): Generator<EventRecord> {
    yield* this.feed(text, false);
  }

  *end(): Generator<EventRecord> {
    yield* this.feed('', true);
  }

  private record(text: string, line: number): EventRecord {
    const index = this.index++;
    if (!this.parse) return { index, line, text, event: {} };
    return parseRecord(index, line, text);
  }

  private takeParts(tail: string): string {
    if (this.parts.length === 0) return tail;
    const t = this.parts.join('') + tail;
    this.parts = [];
    return t;
  }

  private *feed(text: string, final: boolean): Generator<EventRecord> {
    if (this.mode === 'unknown') {
      this.parts.push(text);
      if (!this.decidable(text) && !final) return;
      text = this.decide(this.takeParts(''));
      if (this.mode === 'unknown') return;
    }
    if (this.mode === 'ndjson') yield* this.lines(text, final);
    else yield* this.scanValues(text, final);
  }

  /** Whether the text so far shows the format: a first non-blank `[`, or a newline after the first non-blank. */
  private decidable(text: string): boolean {
    let from = 0;
    if (!this.started) {
      const m = /\S/.exec(text);
      if (!m) return false;
      this.started = true;
      if (text[m.index] === '[') return true;
      from = m.index;
    }
    return text.indexOf('\n', from) >= 0;
  }

  /** Sets the mode from the start of the input and returns the text left to split. */
  private decide(buf: string): string {
    const m = /\S/.exec(buf);
    if (!m) return '';
    if (buf[m.index] === '[') {
      this.mode = 'array';
      this.line += countNewlines(buf, 0, m.index + 1);
      return buf.slice(m.index + 1);
    }
    // NDJSON when the first line is a complete JSON value, else pretty-printed objects.
    const nl = buf.indexOf('\n', m.index);
    const first = buf.slice(m.index, nl < 0 ? undefined : nl).trim();
    let ok = true;
    try {
      JSON.parse(first);
    } catch {
      ok = false;
    }
    this.mode = ok || !first.startsWith('{') ? 'ndjson' : 'values';
    return buf;
  }

  private *lines(text: string, final: boolean): Generator<EventRecord> {
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      const raw = this.takeParts(text.slice(start, nl));
      if (raw.trim() !== '') yield this.record(raw.endsWith('\r') ? raw.slice(0, -1) : raw, this.line);
      this.line++;
      start = nl + 1;
    }
    if (start < text.length) this.parts.push(start === 0 ? text : text.slice(start));
    if (final) {
      const rest = this.takeParts('');
      if (rest.trim() !== '') yield this.record(rest, this.line);
    }
  }

  private *scanValues(s: string, final: boolean): Generator<EventRecord> {
    let recStart = 0; // of the record in this chunk (0 when it began in an earlier one)
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 10) this.line++;
      if (this.inStr) {
        if (this.esc) this.esc = false;
        else if (c === 92) this.esc = true;
        else if (c === 34) this.inStr = false;
        continue;
      }
      if (!this.inRecord) {
        if (c === 32 || c === 9 || c === 10 || c === 13) continue;
        if (this.mode === 'array' && c === 44 /* , */) continue;
        if (this.mode === 'array' && c === 93 /* ] */) {
          this.arrayClosed = true;
          continue;
        }
        if (this.arrayClosed) {
          yield { index: this.index++, line: this.line, text: s.slice(i, i + 40), error: 'unexpected text after the closing ] of the event array' };
          i = s.length - 1;
          continue;
        }
        this.inRecord = true;
        recStart = i;
        this.recFirst = c;
        this.recLine = this.line;
      }
      if (c === 34) this.inStr = true;
      else if (c === 123 || c === 91) this.depth++;
      else if (c === 125 || c === 93) this.depth--;
      const scalarEnd = this.depth === 0 && (c === 44 || c === 10 || c === 93) && this.mode === 'array' && this.recFirst !== 123;
      if (this.depth === 0 && (c === 125 || scalarEnd)) {
        yield this.record(this.takeParts(s.slice(recStart, scalarEnd ? i : i + 1)), this.recLine);
        this.inRecord = false;
        if (scalarEnd && c === 93) this.arrayClosed = true;
      }
    }
    if (this.inRecord && recStart < s.length) this.parts.push(recStart === 0 ? s : s.slice(recStart));
    if (final) {
      if (this.inRecord) {
        yield { index: this.index++, line: this.recLine, text: this.takeParts('').slice(0, 80), error: 'unterminated JSON value at end of input' };
      } else if (this.mode === 'array' && !this.arrayClosed) {
        yield { index: this.index++, line: this.line, text: '', error: 'the event array is not closed with ]' };
      }
    }
  }
}

export function parseRecord(index: number, line: number, text: string): EventRecord {
  let v: unknown;
  try {
    v = parseJsonExact(text);
  } catch (e) {
    return { index, line, text, error: `malformed JSON: ${(e as Error).message}` };
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    return { index, line, text, error: `an event must be a JSON object, got ${Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v}` };
  }
  return { index, line, text, event: v as Record<string, unknown> };
}

function countNewlines(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (s.charCodeAt(i) === 10) n++;
  return n;
}

export function eventsInputError(message: string, file?: string, line?: number): SigmaEsError {
  return new SigmaEsError('EVENTS_INVALID', message, { file, line });
}
