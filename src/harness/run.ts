/**
 * The differential harness: the same events go into a real engine and into the native
 * evaluator, the same rules run on both, and the matched document ids are compared three
 * ways: engine (per target rendering) vs evaluator vs the fixtures' expected verdicts.
 * Any difference is a failure, reported with the leaf the evaluator blames.
 */
import * as path from 'node:path';
import { correlationMatches, luceneQuery, dslQuery, eqlCondition, esqlCondition, toDsl, type DslCorrelationQuery } from '../backends';
import type { CorrelationBucket } from '../backends/dsl';
import { compilePaths, type CompileEntry } from '../compile';
import type { Engine } from '../engine';
import { SigmaEsError, describeError } from '../errors';
import { compileRuleset, evaluateEvents, prepareEvent, type ExplainNode } from '../eval';
import type { IrCorrelation, IrRule } from '../ir/types';
import type { MappingProfile } from '../mapping/profile';
import { fixtureEvents, type HarnessEvent } from './events';
import { expectedVerdict, type FixtureSet, type Verdict } from './fixtures';
import { seedEvents, seedShortfall } from './seed';

export type EngineTarget = 'dsl' | 'lucene' | 'eql' | 'esql';
export const ENGINE_TARGETS: EngineTarget[] = ['dsl', 'lucene', 'eql', 'esql'];

/** A set of events to test on, with the rules and the labels that come with it. */
export interface EventSet {
  name: string;
  profile: MappingProfile;
  pipelines: string[];
  events: HarnessEvent[];
  /** Rule files this set's labels speak about (fixture sets); empty for plain event files. */
  labelledRules: string[];
  fixture?: FixtureSet;
}

export interface Mismatch {
  set: string;
  rule: string;
  title: string;
  event: string;
  target: EngineTarget | 'expected';
  engine: Verdict | null;
  evaluator: Verdict;
  expected: Verdict | null;
  /** The detection items (leaves) behind the evaluator's verdict, from its explanation. */
  leaf?: string;
  reason?: string;
}

export interface RuleFailure {
  set: string;
  file: string;
  rule: string;
  target?: EngineTarget;
  code: string;
  message: string;
}

export interface HarnessReport {
  engine: { name: string; version: string };
  sets: Array<{ name: string; events: number; rules: number; targets: EngineTarget[]; skippedTargets: Record<string, string> }>;
  rules: number;
  events: number;
  /** (rule, event, target) verdicts compared with the evaluator, plus labels checked. */
  compared: number;
  mismatches: Mismatch[];
  failures: RuleFailure[];
  /** Rules left out of a set because they do not compile or translate for it (not labelled there). */
  skipped: RuleFailure[];
  ms: number;
}

export interface HarnessOptions {
  engine: Engine;
  rulePaths: string[];
  sets: EventSet[];
  targets?: EngineTarget[];
  /** Index name prefix; each set gets `<prefix>-<set>`. */
  indexPrefix?: string;
  keepIndices?: boolean;
  msearchBatch?: number;
  onProgress?: (done: number, total: number, what: string) => void;
}

export function fixtureEventSet(set: FixtureSet): EventSet {
  return { name: set.name, profile: set.profile, pipelines: set.pipelines, events: fixtureEvents(set), labelledRules: set.rules, fixture: set };
}

function indexName(prefix: string, set: string, flavour: string): string {
  return `${prefix}-${set}-${flavour}`.toLowerCase().replace(/[^a-z0-9_.-]+/g, '-');
}

function label(rule: IrRule): string {
  return rule.meta.id ?? rule.meta.title;
}

/**
 * The leaves behind the evaluator's verdict: under NOT the wanted result flips; a leaf is
 * named with its detection item, value and what the event held.
 */
function blame(x: ExplainNode, want: boolean, out: string[] = []): string[] {
  if (x.item) {
    if (x.result === want) out.push(`${x.item} ${JSON.stringify(x.value)}: ${x.why ?? ''}`);
    return out;
  }
  for (const c of x.children ?? []) {
    const childWant = x.kind === 'not' ? !want : want;
    if (c.result === childWant) blame(c, childWant, out);
  }
  return out;
}

async function engineIds(engine: Engine, index: string, target: EngineTarget, rules: IrRule[], profile: MappingProfile, batch: number, size: number) {
  const out: Array<{ ids?: Set<string>; error?: SigmaEsError }> = [];
  const opts = { profile, index };
  if (target === 'dsl' || target === 'lucene') {
    for (let i = 0; i < rules.length; i += batch) {
      const chunk = rules.slice(i, i + batch);
      const reqs: Array<{ index: string; body: Record<string, unknown> } | SigmaEsError> = chunk.map((r) => {
        try {
          const query = target === 'dsl' ? dslQuery(r, opts) : { query_string: { query: luceneQuery(r, opts) } };
          return { index, body: { query, size, _source: false, sort: ['_doc'], track_total_hits: true } };
        } catch (e) {
          if (e instanceof SigmaEsError) return e;
          throw e;
        }
      });
      const valid = reqs.filter((r): r is { index: string; body: Record<string, unknown> } => !(r instanceof SigmaEsError));
      const answers = valid.length ? await engine.client.msearch(valid) : [];
      let ai = 0;
      for (const r of reqs) {
        if (r instanceof SigmaEsError) {
          out.push({ error: r });
          continue;
        }
        const a = answers[ai++];
        if (a.ok) out.push({ ids: new Set(a.response.hits.hits.map((h) => h._id)) });
        else out.push({ error: new SigmaEsError('ENGINE_QUERY_FAILED', `the engine rejected the ${target} query: ${a.type}: ${a.reason}`) });
      }
    }
    return out;
  }
  for (const r of rules) {
    try {
      if (target === 'eql') {
        const res = await engine.client.eql(index, { query: `any where ${eqlCondition(r, opts)}`, size });
        out.push({ ids: new Set((res.hits.events ?? []).map((h) => h._id)) });
      } else {
        const res = await engine.client.esql(`FROM ${index} METADATA _id | WHERE ${esqlCondition(r, opts)} | KEEP _id | LIMIT ${size}`);
        const col = res.columns.findIndex((c) => c.name === '_id');
        out.push({ ids: new Set(res.values.map((v) => String(v[col]))) });
      }
    } catch (e) {
      if (e instanceof SigmaEsError) out.push({ error: e });
      else throw e;
    }
  }
  return out;
}

/** Which targets this engine can run (EQL and ES|QL only where the endpoint exists). */
export async function availableTargets(engine: Engine, wanted: EngineTarget[]): Promise<{ targets: EngineTarget[]; skipped: Record<string, string> }> {
  const targets: EngineTarget[] = [];
  const skipped: Record<string, string> = {};
  for (const t of wanted) {
    if (t === 'eql' || t === 'esql') {
      const ok = await engine.client.supports(t).catch(() => false);
      if (!ok) {
        skipped[t] = `${engine.flavour} ${engine.version} has no ${t === 'eql' ? 'EQL' : 'ES|QL'} endpoint`;
        continue;
      }
    }
    targets.push(t);
  }
  return { targets, skipped };
}

export async function runHarness(opts: HarnessOptions): Promise<HarnessReport> {
  const started = Date.now();
  const { engine } = opts;
  const prefix = opts.indexPrefix ?? 'sigma-es-test';
  const report: HarnessReport = {
    engine: { name: engine.flavour, version: engine.version },
    sets: [],
    rules: 0,
    events: 0,
    compared: 0,
    mismatches: [],
    failures: [],
    skipped: [],
    ms: 0,
  };
  const { targets: available, skipped: unavailable } = await availableTargets(engine, opts.targets ?? ENGINE_TARGETS);
  const ruleIds = new Set<string>();

  for (const set of opts.sets) {
    // A fixture set always runs the rules it labels (e.g. regression rules kept beside it), as well as the given ones.
    const given = opts.rulePaths.map((p) => path.resolve(p));
    const extra = set.labelledRules.filter((f) => !given.some((g) => f === g || f.startsWith(g + path.sep)));
    const compiled = compilePaths([...opts.rulePaths, ...extra], { pipelines: set.pipelines });
    for (const e of compiled.errors) report.failures.push({ set: set.name, file: e.location.file ?? '', rule: '', code: e.code, message: e.message });
    const isLabelled = (e: CompileEntry): boolean => set.labelledRules.includes(path.resolve(e.file));
    const rules: IrRule[] = [];
    const labelled = new Set<IrRule>();
    const correlations: IrCorrelation[] = [];
    const labelledCorr = new Set<IrCorrelation>();
    for (const e of compiled.entries) {
      if (e.source?.kind === 'filter') continue;
      const bucket = isLabelled(e) || set.labelledRules.length === 0 ? report.failures : report.skipped;
      if (e.errors.length) {
        for (const err of e.errors) bucket.push({ set: set.name, file: e.file, rule: e.label ?? '', code: err.code, message: err.message });
        continue;
      }
      if (e.doc?.kind === 'correlation') {
        correlations.push(e.doc);
        if (isLabelled(e)) labelledCorr.add(e.doc);
        continue;
      }
      if (e.doc?.kind !== 'rule') continue;
      rules.push(e.doc);
      if (isLabelled(e)) labelled.add(e.doc);
    }
    // The evaluator must accept what the translator accepts: a rule it cannot run is a failure.
    const evalErrors = new Map<IrRule, SigmaEsError>();
    const ruleset = compileRuleset(rules, { profile: set.profile, onRuleError: (r, err) => r.kind === 'rule' && evalErrors.set(r, err) });
    const evalIndex = new Map<IrRule, number>();
    ruleset.rules.forEach((r, i) => evalIndex.set(r, i));
    for (const [r, err] of evalErrors) {
      (labelled.has(r) ? report.failures : report.skipped).push({ set: set.name, file: r.file ?? '', rule: label(r), code: err.code, message: `evaluator: ${err.message}` });
    }
    const runnable = rules.filter((r) => !evalErrors.has(r));

    const index = indexName(prefix, set.name, engine.flavour);
    const seeded = await seedEvents(engine.client, index, set.profile, set.events, { recreate: true });
    const prepared = set.events.map((e) => prepareEvent(e.source, set.profile));
    // A document the engine refuses is a verdict too: the evaluator must reject that event (and
    // match nothing on it). Agreeing refusals are listed, not failures; anything else missing
    // from the index (duplicate ids) still is one.
    const refused = new Map(seeded.rejected.map((x) => [x.id, x]));
    const file = set.fixture?.file ?? '';
    set.events.forEach((ev, i) => {
      report.compared++;
      const byEngine = refused.get(ev.id);
      const byEvaluator = prepared[i].rejected;
      const where = `event ${ev.id}${ev.line ? ` (line ${ev.line})` : ''}`;
      if (byEngine && byEvaluator !== null) {
        report.skipped.push({ set: set.name, file, rule: '', code: 'EVENT_REFUSED', message: `${where}: refused by the engine (${byEngine.reason}) and by the evaluator (${byEvaluator})` });
      } else if (byEngine || byEvaluator !== null) {
        const message = byEngine ? `the engine refused it (${byEngine.reason}); the evaluator accepts it` : `the engine indexed it; the evaluator rejects it (${byEvaluator})`;
        report.failures.push({ set: set.name, file, rule: '', code: 'REFUSAL_MISMATCH', message: `${where}: ${message}` });
      }
    });
    const shortfall = seedShortfall(seeded, true);
    if (shortfall) report.failures.push({ set: set.name, file, rule: '', code: 'SEED_INCOMPLETE', message: shortfall });
    // One evaluator pass per event, handed out to the rules it matched.
    const evalHits = runnable.map(() => new Set<string>());
    const slot = new Map<number, number>();
    runnable.forEach((r, i) => slot.set(evalIndex.get(r)!, i));
    prepared.forEach((ev, i) => {
      for (const ri of ruleset.match(ev)) {
        const k = slot.get(ri);
        if (k !== undefined) evalHits[k].add(set.events[i].id);
      }
    });
    const explainFor = (r: IrRule, eventIdx: number, want: boolean): string => {
      try {
        return blame(ruleset.explain(evalIndex.get(r)!, prepared[eventIdx]), want).slice(0, 3).join('; ');
      } catch {
        return '';
      }
    };

    // Labels first: the evaluator against what the fixture says.
    if (set.fixture) {
      for (const r of runnable) {
        if (!labelled.has(r)) continue;
        set.fixture.cases.forEach((c, i) => {
          const expected = expectedVerdict(c, r.meta.id);
          if (!expected) return;
          report.compared++;
          const got: Verdict = evalHits[runnable.indexOf(r)].has(c.id) ? 'match' : 'nomatch';
          if (got !== expected) {
            report.mismatches.push({
              set: set.name, rule: label(r), title: r.meta.title, event: c.id, target: 'expected',
              engine: null, evaluator: got, expected, leaf: explainFor(r, i, got === 'match'), reason: c.reason,
            });
          }
        });
      }
    }

    const targets: EngineTarget[] = [];
    for (const target of available) {
      targets.push(target);
      const answers = await engineIds(engine, index, target, runnable, set.profile, opts.msearchBatch ?? 100, Math.max(10, set.events.length));
      answers.forEach((a, ri) => {
        const r = runnable[ri];
        if (a.error) {
          // A construct the target cannot express is that target's documented limit, not a mismatch;
          // an engine that rejects a query we rendered is a bug.
          const bucket = a.error.code === 'UNSUPPORTED_CONSTRUCT' && target !== 'dsl' ? report.skipped : report.failures;
          bucket.push({ set: set.name, file: r.file ?? '', rule: label(r), target, code: a.error.code, message: a.error.message });
          return;
        }
        set.events.forEach((ev, i) => {
          report.compared++;
          const e = a.ids!.has(ev.id);
          const v = evalHits[ri].has(ev.id);
          if (e !== v) {
            const c = set.fixture?.cases[i];
            report.mismatches.push({
              set: set.name, rule: label(r), title: r.meta.title, event: ev.id, target,
              engine: e ? 'match' : 'nomatch', evaluator: v ? 'match' : 'nomatch',
              expected: c && labelled.has(r) ? expectedVerdict(c, r.meta.id) ?? null : null,
              leaf: explainFor(r, i, v), reason: c?.reason,
            });
          }
        });
      });
      opts.onProgress?.(targets.length, available.length, `${set.name}: ${target}`);
    }
    if (correlations.length) await compareCorrelations(engine, index, set, correlations, labelledCorr, report);
    if (!opts.keepIndices) await engine.client.deleteIndex(index).catch(() => false);
    report.sets.push({ name: set.name, events: set.events.length, rules: runnable.length + correlations.length, targets, skippedTargets: unavailable });
    report.events += set.events.length;
    for (const r of runnable) ruleIds.add(label(r));
    for (const c of correlations) ruleIds.add(c.meta.id ?? c.meta.title);
  }
  report.rules = ruleIds.size;
  report.ms = Date.now() - started;
  return report;
}

/** One alert as a comparable key: rule, window start and group (values as text, keys sorted). */
function alertKey(rule: string, window: number, group: Record<string, unknown>): string {
  const g = Object.keys(group)
    .sort()
    .map((k) => `${k}=${String(group[k])}`)
    .join(',');
  return `${rule} @ ${new Date(window).toISOString()} {${g}}`;
}

/**
 * Correlations: the DSL aggregation on the engine (paged composite buckets, the condition
 * applied by correlationMatches) against the evaluator's alerts on the same events, and the
 * fixture's expected alerts when it lists them. temporal_ordered renders only as EQL, which
 * the embedded engines lack, so it is compared where the engine has EQL (not yet) or skipped.
 */
async function compareCorrelations(
  engine: Engine,
  index: string,
  set: EventSet,
  correlations: IrCorrelation[],
  labelled: Set<IrCorrelation>,
  report: HarnessReport,
): Promise<void> {
  const evalSet = compileRuleset(correlations, {
    profile: set.profile,
    onRuleError: (d, err) => {
      const c = d as IrCorrelation;
      (labelled.has(c) ? report.failures : report.skipped).push({ set: set.name, file: c.file ?? '', rule: c.meta.id ?? c.meta.title, code: err.code, message: `evaluator: ${err.message}` });
    },
  });
  const runnable = new Set(evalSet.correlations);
  const { alerts } = evaluateEvents(evalSet, set.events.map((e) => e.source));
  const evalKeys = new Map<IrCorrelation, Set<string>>();
  for (const a of alerts) {
    const id = a.correlation.meta.id ?? a.correlation.meta.title;
    if (!evalKeys.has(a.correlation)) evalKeys.set(a.correlation, new Set());
    evalKeys.get(a.correlation)!.add(alertKey(id, a.start, a.group));
  }
  for (const c of correlations) {
    if (!runnable.has(c)) continue;
    const id = c.meta.id ?? c.meta.title;
    let plan: DslCorrelationQuery;
    try {
      plan = toDsl(c, { profile: set.profile, index }).query as DslCorrelationQuery;
    } catch (e) {
      if (!(e instanceof SigmaEsError)) throw e;
      (labelled.has(c) ? report.failures : report.skipped).push({ set: set.name, file: c.file ?? '', rule: id, target: 'dsl', code: e.code, message: e.message });
      continue;
    }
    const buckets: CorrelationBucket[] = [];
    let after: unknown;
    try {
      for (;;) {
        const body = JSON.parse(JSON.stringify(plan.body)) as { aggs: { sigma_buckets: { composite: Record<string, unknown> } } };
        if (after) body.aggs.sigma_buckets.composite.after = after;
        const r = (await engine.client.search(index, body)) as unknown as { aggregations: { sigma_buckets: { buckets: CorrelationBucket[]; after_key?: unknown } } };
        buckets.push(...r.aggregations.sigma_buckets.buckets);
        after = r.aggregations.sigma_buckets.after_key;
        if (!after || r.aggregations.sigma_buckets.buckets.length === 0) break;
      }
    } catch (e) {
      if (!(e instanceof SigmaEsError)) throw e;
      report.failures.push({ set: set.name, file: c.file ?? '', rule: id, target: 'dsl', code: e.code, message: e.message });
      continue;
    }
    const engineKeys = new Set(correlationMatches(plan, buckets).map((m) => alertKey(id, m.window, m.group)));
    const mine = evalKeys.get(c) ?? new Set<string>();
    const expected = set.fixture?.alerts && labelled.has(c)
      ? new Set(set.fixture.alerts.filter((a) => a.rule === id).map((a) => alertKey(id, Date.parse(a.window), a.group)))
      : undefined;
    for (const k of new Set([...engineKeys, ...mine, ...(expected ?? [])])) {
      report.compared++;
      const e = engineKeys.has(k);
      const v = mine.has(k);
      const x = expected ? expected.has(k) : null;
      if (e !== v || (x !== null && x !== v)) {
        report.mismatches.push({
          set: set.name, rule: id, title: c.meta.title, event: k.slice(id.length + 1), target: 'dsl',
          engine: e ? 'match' : 'nomatch', evaluator: v ? 'match' : 'nomatch', expected: x === null ? null : x ? 'match' : 'nomatch',
          reason: 'correlation alert (window and group)',
        });
      }
    }
  }
}

export function harnessFailed(r: HarnessReport): boolean {
  return r.mismatches.length > 0 || r.failures.length > 0;
}

export { describeError };
