import * as fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { Command } from 'commander';
import { describeError, SigmaEsError } from '../../errors';
import { checkInputFile } from '../../files';
import { EXIT_FAIL, EXIT_OK, UsageError, collect, positiveInt } from '../output';
import { loadRules, processBatch, rulesInfo, type BatchResult, type LoadedRules, type MatchSetup, type RawRecord, type RulesInfo } from '../../eval/batch';
import { RecordSplitter, parseRecord } from '../../eval/json';
import { prepareEvent } from '../../eval/event';
import { defaultProfileName, profileNames } from '../../mapping/profile';
import { workerScript } from '../../worker-script';

export interface MatchOptions {
  events: string;
  pipeline?: string[];
  profile?: string;
  explain?: boolean;
  json?: boolean;
  workers?: number;
  onError?: string;
  timestampField?: string;
  batchSize?: number;
}

export interface MatchSummary {
  rules: number;
  invalidRules: number;
  events: number;
  malformed: number;
  rejected: number;
  matches: number;
  alerts: number;
  seconds: number;
}

/** A writer may return a promise: no more input is read until it settles (a slow reader's backpressure). */
type Write = (s: string) => void | boolean | Promise<void>;

// Output goes out in pieces of at most this many lines: a batch's lines joined into one string of
// a few hundred KB would be allocated straight into V8's old generation, which only a full GC frees.
const LINES_PER_WRITE = 128;

/**
 * Run `match`. Output lines go to `out` (one NDJSON line per match, then correlation alerts),
 * messages and the summary to `err`. Returns the exit code.
 */
export async function runMatch(rules: string[], opts: MatchOptions, writeOut: Write, err: Write): Promise<number> {
  let backlog: Promise<void> | undefined;
  const out = (s: string): void => {
    const r = writeOut(s);
    if (r instanceof Promise) backlog = r;
  };
  const outLines = (lines: string[], n = lines.length): void => {
    for (let i = 0; i < n; i += LINES_PER_WRITE) out(lines.slice(i, Math.min(n, i + LINES_PER_WRITE)).join('\n') + '\n');
  };
  const settle = async (): Promise<void> => {
    while (backlog) {
      const b = backlog;
      backlog = undefined;
      await b;
    }
  };
  const t0 = process.hrtime.bigint();
  const onError = opts.onError ?? 'skip';
  if (onError !== 'skip' && onError !== 'fail') throw new UsageError(`--on-error must be skip or fail, got '${onError}'`);
  const pipelines = opts.pipeline ?? [];
  const profile = opts.profile ?? defaultProfileName(pipelines);
  if (!profileNames().includes(profile)) throw new UsageError(`unknown --profile '${profile}'; known: ${profileNames().join(', ')}`);
  const setup: MatchSetup = {
    paths: rules,
    pipelines,
    profile,
    timestampField: opts.timestampField ?? '@timestamp',
    explain: !!opts.explain,
    json: !!opts.json,
  };
  const workers = opts.workers ?? 1;
  const pool: Worker[] = [];
  let loaded: LoadedRules | null = null;
  let info: RulesInfo;
  let input: NodeJS.ReadableStream;
  try {
    if (workers <= 1) {
      loaded = loadRules(setup);
      info = rulesInfo(loaded);
    } else {
      // The workers compile the rules and report what the main thread prints; the main thread only
      // splits records and writes output, so compiling them here too (as before) cost a third
      // compilation on a two-core machine. It still loads them when it runs the correlations, or to
      // throw a worker's load error as one thread would.
      const { file, execArgv } = workerScript('eval/worker');
      const ready: Promise<RulesInfo | null>[] = [];
      for (let i = 0; i < workers; i++) {
        const w = new Worker(file, { workerData: setup, execArgv });
        pool.push(w);
        ready.push(
          new Promise((res, rej) => {
            w.once('error', rej);
            w.once('message', (m: { info: RulesInfo | null }) => res(m.info));
          }),
        );
      }
      const infos = await Promise.all(ready);
      const first = infos[0];
      if (first && infos.every((x) => x !== null) && first.correlations === 0) info = first;
      else {
        loaded = loadRules(setup);
        info = rulesInfo(loaded);
        if (!infos.every((x) => x !== null)) throw new Error('a match worker could not load the rules');
      }
    }
    for (const e of info.errors) err(`${e}\n`);
    for (const w of info.warnings) err(`warning: ${w}\n`);
    if (info.rules === 0) throw new SigmaEsError('NO_RULES', `no valid rule found in ${rules.join(', ')}`);

    if (opts.events === '-') input = process.stdin;
    else {
      checkInputFile(opts.events, 'events file');
      // 64 KiB reads: a chunk, and the records sliced from it, stay small enough for the young
      // generation (1 MiB chunks went straight to the old one and piled up until a full GC)
      input = fs.createReadStream(opts.events, { highWaterMark: 1 << 16 });
    }
  } catch (e) {
    await Promise.all(pool.map((w) => w.terminate()));
    throw e;
  }
  const eventsName = opts.events === '-' ? '<stdin>' : opts.events;

  const summary: MatchSummary = { rules: info.rules, invalidRules: info.errors.length, events: 0, malformed: 0, rejected: 0, matches: 0, alerts: 0, seconds: 0 };
  // loaded is set whenever there are correlations
  const corrRuleset = info.correlations > 0 && loaded ? loaded.ruleset : null;
  const corr = corrRuleset ? corrRuleset.newCorrelationEngine() : null;
  let failed: string | null = null;

  const consume = (r: BatchResult): void => {
    if (failed) return;
    // Records are in input order within a batch; lines and errors are interleaved back by index.
    for (const e of r.errors) {
      summary.malformed++;
      err(`${eventsName}:${e.line}: EVENT_MALFORMED ${e.message}${onError === 'skip' ? ' (skipped)' : ''}\n`);
      if (onError === 'fail') {
        failed = `${eventsName}:${e.line}`;
        // what came before the bad record is still reported
        const b = e.before ?? { lines: 0, events: 0, rejected: 0, matches: 0 };
        summary.events += b.events;
        summary.rejected += b.rejected;
        summary.matches += b.matches;
        if (b.lines) outLines(r.lines, b.lines);
        break;
      }
    }
    if (failed) return;
    summary.events += r.events;
    summary.rejected += r.rejected;
    summary.matches += r.matches;
    if (r.lines.length) outLines(r.lines);
    if (corr) {
      for (const c of r.corr) {
        const rec = parseRecord(c.index, 0, c.text);
        if ('event' in rec && corrRuleset) corr.add(prepareEvent(rec.event, corrRuleset.profile), c.index, new Set(c.matched));
      }
    }
  };

  // one thread: small batches, so that a batch's events and output die young
  const batchSize = opts.batchSize ?? (workers <= 1 ? 64 : 512);
  const splitter = new RecordSplitter(false);
  let batch: RawRecord[] = [];

  if (loaded && workers <= 1) {
    const one = loaded;
    for await (const chunk of input) {
      for (const rec of splitter.push(typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8'))) {
        batch.push({ index: rec.index, line: rec.line, text: rec.text });
        if ('error' in rec) {
          consume({ lines: [], errors: [], corr: [], events: 0, rejected: 0, matches: 0, ...flushWithError(batch, rec.error, one, setup, consume) });
          batch = [];
        } else if (batch.length >= batchSize) {
          consume(processBatch(one, setup, batch));
          batch = [];
        }
        if (failed) break;
      }
      if (failed) break;
      await settle();
    }
    if (!failed) {
      for (const rec of splitter.end()) {
        batch.push({ index: rec.index, line: rec.line, text: rec.text });
        if ('error' in rec) {
          consume({ lines: [], errors: [], corr: [], events: 0, rejected: 0, matches: 0, ...flushWithError(batch, rec.error, one, setup, consume) });
          batch = [];
        }
      }
      if (batch.length) consume(processBatch(one, setup, batch));
    }
  } else {
    const pending = new Map<number, BatchResult>();
    const waiters = new Map<number, () => void>();
    let nextOut = 0;
    let seq = 0;
    let inFlight = 0;
    let slot: (() => void) | null = null;
    let workerError: Error | null = null;
    for (const w of pool) {
      w.on('message', (m: { seq: number; result: BatchResult }) => {
        pending.set(m.seq, m.result);
        inFlight--;
        while (pending.has(nextOut)) {
          consume(pending.get(nextOut) as BatchResult);
          pending.delete(nextOut);
          waiters.get(nextOut)?.();
          nextOut++;
        }
        slot?.();
      });
      w.on('error', (e) => {
        workerError = e;
        slot?.();
      });
    }
    const dispatch = async (records: RawRecord[]): Promise<void> => {
      await settle();
      while (inFlight >= workers * 4 && !workerError) await new Promise<void>((res) => (slot = res));
      if (workerError) throw workerError;
      const s = seq++;
      inFlight++;
      pool[s % workers].postMessage({ seq: s, records });
    };
    // Malformed records found by the splitter itself (structure errors) travel as one-record batches
    // so they are reported in order too.
    const feed = async (rec: RawRecord & { error?: string }): Promise<void> => {
      if (rec.error !== undefined) {
        if (batch.length) await dispatch(batch);
        batch = [];
        await dispatch([{ index: rec.index, line: rec.line, text: '\u0000' + rec.error }]);
        return;
      }
      batch.push(rec);
      if (batch.length >= batchSize) {
        await dispatch(batch);
        batch = [];
      }
    };
    try {
      for await (const chunk of input) {
        for (const rec of splitter.push(typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8'))) await feed(rec as RawRecord & { error?: string });
        if (failed) break;
      }
      if (!failed) {
        for (const rec of splitter.end()) await feed(rec as RawRecord & { error?: string });
        if (batch.length) await dispatch(batch);
      }
      const last = seq - 1;
      if (last >= nextOut && !failed) await new Promise<void>((res) => waiters.set(last, res));
    } finally {
      await Promise.all(pool.map((w) => w.terminate()));
    }
  }

  if (corr && !failed) {
    for (const a of corr.finish()) {
      summary.alerts++;
      const c = a.correlation;
      out(
        JSON.stringify({
          correlation: { id: c.meta.id ?? null, title: c.meta.title, level: c.meta.level ?? null, type: c.type },
          group: a.group,
          window: { start: new Date(a.start).toISOString(), end: new Date(a.end).toISOString() },
          value: a.value,
          events: a.events,
        }) + '\n',
      );
    }
  }
  await settle();
  summary.seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (opts.json) err(JSON.stringify({ summary }) + '\n');
  else
    err(
      `match: ${summary.events} event(s), ${summary.matches} match(es), ${summary.alerts} correlation alert(s); ${summary.rules} rule(s) run, ` +
        `${summary.invalidRules} rule error(s); ${summary.malformed} malformed record(s) ${onError === 'skip' ? 'skipped' : ''}, ` +
        `${summary.rejected} event(s) Elasticsearch would reject; ${summary.seconds.toFixed(2)} s\n`,
    );
  if (failed) return EXIT_FAIL;
  return summary.invalidRules > 0 ? EXIT_FAIL : EXIT_OK;
}

/** A structural error from the splitter: process what came before it, then report it, in order. */
function flushWithError(
  batch: RawRecord[],
  error: string,
  loaded: ReturnType<typeof loadRules>,
  setup: MatchSetup,
  consume: (r: BatchResult) => void,
): Partial<BatchResult> {
  const bad = batch.pop() as RawRecord;
  if (batch.length) consume(processBatch(loaded, setup, batch));
  return { errors: [{ index: bad.index, line: bad.line, message: error }] };
}

// One wait per stream: a batch's output goes out in several writes before the next settle,
// and a listener trio per write piled up past Node's leak warning on large --explain runs.
const draining = new WeakMap<NodeJS.WriteStream, Promise<void>>();

/** Settles when the stream can take more, or can take nothing more (closed, failed). */
function drained(stream: NodeJS.WriteStream): Promise<void> {
  let wait = draining.get(stream);
  if (!wait) {
    wait = new Promise((resolve) => {
      const done = (): void => {
        stream.off('drain', done).off('close', done).off('error', done);
        draining.delete(stream);
        resolve();
      };
      stream.once('drain', done).once('close', done).once('error', done);
    });
    draining.set(stream, wait);
  }
  return wait;
}

export function registerMatchCommand(program: Command): void {
  program
    .command('match')
    .description('evaluate Sigma rules natively on JSON events (NDJSON, a JSON array or one object); one NDJSON line per match')
    .argument('<rules...>', 'rule files or folders')
    .requiredOption('--events <file|->', "events file, or '-' for standard input")
    .option('-p, --pipeline <name>', 'processing pipeline (builtin name or YAML file), repeatable', collect, [])
    .option('--profile <name>', `index mapping profile (${profileNames().join(', ')}); default: ecs with -p ecs_windows, defender with -p defender_xdr, else sysmon`)
    .option('--explain', 'show, per rule and event, which detection items and values matched or failed')
    .option('--json', 'summary (and --explain output) as JSON')
    .option('--workers <n>', 'worker threads', positiveInt('--workers'), 1)
    .option('--on-error <mode>', 'malformed event records: skip (report and go on) or fail', 'skip')
    .option('--timestamp-field <field>', 'date field ordering events for correlations', '@timestamp')
    .action(async (rules: string[], opts: MatchOptions) => {
      const code = await runMatch(rules, opts, (s) => (process.stdout.write(s) ? undefined : drained(process.stdout)), (s) => process.stderr.write(s));
      process.exitCode = code;
    });
}
