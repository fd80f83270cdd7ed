/**
 * The differential fuzzing campaign: generated rules and overlapping events, the engine's
 * matching ids for every rendering vs the evaluator's, batched so one seeded index serves
 * hundreds of rules (one `_msearch` per hundred queries). Every disagreement is shrunk to a
 * minimal rule and event and can be written out as a regression fixture.
 */
import fc from 'fast-check';
import { dslQuery, eqlCondition, esqlCondition, luceneQuery } from '../backends';
import { compileYaml } from '../compile';
import type { Engine } from '../engine';
import { SigmaEsError } from '../errors';
import { compileRuleset, prepareEvent } from '../eval';
import type { HarnessEvent } from '../harness/events';
import { availableTargets, type EngineTarget } from '../harness/run';
import { createIndex } from '../harness/seed';
import { RawJson } from '../engine/client';
import type { IrRule } from '../ir/types';
import { getProfile, type MappingProfile } from '../mapping/profile';
import { collectNeedles, generateEvents, Rng, seedOf } from './events';
import { FUZZ_PROFILE, ruleArb, ruleYaml, type GenRule } from './rules';
// shrink.ts uses this module's helpers at call time only, so the import cycle is harmless.
import { shrinkCase } from './shrink';

export const FUZZ_TARGETS: EngineTarget[] = ['dsl', 'lucene', 'eql', 'esql'];

export interface FuzzOptions {
  engine: Engine;
  seed: number;
  /** Stop once this many generated rules have been compared on the engine. */
  cases: number;
  rulesPerBatch?: number;
  eventsPerBatch?: number;
  targets?: EngineTarget[];
  /** Shrink at most this many mismatches (the rest are reported as found). Default 5. */
  shrinkLimit?: number;
  /** Stop after this many mismatches (default: never). */
  stopAfter?: number;
  indexPrefix?: string;
  onBatch?: (p: FuzzProgress) => void;
}

export interface FuzzProgress {
  batch: number;
  cases: number;
  mismatches: number;
  ms: number;
}

export type MismatchKind =
  /** The engine and the evaluator returned different ids. */
  | 'ids'
  /** The engine refused (or accepted) a document the evaluator says it accepts (refuses). */
  | 'seed'
  /** The translator accepted a rule the evaluator cannot run, or the engine rejected a rendered query. */
  | 'acceptance'
  /** Something threw an error that is not a SigmaEsError. */
  | 'internal';

export interface MinimalCase {
  rule: GenRule;
  yaml: string;
  event: HarnessEvent;
  target: EngineTarget;
  engine: boolean;
  evaluator: boolean;
  /** Verdicts of every target on the minimal case (the DSL one decides the fixture's label). */
  verdicts: Partial<Record<EngineTarget, boolean>>;
  checks: number;
}

export interface FuzzMismatch {
  kind: MismatchKind;
  target?: EngineTarget;
  batch: number;
  batchSeed: number;
  ruleIndex?: number;
  rule?: GenRule;
  yaml?: string;
  message: string;
  engineOnly: string[];
  evaluatorOnly: string[];
  events?: HarnessEvent[];
  minimal?: MinimalCase;
}

export interface FuzzResult {
  engine: string;
  seed: number;
  /** Generated rules compared on the engine (each against every event of its batch, on every target). */
  cases: number;
  generated: number;
  /** Rules the builder or the DSL translator rejected (a documented rejection, not a mismatch). */
  rejected: number;
  rejectedCodes: Record<string, number>;
  events: number;
  batches: number;
  /** (rule, event, target) verdicts compared. */
  comparisons: number;
  /** Cases where the engine matched at least one event (DSL). */
  matchedCases: number;
  /** (rule, event) pairs the engine matched (DSL). */
  matchedPairs: number;
  pairs: number;
  targets: EngineTarget[];
  skippedTargets: Record<string, string>;
  /** Queries a target could not express (e.g. ES|QL keyword search), per target. */
  unsupported: Record<string, number>;
  mismatches: FuzzMismatch[];
  ms: number;
  casesPerSecond: number;
}

/** The UUID a generated rule gets: stable for (seed, batch, index), so reruns name rules alike. */
export function ruleUuid(...parts: Array<string | number>): string {
  const h = [0, 1, 2, 3].map((i) => seedOf(...parts, i).toString(16).padStart(8, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function fuzzProfile(): MappingProfile {
  return getProfile(FUZZ_PROFILE)!;
}

interface Compiled {
  rule: GenRule;
  yaml: string;
  ir: IrRule;
  index: number;
}

/** Compile a generated rule; undefined with the error code when the builder rejects it. */
export function compileGenerated(rule: GenRule): { ir?: IrRule; yaml: string; code?: string } {
  const yaml = ruleYaml(rule);
  try {
    const docs = compileYaml(yaml, { file: 'fuzz.yml' });
    const ir = docs.find((d): d is IrRule => d.kind === 'rule');
    return ir ? { ir, yaml } : { yaml, code: 'NO_RULE' };
  } catch (e) {
    if (e instanceof SigmaEsError) return { yaml, code: e.code };
    throw e;
  }
}

export type Rendered = { ok: true; request: unknown } | { ok: false; error: SigmaEsError };

/** The query a target runs for a rule on an index, or the translator's rejection. */
export function render(target: EngineTarget, rule: IrRule, profile: MappingProfile, index: string): Rendered {
  const opts = { profile, index };
  try {
    switch (target) {
      case 'dsl':
        return { ok: true, request: dslQuery(rule, opts) };
      case 'lucene':
        return { ok: true, request: { query_string: { query: luceneQuery(rule, opts) } } };
      case 'eql':
        return { ok: true, request: `any where ${eqlCondition(rule, opts)}` };
      case 'esql':
        return { ok: true, request: esqlCondition(rule, opts) };
    }
  } catch (e) {
    if (e instanceof SigmaEsError) return { ok: false, error: e };
    throw e;
  }
}

type Answer = { ids: Set<string> } | { error: string };

/** Run rendered queries on an index: `_msearch` for DSL/Lucene, one request each for EQL/ES|QL. */
export async function runQueries(engine: Engine, index: string, target: EngineTarget, requests: unknown[], size: number, onlyIds?: string[]): Promise<Answer[]> {
  const out: Answer[] = [];
  if (target === 'dsl' || target === 'lucene') {
    const chunk = 100;
    // An `ids` filter beside the query is neutral: it only keeps the batch's own documents.
    const scoped = (query: unknown): unknown => (onlyIds ? { bool: { filter: [{ ids: { values: onlyIds } }, query] } } : query);
    for (let i = 0; i < requests.length; i += chunk) {
      const part = requests.slice(i, i + chunk);
      const answers = await engine.client.msearch(
        part.map((query) => ({ index, body: { query: scoped(query), size, _source: false, sort: ['_doc'], track_total_hits: false } })),
      );
      for (const a of answers) out.push(a.ok ? { ids: new Set(a.response.hits.hits.map((h) => h._id)) } : { error: `${a.type}: ${a.reason}` });
    }
    return out;
  }
  for (const q of requests) {
    try {
      if (target === 'eql') {
        const res = await engine.client.eql(index, { query: q as string, size, ...(onlyIds ? { filter: { ids: { values: onlyIds } } } : {}) });
        out.push({ ids: new Set((res.hits.events ?? []).map((h) => h._id)) });
      } else {
        const scope = onlyIds ? ` | WHERE _id IN (${onlyIds.map((id) => JSON.stringify(id)).join(', ')})` : '';
        const res = await engine.client.esql(`FROM ${index} METADATA _id${scope} | WHERE ${q as string} | KEEP _id | LIMIT ${size}`);
        const col = res.columns.findIndex((c) => c.name === '_id');
        out.push({ ids: new Set(res.values.map((v) => String(v[col]))) });
      }
    } catch (e) {
      out.push({ error: e instanceof Error ? e.message : String(e) });
    }
  }
  return out;
}


function internalMismatch(batch: number, batchSeed: number, e: unknown, rule?: GenRule, yaml?: string): FuzzMismatch {
  return {
    kind: 'internal',
    batch,
    batchSeed,
    rule,
    yaml,
    message: `non-SigmaEsError thrown: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
    engineOnly: [],
    evaluatorOnly: [],
  };
}

export function generateRules(batchSeed: number, count: number): GenRule[] {
  return fc.sample(ruleArb, { seed: batchSeed | 0, numRuns: count });
}

/** Runs a campaign; never throws for a mismatch (they are in the result). */
export async function runFuzz(opts: FuzzOptions): Promise<FuzzResult> {
  const started = Date.now();
  const { engine } = opts;
  const profile = fuzzProfile();
  const rulesPerBatch = opts.rulesPerBatch ?? 250;
  const eventsPerBatch = opts.eventsPerBatch ?? 120;
  const shrinkLimit = opts.shrinkLimit ?? 5;
  const { targets, skipped } = await availableTargets(engine, opts.targets ?? FUZZ_TARGETS);
  const index = `${opts.indexPrefix ?? 'sigma-es-fuzz'}-${engine.flavour}-${process.pid}`;
  const result: FuzzResult = {
    engine: `${engine.flavour} ${engine.version}`,
    seed: opts.seed,
    cases: 0,
    generated: 0,
    rejected: 0,
    rejectedCodes: {},
    events: 0,
    batches: 0,
    comparisons: 0,
    matchedCases: 0,
    matchedPairs: 0,
    pairs: 0,
    targets,
    skippedTargets: skipped,
    unsupported: {},
    mismatches: [],
    ms: 0,
    casesPerSecond: 0,
  };
  let shrunk = 0;
  try {
    for (let batch = 0; result.cases < opts.cases; batch++) {
      if (opts.stopAfter !== undefined && result.mismatches.length >= opts.stopAfter) break;
      const batchSeed = seedOf(opts.seed, batch);
      const want = Math.min(rulesPerBatch, Math.ceil((opts.cases - result.cases) * 1.25) + 5);
      const generated = generateRules(batchSeed, want);
      result.generated += generated.length;
      const compiled: Compiled[] = [];
      generated.forEach((rule, i) => {
        rule.id = ruleUuid(opts.seed, batch, i);
        rule.title = `fuzz ${opts.seed}/${batch}/${i}`;
        let c: ReturnType<typeof compileGenerated>;
        try {
          c = compileGenerated(rule);
        } catch (e) {
          result.mismatches.push(internalMismatch(batch, batchSeed, e, rule, ruleYaml(rule)));
          return;
        }
        if (!c.ir) {
          result.rejected++;
          result.rejectedCodes[c.code!] = (result.rejectedCodes[c.code!] ?? 0) + 1;
          return;
        }
        compiled.push({ rule, yaml: c.yaml, ir: c.ir, index: i });
      });

      // The DSL is the primary target: a rule it rejects is a documented rejection and is not a case.
      const rendered = new Map<EngineTarget, Rendered[]>();
      for (const t of targets) rendered.set(t, []);
      const kept: Compiled[] = [];
      for (const c of compiled) {
        let per: Rendered[];
        try {
          per = targets.map((t) => render(t, c.ir, profile, index));
        } catch (e) {
          result.mismatches.push(internalMismatch(batch, batchSeed, e, c.rule, c.yaml));
          continue;
        }
        const dsl = per[targets.indexOf('dsl')];
        if (dsl && !dsl.ok) {
          result.rejected++;
          result.rejectedCodes[dsl.error.code] = (result.rejectedCodes[dsl.error.code] ?? 0) + 1;
          continue;
        }
        kept.push(c);
        targets.forEach((t, ti) => rendered.get(t)!.push(per[ti]));
      }

      // The evaluator must run every rule the translator accepts.
      const evalErrors = new Map<IrRule, SigmaEsError>();
      let ruleset;
      try {
        ruleset = compileRuleset(
          kept.map((c) => c.ir),
          { profile, onRuleError: (r, err) => void (r.kind === "rule" && evalErrors.set(r, err)) },
        );
      } catch (e) {
        result.mismatches.push(internalMismatch(batch, batchSeed, e));
        continue;
      }
      for (const [r, err] of evalErrors) {
        const c = kept.find((k) => k.ir === r)!;
        result.mismatches.push({
          kind: 'acceptance', batch, batchSeed, ruleIndex: c.index, rule: c.rule, yaml: c.yaml,
          message: `the DSL translator accepts the rule but the evaluator rejects it: ${err.code} ${err.message}`,
          engineOnly: [], evaluatorOnly: [],
        });
      }

      const rng = new Rng(batchSeed ^ 0x5bd1e995);
      const events = generateEvents(rng, collectNeedles(rng, kept.map((c) => c.ir.query)), eventsPerBatch, `b${batch}e`);
      result.events += events.length;
      // One index for the whole campaign (creating one costs more than a batch's queries); each
      // batch's documents have their own ids and the queries are restricted to them.
      if (batch === 0) await createIndex(engine.client, index, profile, true);
      const bulk = await engine.client.bulk(index, events.map((e) => new RawJson(e.json)), { ids: events.map((e) => e.id), refresh: true });
      const refused = new Set(bulk.errors.map((r) => events[r.index].id));
      const refusedReason = new Map(bulk.errors.map((r) => [events[r.index].id, `${r.type}: ${r.reason}`]));
      const prepared = events.map((e) => prepareEvent(e.source, profile));
      const seedMismatch = new Set<string>();
      events.forEach((ev, i) => {
        const evalRefuses = prepared[i].rejected !== null;
        if (evalRefuses !== refused.has(ev.id)) {
          // Reported once here; the rules' id sets would only repeat it.
          seedMismatch.add(ev.id);
          result.mismatches.push({
            kind: 'seed', batch, batchSeed,
            message: `${engine.flavour} ${refused.has(ev.id) ? 'refused' : 'indexed'} the document; the evaluator says ${evalRefuses ? `it is refused (${prepared[i].rejected})` : 'it is indexed'}` +
              (refused.has(ev.id) ? `: ${refusedReason.get(ev.id)}` : ''),
            engineOnly: [], evaluatorOnly: [], events: [ev],
          });
        }
      });

      const slot = new Map<IrRule, number>();
      kept.forEach((c, i) => slot.set(c.ir, i));
      const evalHits = kept.map(() => new Set<string>());
      prepared.forEach((ev, i) => {
        for (const ri of ruleset.match(ev)) {
          const k = slot.get(ruleset.rules[ri]);
          if (k !== undefined) evalHits[k].add(events[i].id);
        }
      });

      const batchIds = events.map((e) => e.id);
      for (const t of targets) {
        const rs = rendered.get(t)!;
        const runnable = rs.map((r, i) => ({ r, i })).filter((x) => x.r.ok && !evalErrors.has(kept[x.i].ir));
        for (const x of rs) if (!x.ok) result.unsupported[t] = (result.unsupported[t] ?? 0) + 1;
        const answers = await runQueries(engine, index, t, runnable.map((x) => (x.r as { request: unknown }).request), events.length + 10, batchIds);
        answers.forEach((a, j) => {
          const k = runnable[j].i;
          const c = kept[k];
          if ('error' in a) {
            result.mismatches.push({
              kind: 'acceptance', target: t, batch, batchSeed, ruleIndex: c.index, rule: c.rule, yaml: c.yaml,
              message: `${engine.flavour} rejected the ${t} query: ${a.error}`, engineOnly: [], evaluatorOnly: [],
            });
            return;
          }
          result.comparisons += events.length;
          const engineOnly = [...a.ids].filter((id) => !evalHits[k].has(id) && !seedMismatch.has(id));
          const evaluatorOnly = [...evalHits[k]].filter((id) => !a.ids.has(id) && !seedMismatch.has(id));
          if (t === 'dsl') {
            result.pairs += events.length;
            result.matchedPairs += a.ids.size;
            if (a.ids.size) result.matchedCases++;
          }
          if (engineOnly.length || evaluatorOnly.length) {
            const ids = new Set([...engineOnly, ...evaluatorOnly]);
            result.mismatches.push({
              kind: 'ids', target: t, batch, batchSeed, ruleIndex: c.index, rule: c.rule, yaml: c.yaml,
              message: `${t}: engine-only ${engineOnly.length}, evaluator-only ${evaluatorOnly.length}`,
              engineOnly, evaluatorOnly, events: events.filter((e) => ids.has(e.id)),
            });
          }
        });
      }
      result.cases += kept.length;
      result.batches++;

      for (const m of result.mismatches) {
        if (shrunk >= shrinkLimit) break;
        if (m.kind !== 'ids' || m.minimal || !m.rule || !m.events?.length || !m.target) continue;
        shrunk++;
        m.minimal = await shrinkCase(engine, profile, m.rule, m.events, m.target, targets, `${index}-shrink`);
      }
      opts.onBatch?.({ batch, cases: result.cases, mismatches: result.mismatches.length, ms: Date.now() - started });
    }
  } finally {
    await engine.client.deleteIndex(index).catch(() => false);
    await engine.client.deleteIndex(`${index}-shrink`).catch(() => false);
  }
  result.ms = Date.now() - started;
  result.casesPerSecond = result.cases / Math.max(result.ms / 1000, 0.001);
  return result;
}
