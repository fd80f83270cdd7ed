/**
 * Events as the harness sees them: an id, the JSON text the engine indexes, and the parsed
 * object the evaluator reads, made from one source so the two can never differ.
 */
import * as fs from 'node:fs';
import { SigmaEsError } from '../errors';
import { checkInputFile } from '../files';
import { RawNumber, readEventRecords } from '../eval/json';
import type { FixtureSet } from './fixtures';

export interface HarnessEvent {
  /** Document id: the fixture case id, the event's own `_id`, or its 0-based position. */
  id: string;
  /** The document as indexed (without `_id`). */
  source: Record<string, unknown>;
  /** Exact JSON text of `source` (numbers keep their written form). */
  json: string;
  /** 1-based line in the input file, when read from one. */
  line?: number;
}

/**
 * JSON text that writes a RawNumber as its source text, so ES indexes what the evaluator reads.
 * Iterative: an event nested 20,000 levels deep is still sent, for the engine to refuse (a
 * recursive walk overflowed the stack).
 */
export function stringifyExact(value: unknown): string {
  const out: string[] = [];
  // each frame: the container, its keys (objects) and the next member to write
  const stack: { v: unknown[] | Record<string, unknown>; keys: string[] | undefined; i: number }[] = [];
  const open = (v: unknown): void => {
    if (v instanceof RawNumber) out.push(v.raw);
    else if (v === null || typeof v !== 'object') out.push(JSON.stringify(v) ?? 'null');
    else if (Array.isArray(v)) (out.push('['), stack.push({ v, keys: undefined, i: 0 }));
    else (out.push('{'), stack.push({ v: v as Record<string, unknown>, keys: Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined), i: 0 }));
  };
  open(value);
  while (stack.length > 0) {
    const f = stack[stack.length - 1];
    if (f.keys === undefined) {
      const a = f.v as unknown[];
      if (f.i === a.length) (out.push(']'), stack.pop());
      else {
        if (f.i > 0) out.push(',');
        const m = a[f.i++];
        open(m === undefined ? null : m);
      }
    } else if (f.i === f.keys.length) (out.push('}'), stack.pop());
    else {
      const k = f.keys[f.i++];
      out.push(`${f.i > 1 ? ',' : ''}${JSON.stringify(k)}:`);
      open((f.v as Record<string, unknown>)[k]);
    }
  }
  return out.join('');
}

function withoutId(ev: Record<string, unknown>): Record<string, unknown> {
  if (!('_id' in ev)) return ev;
  const { _id: _ignored, ...rest } = ev;
  return rest;
}

export function fixtureEvents(set: FixtureSet): HarnessEvent[] {
  return set.cases.map((c) => ({ id: c.id, source: c.event, json: stringifyExact(c.event) }));
}

export interface ReadEventsResult {
  events: HarnessEvent[];
  /** Lines that were not events, with the reason. */
  malformed: Array<{ line: number; index: number; reason: string }>;
}

/**
 * Read an event file (NDJSON, JSON array or objects) for the harness. The harness indexes
 * every event, so it holds them; `match` streams instead. Duplicate `_id`s are an error:
 * two events under one id would silently become one document.
 */
export async function readEventFile(file: string): Promise<ReadEventsResult> {
  if (file !== '-') checkInputFile(file, 'event file');
  const stream = file === '-' ? process.stdin : fs.createReadStream(file, { encoding: 'utf8' });
  const events: HarnessEvent[] = [];
  const malformed: ReadEventsResult['malformed'] = [];
  const seen = new Map<string, number>();
  for await (const r of readEventRecords(stream)) {
    if ('error' in r) {
      malformed.push({ line: r.line, index: r.index, reason: r.error });
      continue;
    }
    const rawId = r.event._id;
    let id: string;
    if (rawId === undefined) id = `event-${r.index}`;
    else if (typeof rawId === 'string' && rawId !== '' && Buffer.byteLength(rawId) <= 512) id = rawId;
    else if (typeof rawId === 'number' || rawId instanceof RawNumber) id = String(rawId instanceof RawNumber ? rawId.raw : rawId);
    else throw new SigmaEsError('EVENTS_INVALID', `'_id' must be a non-empty string of at most 512 bytes`, { file, line: r.line });
    const prev = seen.get(id);
    if (prev !== undefined) {
      throw new SigmaEsError('EVENTS_INVALID', `'_id' ${JSON.stringify(id)} is used again (first on line ${prev}); ids must be unique`, { file, line: r.line });
    }
    seen.set(id, r.line);
    const source = withoutId(r.event);
    events.push({ id, source, json: stringifyExact(source), line: r.line });
  }
  return { events, malformed };
}
