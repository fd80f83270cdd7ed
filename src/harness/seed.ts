/**
 * Seeding: create an index from a mapping profile and bulk-load events so that nothing is
 * lost silently. Transient failures are retried with backoff; every document the engine
 * rejects is reported with its reason; the final count is checked against what was read.
 */
import { SigmaEsError } from '../errors';
import { RawJson, type EngineClient } from '../engine/client';
import { indexBody, type MappingProfile } from '../mapping/profile';
import type { HarnessEvent } from './events';

export interface SeedOptions {
  recreate?: boolean;
  batchSize?: number;
  /** Attempts per batch for 429 / 5xx / network errors. */
  retries?: number;
  onProgress?: (done: number, total: number) => void;
  /** Sleep between retries; injectable so tests need not wait. */
  sleep?: (ms: number) => Promise<void>;
}

export interface SeedResult {
  index: string;
  read: number;
  indexed: number;
  rejected: Array<{ id: string; line?: number; status: number; reason: string }>;
  retries: number;
  countInIndex: number;
  ms: number;
}

const TRANSIENT = new Set([429, 502, 503, 504]);

function isTransientError(e: unknown): boolean {
  if (!(e instanceof SigmaEsError)) return false;
  const status = Number(/\bstatus (\d{3})\b/.exec(e.message)?.[1] ?? NaN);
  return TRANSIENT.has(status) || e.code === 'ENGINE_UNREACHABLE' || /ECONNRESET|socket hang up|timed out/i.test(e.message);
}

export async function createIndex(client: EngineClient, index: string, profile: MappingProfile, recreate: boolean): Promise<void> {
  if (await client.indexExists(index)) {
    if (!recreate) {
      throw new SigmaEsError('INDEX_EXISTS', `index '${index}' already exists; pass --recreate to delete and recreate it`);
    }
    await client.deleteIndex(index);
  }
  await client.createIndex(index, indexBody(profile));
}

export async function seedEvents(
  client: EngineClient,
  index: string,
  profile: MappingProfile,
  events: HarnessEvent[],
  opts: SeedOptions = {},
): Promise<SeedResult> {
  const started = Date.now();
  const batchSize = opts.batchSize ?? 1000;
  const maxRetries = opts.retries ?? 5;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  await createIndex(client, index, profile, opts.recreate ?? false);
  const rejected: SeedResult['rejected'] = [];
  let indexed = 0;
  let retries = 0;
  for (let start = 0; start < events.length; start += batchSize) {
    let batch = events.slice(start, start + batchSize);
    for (let attempt = 0; batch.length > 0; attempt++) {
      let result;
      try {
        result = await client.bulk(
          index,
          batch.map((e) => new RawJson(e.json)),
          { ids: batch.map((e) => e.id), refresh: false },
        );
      } catch (e) {
        if (attempt < maxRetries && isTransientError(e)) {
          retries++;
          await sleep(Math.min(200 * 2 ** attempt, 5000));
          continue;
        }
        throw e;
      }
      indexed += result.indexed;
      const again: HarnessEvent[] = [];
      for (const err of result.errors) {
        const ev = batch[err.index];
        if (TRANSIENT.has(err.status) && attempt < maxRetries) again.push(ev);
        else rejected.push({ id: ev.id, line: ev.line, status: err.status, reason: `${err.type}: ${err.reason}` });
      }
      if (again.length) {
        retries++;
        await sleep(Math.min(200 * 2 ** attempt, 5000));
      }
      batch = again;
    }
    opts.onProgress?.(Math.min(start + batchSize, events.length), events.length);
  }
  await client.refresh(index);
  const countInIndex = await client.count(index);
  return { index, read: events.length, indexed, rejected, retries, countInIndex, ms: Date.now() - started };
}

/**
 * The seed is complete when every event read is a document; otherwise say exactly what is
 * missing. `refusalsJudged`: the caller judges each refused document itself (the harness holds
 * it against the evaluator), so only documents missing beyond those make the seed short.
 */
export function seedShortfall(r: SeedResult, refusalsJudged = false): string | undefined {
  if (refusalsJudged ? r.countInIndex === r.read - r.rejected.length : r.rejected.length === 0 && r.countInIndex === r.read) return undefined;
  const lines = [`index '${r.index}' holds ${r.countInIndex} documents but ${r.read} events were read`];
  for (const x of r.rejected.slice(0, 20)) lines.push(`  rejected ${x.id}${x.line ? ` (line ${x.line})` : ''}: ${x.reason}`);
  if (r.rejected.length > 20) lines.push(`  … and ${r.rejected.length - 20} more rejected`);
  if (r.rejected.length === 0) lines.push('  no document was rejected: were two events given the same id?');
  return lines.join('\n');
}
