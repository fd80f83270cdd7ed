/**
 * The one path from rule files to IR: read files and folders, parse every YAML document,
 * apply the pipelines per rule, build the IR, apply filters, resolve correlations.
 * Every command (check, convert, match, test) goes through here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SigmaEsError, fileError } from './errors';
import { IDENTITY_RESOLVER, buildRule, type BuildOptions, type FieldResolver } from './ir/build';
import type { IrCorrelation, IrDocument, IrRule } from './ir/types';
import type { SigmaCorrelation, SigmaDocument, SigmaFilter, SigmaRule } from './sigma/model';
import { parseFile, type ParsedFile } from './sigma/parse-file';
import { parsedAhead, withParseAhead } from './sigma/parse-ahead';
import { chunksOf, runChunks } from './parallel';
import { applyPipelines, builtinPipelineNames, loadPipeline, type Pipeline } from './pipeline';

export interface CompileOptions extends BuildOptions {
  /** Builtin pipeline names or YAML files, in the order given (sorted by priority when applied). */
  pipelines?: string[];
  /** Extra filter documents (files) applied to the rules. */
  filters?: string[];
  /**
   * false: validate only, leave `doc` unset on rule entries (unless a correlation needs them),
   * so a large set is not held in memory as IR when only its errors are wanted (`check`).
   */
  keepIr?: boolean;
  /** false: leave `source` unset, for callers that need only the IR (the evaluator). */
  keepSource?: boolean;
}

export interface CompileEntry {
  file: string;
  /** Index of the YAML document in the file. */
  index: number;
  /** Rule id or title, when known. */
  label?: string;
  doc?: IrDocument;
  /** The validated model, for commands that need what was written. */
  source?: SigmaDocument;
  errors: SigmaEsError[];
  warnings: string[];
}

export interface CompileResult {
  files: number;
  entries: CompileEntry[];
}

const RULE_EXT = /\.ya?ml$/i;
/** Fixture sets (docs/fixtures.md) live beside rules but are not Sigma. */
const FIXTURE_EXT = /\.fixture\.ya?ml$/i;

/** Rule files under the given paths, sorted so output order never depends on the file system. */
export function collectRuleFiles(paths: string[]): { files: string[]; errors: SigmaEsError[] } {
  const files: string[] = [];
  const errors: SigmaEsError[] = [];
  const isRuleFile = (p: string): boolean => RULE_EXT.test(p) && !FIXTURE_EXT.test(p);
  const walkDir = (dir: string): void => {
    // entry types come with the listing: no stat per file (thousands in a corpus)
    const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walkDir(p);
      else if (e.isFile()) {
        if (isRuleFile(p)) files.push(p);
      } else if (e.isSymbolicLink()) walk(p, false);
    }
  };
  const walk = (p: string, explicit: boolean): void => {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch {
      errors.push(new SigmaEsError('FILE_NOT_FOUND', `no such file or folder: ${p}`, { file: p }));
      return;
    }
    if (st.isDirectory()) {
      const before = files.length;
      walkDir(p);
      // a folder named on the command line that holds no rule is a wrong path more often than not:
      // said, so that a CI job pointed at it does not pass on zero rules
      if (explicit && files.length === before) errors.push(new SigmaEsError('NO_RULE_FILES', `no rule files (.yml, .yaml) in the folder ${p}`, { file: p }));
    } else if (explicit || isRuleFile(p)) files.push(p);
  };
  for (const p of paths) walk(p, true);
  return { files, errors };
}

/**
 * Loaded pipelines by their names (and, for files, size and modification time): a set compiled
 * in chunks loads them once, and keeps one identity for the per-log-source cache below.
 */
const pipelineCache = new Map<string, Pipeline[]>();

export function loadPipelines(names: string[]): Pipeline[] {
  const key = names
    .map((n) => {
      // a builtin name wins over a file of that name (loadPipeline) and never changes
      if (builtinPipelineNames().includes(n)) return n;
      // a missing file, which loadPipeline reports, has no stats
      try {
        const st = fs.statSync(n, { throwIfNoEntry: false });
        return st ? `${n}\u0000${st.size}\u0000${st.mtimeMs}` : n;
      } catch {
        return n;
      }
    })
    .join('\u0001');
  let loaded = pipelineCache.get(key);
  if (!loaded) {
    loaded = names.map((n) => loadPipeline(n));
    if (pipelineCache.size > 32) pipelineCache.clear();
    pipelineCache.set(key, loaded);
  }
  return loaded;
}

/** Pipelines depend only on the log source, and a corpus has a few dozen distinct ones: apply each once. */
const resolverCache = new WeakMap<Pipeline[], Map<string, FieldResolver>>();

function resolverFor(pipelines: Pipeline[], rule: SigmaRule): FieldResolver {
  if (pipelines.length === 0) return IDENTITY_RESOLVER;
  let byLogsource = resolverCache.get(pipelines);
  if (!byLogsource) resolverCache.set(pipelines, (byLogsource = new Map()));
  const ls = rule.meta.logsource;
  const key = `${ls.category ?? ''}\u0000${ls.product ?? ''}\u0000${ls.service ?? ''}`;
  let r = byLogsource.get(key);
  if (!r) byLogsource.set(key, (r = applyPipelines(pipelines, ls)));
  return r;
}

/** Compile already-parsed files together: filters and correlations may refer across files. */
function compileParsed(parsed: ParsedFile[], options: CompileOptions, extraFilters: SigmaFilter[]): CompileEntry[] {
  const pipelines = loadPipelines(options.pipelines ?? []);
  const entries: CompileEntry[] = [];
  const all = parsed.flatMap((pf) => pf.docs.map((d) => ({ file: pf.file, ...d })));
  const filters = [...extraFilters, ...all.flatMap((d) => (d.doc?.kind === 'filter' ? [d.doc] : []))];
  const rulesByRef = new Map<string, { rule: IrRule | undefined; entry: CompileEntry }>();
  const keepIr = options.keepIr !== false || all.some((d) => d.doc?.kind === 'correlation');

  for (const d of all) {
    const entry: CompileEntry = { file: d.file, index: d.index, label: d.label, source: d.doc, errors: [...d.errors], warnings: [] };
    entries.push(entry);
    if (!d.doc || d.doc.kind !== 'rule') continue;
    const rule = d.doc;
    try {
      const built = buildRule(rule, resolverFor(pipelines, rule), filters, options);
      if (keepIr) entry.doc = built.rule;
      entry.warnings.push(...built.warnings);
    } catch (e) {
      entry.errors.push(fileError(e, d.file, d.label));
    }
    for (const ref of [rule.meta.id, rule.meta.name]) if (ref) rulesByRef.set(ref, { rule: entry.doc as IrRule | undefined, entry });
  }

  // Correlations may reference correlations, so resolve in dependency order.
  const corrEntries = entries.filter((e) => e.source?.kind === 'correlation');
  const corrByRef = new Map<string, CompileEntry>();
  for (const e of corrEntries) {
    const c = e.source as SigmaCorrelation;
    for (const ref of [c.meta.id, c.meta.name]) if (ref) corrByRef.set(ref, e);
  }
  const resolving = new Set<CompileEntry>();
  const resolve = (e: CompileEntry): IrCorrelation | undefined => {
    if (e.doc) return e.doc as IrCorrelation;
    if (e.errors.length) return undefined;
    const c = e.source as SigmaCorrelation;
    if (resolving.has(e)) {
      e.errors.push(new SigmaEsError('INVALID_CORRELATION', 'correlation rules refer to each other in a cycle', { file: e.file, rule: e.label }));
      return undefined;
    }
    resolving.add(e);
    const refs: Array<IrRule | IrCorrelation> = [];
    for (const ref of c.rules) {
      const r = rulesByRef.get(ref);
      const cc = corrByRef.get(ref);
      if (r) {
        if (!r.rule) {
          e.errors.push(new SigmaEsError('INVALID_CORRELATION', `referenced rule '${ref}' is itself invalid`, { file: e.file, rule: e.label }));
          continue;
        }
        refs.push(r.rule);
      } else if (cc) {
        const inner = resolve(cc);
        if (!inner) {
          e.errors.push(new SigmaEsError('INVALID_CORRELATION', `referenced correlation '${ref}' is invalid`, { file: e.file, rule: e.label }));
          continue;
        }
        refs.push(inner);
      } else {
        e.errors.push(
          new SigmaEsError('UNKNOWN_RULE_REFERENCE', `correlation refers to '${ref}', which is not the id or name of any rule given`, {
            file: e.file,
            rule: e.label,
          }),
        );
      }
    }
    resolving.delete(e);
    if (e.errors.length) return undefined;
    // Group-by and value fields are mapped with the first referenced rule's pipeline view; aliases per rule.
    const firstRule = refs.find((r): r is IrRule => r.kind === 'rule');
    const firstSource = firstRule ? (all.find((d) => d.doc?.kind === 'rule' && d.doc.meta === firstRule.meta)?.doc as SigmaRule | undefined) : undefined;
    const mapOne = (f: string, src?: SigmaRule): string => {
      if (!src) return f;
      const m = resolverFor(pipelines, src).mapField(f);
      return m[0] ?? f;
    };
    const aliases: IrCorrelation['aliases'] = {};
    for (const [alias, perRule] of Object.entries(c.aliases)) {
      aliases[alias] = {};
      for (const [ref, field] of Object.entries(perRule)) {
        const src = rulesByRef.get(ref)?.entry.source as SigmaRule | undefined;
        aliases[alias][ref] = mapOne(field, src?.kind === 'rule' ? src : undefined);
      }
    }
    const doc: IrCorrelation = {
      kind: 'correlation',
      meta: c.meta,
      file: c.file,
      type: c.type,
      rules: refs,
      ruleRefs: c.rules,
      groupBy: c.groupBy.map((g) => (g in c.aliases ? g : mapOne(g, firstSource))),
      aliases,
      timespanMs: c.timespanMs,
      timespan: c.timespan,
      condition: { ...c.condition, field: c.condition.field ? mapOne(c.condition.field, firstSource) : undefined },
      generate: c.generate,
    };
    e.doc = doc;
    return doc;
  };
  for (const e of corrEntries) {
    try {
      resolve(e);
    } catch (err) {
      e.errors.push(fileError(err, e.file, e.label));
    }
  }
  return entries;
}

/** Filter documents from --filter files, with the problems found in them. */
export function loadFilterFiles(files: string[]): { filters: SigmaFilter[]; errors: SigmaEsError[] } {
  const filters: SigmaFilter[] = [];
  const errors: SigmaEsError[] = [];
  for (const f of files) {
    for (const d of parseFile(f).docs) {
      errors.push(...d.errors);
      if (d.doc?.kind === 'filter') filters.push(d.doc);
      else if (d.doc) errors.push(new SigmaEsError('INVALID_FILTER', 'a --filter file must hold filter documents (with a filter: section)', { file: f, rule: d.label }));
    }
  }
  return { filters, errors };
}

/** Compile rule files and folders. Never throws for bad input: every problem is in an entry's errors. */
export function compilePaths(paths: string[], options: CompileOptions = {}): CompileResult & { errors: SigmaEsError[] } {
  const { files, errors } = collectRuleFiles(paths);
  const compiled = compileFiles(files, options);
  return { ...compiled, errors: [...errors, ...compiled.errors] };
}

/**
 * Compile files already listed by collectRuleFiles (the shards of `check` and `convert`): they
 * are not looked up again, which would stat each of a corpus's thousands of files a second time.
 */
export function compileFiles(files: string[], options: CompileOptions = {}): CompileResult & { errors: SigmaEsError[] } {
  const { filters, errors: filterErrors } = loadFilterFiles(options.filters ?? []);
  const compile = (chunk: string[]): CompileEntry[] => {
    const entries = compileParsed(chunk.map((f) => parsedAhead(f) ?? parseFile(f)), options, filters);
    if (options.keepSource === false) for (const e of entries) e.source = undefined;
    return entries;
  };
  // Chunk by chunk, so each chunk's YAML and model die young; a set whose documents refer
  // across files is compiled whole instead.
  // (files parsed on a worker ahead of this thread when there are many: sigma/parse-ahead.ts)
  const chunked = withParseAhead(files, () =>
    runChunks(
      (chunk: string[]) => {
        const entries = compile(chunk);
        return { results: entries, crossFile: crossFileDocuments(entries) };
      },
      chunksOf(files),
      undefined,
    ),
  );
  const entries = chunked.crossFile ? withParseAhead(files, () => compile(files)) : chunked.chunks.flat();
  return { files: files.length, entries, errors: filterErrors };
}

/**
 * Whether any document refers across files (filters apply to rules of other files,
 * correlations name them): such a set must be compiled whole, not in shards.
 */
export function crossFileDocuments(entries: CompileEntry[]): boolean {
  return entries.some((e) => e.source?.kind === 'filter' || e.source?.kind === 'correlation');
}

/** Compile YAML text (tests, stdin). Throws the first error, for callers that want documents or nothing. */
export function compileYaml(text: string, options: CompileOptions & { file?: string } = {}): IrDocument[] {
  const entries = compileParsed([parseFile(options.file ?? '<yaml>', text)], options, []);
  const docs: IrDocument[] = [];
  for (const e of entries) {
    if (e.errors.length) throw e.errors[0];
    if (e.doc) docs.push(e.doc);
  }
  return docs;
}
