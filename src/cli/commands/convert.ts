import * as fs from 'node:fs';
import type { Command } from 'commander';
import { collectRuleFiles, compileFiles, crossFileDocuments, loadFilterFiles, type CompileEntry } from '../../compile';
import { isSigmaEsError, SigmaEsError, describeError } from '../../errors';
import type { IrDocument } from '../../ir/types';
import { defaultProfileName, getProfile, profileNames, type MappingProfile } from '../../mapping/profile';
import { isTarget, translate, TARGETS, type Target, type Translation } from '../../backends';
import type { KibanaRuleType } from '../../backends/kibana';
import { DEFAULT_WORKERS, runSharded, type ShardResult } from '../../parallel';
import { EXIT_FAIL, EXIT_OK, UsageError, checkOutputFile, collect, writeOutputFile } from '../output';
import { parseWorkers } from './check';

export interface ConvertOptions {
  target: Target;
  pipelines: string[];
  profile: MappingProfile;
  index?: string;
  kibanaRuleType?: KibanaRuleType;
  filters?: string[];
  /**
   * Render each record's printed form in its chunk (`text`) and drop the query object: a
   * corpus's translations then live as flat strings, not object graphs that every young-generation
   * collection copies until the end of the run. Unset: records keep `query` (the API's default).
   */
  output?: OutputForm;
}

/** How `convert` prints a record: NDJSON line, Kibana NDJSON, or the readable query. */
export type OutputForm = 'json' | 'kibana' | 'readable';

export interface ConvertRecord {
  file: string;
  id: string | null;
  title: string | null;
  target: Target;
  ok: boolean;
  query?: unknown;
  warnings?: string[];
  error?: { code: string; message: string; rule: string | null; item: string | null; line: number | null; column: number | null; text: string };
  /** Translation errors (the rule is valid Sigma but has no exact rendering) can be skipped. */
  unsupported?: boolean;
  /** With `output`: what the command prints for this record (none for a failed rule outside --json). */
  text?: string;
}

/** Errors that say "valid rule, no exact translation" rather than "broken rule". */
const UNSUPPORTED_CODES = /UNSUPPORTED|PLACEHOLDER|FAILURE/;

function errorJson(e: SigmaEsError): NonNullable<ConvertRecord['error']> {
  const l = e.location;
  return { code: e.code, message: e.message, rule: l.rule ?? null, item: l.item ?? null, line: l.line ?? null, column: l.column ?? null, text: e.format() };
}

function record(entry: CompileEntry, doc: IrDocument | undefined, target: Target): Pick<ConvertRecord, 'file' | 'id' | 'title' | 'target'> {
  // a rule that parsed but did not build still has its id and title as written
  const meta = doc?.meta ?? (entry.source && entry.source.kind !== 'filter' ? entry.source.meta : undefined);
  return { file: entry.file, id: meta?.id ?? null, title: meta?.title ?? entry.label ?? null, target };
}

/** Referenced rules of a correlation are not output on their own unless it says `generate: true`. */
function hiddenRules(entries: CompileEntry[]): Set<IrDocument> {
  const hidden = new Set<IrDocument>();
  const keys = new Set<string>();
  for (const e of entries) {
    const d = e.doc;
    if (d?.kind !== 'correlation' || d.generate) continue;
    for (const r of d.rules) {
      hidden.add(r);
      keys.add(`${r.file ?? ''}\0${r.meta.id ?? r.meta.name ?? r.meta.title}`);
    }
  }
  for (const e of entries) {
    const d = e.doc;
    if (d?.kind === 'rule' && keys.has(`${d.file ?? e.file}\0${d.meta.id ?? d.meta.name ?? d.meta.title}`)) hidden.add(d);
  }
  return hidden;
}

/** One shard of `convert` (parallel.ts): compile the given files together and translate each rule. */
export function convertFiles(files: string[], opts: ConvertOptions): ShardResult<ConvertRecord> {
  const result = compileFiles(files, { pipelines: opts.pipelines, filters: opts.filters });
  const hidden = hiddenRules(result.entries);
  const records: ConvertRecord[] = [];
  for (const entry of result.entries) {
    const doc = entry.doc;
    if (doc && hidden.has(doc)) continue;
    const base = record(entry, doc, opts.target);
    if (entry.errors.length || !doc) {
      const e = entry.errors[0] ?? new SigmaEsError('INVALID_RULE', 'the document could not be compiled', { file: entry.file });
      records.push({ ...base, ok: false, error: errorJson(e), unsupported: UNSUPPORTED_CODES.test(e.code) });
      continue;
    }
    try {
      const t: Translation = translate(doc, opts.target, { profile: opts.profile, index: opts.index, kibanaRuleType: opts.kibanaRuleType });
      records.push({ ...base, ok: true, query: t.query, warnings: [...entry.warnings, ...t.warnings] });
    } catch (e) {
      if (!isSigmaEsError(e)) throw e;
      e.at({ file: entry.file, rule: doc.meta.id ?? doc.meta.title });
      records.push({ ...base, ok: false, error: errorJson(e), unsupported: UNSUPPORTED_CODES.test(e.code) });
    }
  }
  if (opts.output) for (const r of records) printed(r, opts.output);
  return { crossFile: crossFileDocuments(result.entries), results: records };
}

/** Sets `r.text` to what the command prints for it, and drops the query it was made from. */
function printed(r: ConvertRecord, form: OutputForm): void {
  if (form === 'json') {
    const { unsupported: _u, ...line } = r;
    void _u;
    r.text = JSON.stringify(line);
  } else if (r.ok) r.text = form === 'kibana' ? JSON.stringify(r.query) : readable(r);
  delete r.query;
}

/**
 * Compile and translate; one record per rule document, in file order. `workers` threads share
 * the files (parallel.ts); the records are the same.
 */
export async function runConvert(paths: string[], opts: ConvertOptions, workers?: number): Promise<{ files: number; records: ConvertRecord[]; errors: SigmaEsError[] }> {
  const { files, errors } = collectRuleFiles(paths);
  // --filter files are checked once here; every shard then loads the same filters.
  errors.push(...loadFilterFiles(opts.filters ?? []).errors);
  const records = await runSharded<ConvertOptions, ConvertRecord>(
    files,
    { module: __filename.replace(/\.[jt]s$/, ''), fn: 'convertFiles', payload: opts },
    workers ?? DEFAULT_WORKERS,
    { regexWorker: true, parseAhead: true },
  );
  return { files: files.length, records, errors };
}

/** What a person reads: the query itself, headed by the rule it came from. */
function readable(r: ConvertRecord): string {
  const head = `# ${r.title ?? '(untitled)'}${r.id ? ` [${r.id}]` : ''} (${r.file})`;
  const warnings = (r.warnings ?? []).map((w) => `# warning: ${w}`);
  let body: string;
  if (r.target === 'kibana-ndjson') body = JSON.stringify(r.query);
  else if (typeof r.query === 'string') body = r.query;
  else {
    const q = r.query as { kind?: string; body?: unknown };
    body = JSON.stringify(q.kind === 'rule' ? q.body : q, null, 2);
  }
  return [head, ...warnings, body, ''].join('\n');
}

export function registerConvertCommand(program: Command): void {
  program
    .command('convert')
    .description('translate Sigma rules to Elasticsearch (files or folders, recursive)')
    .argument('<paths...>', 'rule files or folders')
    .requiredOption('-t, --target <target>', `output: ${TARGETS.join(' | ')}`)
    .option('-p, --pipeline <name|file>', 'processing pipeline, builtin name or YAML file (repeatable)', collect, [])
    .option('--profile <name>', `index mapping profile (${profileNames().join(', ')}); default: ecs with -p ecs_windows, defender with -p defender_xdr, else sysmon`)
    .option('--index <pattern>', 'index pattern for ES|QL FROM and Kibana rules (default *)')
    .option('--kibana-rule-type <type>', 'kibana-ndjson: how plain rules are expressed: query (DSL filter, default) | lucene | eql | esql')
    .option('--filter <file>', 'Sigma filter document to apply (repeatable)', collect, [])
    .option('-o, --output <file>', 'write the translations to this file instead of stdout')
    .option('--json', 'NDJSON: one line per rule, {"file","id","title","target","ok","query"|"error"}')
    .option('--skip-unsupported', 'report rules that cannot be translated exactly, skip them, and still exit 0')
    .option('--workers <n>', 'threads to spread the files over (default 1: on 2 cores a second thread costs more JIT warm-up than it saves)')
    .addHelpText(
      'after',
      [
        '',
        'Every rule is translated exactly or not at all: a construct a target cannot express',
        'exactly is an error naming the rule, the detection item and the reason (docs/translation.md).',
        '',
        'Exit status: 0 when every rule was translated (or skipped with --skip-unsupported),',
        '1 when any rule failed, 2 on usage errors.',
        '',
        'Examples:',
        '  sigma-es convert -t dsl -p sysmon -p ecs_windows rules/',
        '  sigma-es convert -t kibana-ndjson --index "logs-*" -o rules.ndjson sigma/',
      ].join('\n'),
    )
    .action(
      async (
        paths: string[],
        o: { target: string; pipeline: string[]; profile?: string; index?: string; kibanaRuleType?: string; filter: string[]; output?: string; json?: boolean; skipUnsupported?: boolean; workers?: string },
      ) => {
        if (!isTarget(o.target)) throw new UsageError(`unknown target '${o.target}'; choose one of ${TARGETS.join(', ')}`);
        const profileName = o.profile ?? defaultProfileName(o.pipeline);
        const profile = getProfile(profileName);
        if (!profile) throw new UsageError(`unknown profile '${profileName}'; choose one of ${profileNames().join(', ')}`);
        const kinds = ['query', 'lucene', 'eql', 'esql'];
        if (o.kibanaRuleType && !kinds.includes(o.kibanaRuleType)) throw new UsageError(`--kibana-rule-type must be one of ${kinds.join(', ')}`);
        const workers = parseWorkers(o.workers);
        if (o.output) checkOutputFile(o.output, '--output');
        const output: OutputForm = o.json ? 'json' : o.target === 'kibana-ndjson' ? 'kibana' : 'readable';
        const { files, records, errors } = await runConvert(
          paths,
          { target: o.target, pipelines: o.pipeline, profile, index: o.index, kibanaRuleType: o.kibanaRuleType as KibanaRuleType | undefined, filters: o.filter, output },
          workers,
        );
        const out: string[] = [];
        let failed = errors.length;
        let skipped = 0;
        for (const e of errors) process.stderr.write(`${describeError(e)}\n`);
        for (const r of records) {
          if (!r.ok) {
            const skip = !!o.skipUnsupported && !!r.unsupported;
            if (skip) skipped++;
            else failed++;
            process.stderr.write(`${skip ? 'skipped: ' : ''}${r.error!.text}\n`);
          }
          if (r.text !== undefined) out.push(r.text);
        }
        const text = out.length ? `${out.join('\n')}\n` : '';
        if (o.output) writeOutputFile(o.output, text);
        else process.stdout.write(text);
        const ok = records.filter((r) => r.ok).length;
        if (!o.json || o.output) {
          process.stderr.write(`${files} files, ${records.length} rules: ${ok} translated to ${o.target}, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
        }
        process.exitCode = failed === 0 ? EXIT_OK : EXIT_FAIL;
      },
    );
}
