/**
 * Delta debugging of a mismatch down to one small rule and one small event.
 *
 * Each round generates every one-step reduction (of the rule with the event fixed, or of the
 * event with the rule fixed) and asks the engine about all of them at once: candidate rules
 * go in one `_msearch` against the single seeded event, candidate events are seeded together
 * under distinct ids and queried once. The first candidate that still disagrees wins; rounds
 * repeat until nothing smaller disagrees.
 */
import type { Engine } from '../engine';
import { SigmaEsError } from '../errors';
import { compileRuleset, prepareEvent } from '../eval';
import { stringifyExact, type HarnessEvent } from '../harness/events';
import type { EngineTarget } from '../harness/run';
import { createIndex } from '../harness/seed';
import { RawJson } from '../engine/client';
import type { IrRule } from '../ir/types';
import type { MappingProfile } from '../mapping/profile';
import { RawNumber } from '../eval/json';
import type { Cond, GenRule, RuleItem, RuleValue, Selection } from './rules';
import type { MinimalCase } from './run';
import { compileGenerated, render, runQueries } from './run';

const clone = <T>(x: T): T => structuredClone(x);

function condReductions(c: Cond): Cond[] {
  switch (c.t) {
    case 'id':
    case 'of':
      return [];
    case 'not':
      return [c.x, ...condReductions(c.x).map((x): Cond => ({ t: 'not', x }))];
    case 'bin':
      return [
        c.a,
        c.b,
        ...condReductions(c.a).map((a): Cond => ({ ...c, a })),
        ...condReductions(c.b).map((b): Cond => ({ ...c, b })),
      ];
  }
}

function shorterStrings(s: string): string[] {
  const cs = Array.from(s);
  if (cs.length === 0) return [];
  const out = new Set<string>();
  if (cs.length > 1) {
    out.add(cs.slice(0, Math.floor(cs.length / 2)).join(''));
    out.add(cs.slice(Math.floor(cs.length / 2)).join(''));
  }
  if (cs.length > 64) {
    // Long values (ignore_above cases) shrink by whole runs first.
    for (const k of [8192, 8191, 4096, 256]) if (cs.length > k) out.add(cs.slice(0, k).join(''));
  }
  for (let i = 0; i < cs.length && i < 24; i++) out.add([...cs.slice(0, i), ...cs.slice(i + 1)].join(''));
  out.delete(s);
  return [...out];
}

function valueReductions(v: RuleValue | RuleValue[]): Array<RuleValue | RuleValue[]> {
  if (Array.isArray(v)) {
    const out: Array<RuleValue | RuleValue[]> = v.map((x) => x);
    if (v.length > 2) v.forEach((_, i) => out.push(v.filter((_, j) => j !== i)));
    return out;
  }
  return typeof v === 'string' ? shorterStrings(v) : [];
}

function itemReductions(it: RuleItem): RuleItem[] {
  const out: RuleItem[] = valueReductions(it.value).map((value) => ({ ...it, value }));
  const [field, ...mods] = it.key.split('|');
  mods.forEach((m, i) => {
    if (['re', 'cidr', 'exists'].includes(m) && i === 0) return;
    out.push({ ...it, key: [field, ...mods.filter((_, j) => j !== i)].join('|') });
  });
  return out;
}

function mapReductions(items: RuleItem[]): RuleItem[][] {
  const out: RuleItem[][] = [];
  if (items.length > 1) items.forEach((_, i) => out.push(items.filter((_, j) => j !== i)));
  items.forEach((it, i) => itemReductions(it).forEach((r) => out.push(items.map((x, j) => (j === i ? r : x)))));
  return out;
}

function selectionReductions(s: Selection): Selection[] {
  switch (s.t) {
    case 'map':
      return mapReductions(s.items).map((items) => ({ t: 'map', items }));
    case 'list': {
      const out: Selection[] = s.maps.map((items) => ({ t: 'map', items }));
      if (s.maps.length > 2) s.maps.forEach((_, i) => out.push({ t: 'list', maps: s.maps.filter((_, j) => j !== i) }));
      s.maps.forEach((m, i) => mapReductions(m).forEach((r) => out.push({ t: 'list', maps: s.maps.map((x, j) => (j === i ? r : x)) })));
      return out;
    }
    case 'keywords': {
      const out: Selection[] = [];
      if (s.values.length > 1) s.values.forEach((_, i) => out.push({ t: 'keywords', values: s.values.filter((_, j) => j !== i) }));
      s.values.forEach((v, i) => shorterStrings(v).forEach((r) => out.push({ t: 'keywords', values: s.values.map((x, j) => (j === i ? r : x)) })));
      return out;
    }
  }
}

export function ruleReductions(r: GenRule): GenRule[] {
  const out: GenRule[] = [];
  for (const c of condReductions(r.condition)) out.push({ ...clone(r), condition: c });
  for (const name of Object.keys(r.detection)) {
    const rest = clone(r);
    delete rest.detection[name];
    if (Object.keys(rest.detection).length) out.push(rest);
  }
  for (const [name, s] of Object.entries(r.detection)) {
    for (const reduced of selectionReductions(s)) {
      const x = clone(r);
      x.detection[name] = reduced;
      out.push(x);
    }
  }
  return out;
}

function eventValueReductions(v: unknown): unknown[] {
  if (Array.isArray(v)) {
    const out: unknown[] = [...v];
    if (v.length > 1) v.forEach((_, i) => out.push(v.filter((_, j) => j !== i)));
    v.forEach((m, i) => eventValueReductions(m).forEach((r) => out.push(v.map((x, j) => (j === i ? r : x)))));
    return out;
  }
  if (v && typeof v === 'object' && !(v instanceof RawNumber)) {
    const o = v as Record<string, unknown>;
    const out: unknown[] = [];
    const keys = Object.keys(o);
    if (keys.length > 1) for (const k of keys) out.push(Object.fromEntries(Object.entries(o).filter(([kk]) => kk !== k)));
    for (const k of keys) for (const r of eventValueReductions(o[k])) out.push({ ...o, [k]: r });
    return out;
  }
  if (v instanceof RawNumber) return [v.value];
  if (typeof v === 'string') return shorterStrings(v);
  return [];
}

export function eventReductions(ev: Record<string, unknown>): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  const keys = Object.keys(ev);
  for (const k of keys) out.push(Object.fromEntries(Object.entries(ev).filter(([kk]) => kk !== k)));
  for (const k of keys) for (const r of eventValueReductions(ev[k])) out.push({ ...ev, [k]: r });
  return out;
}

interface Judged {
  engine: boolean;
  evaluator: boolean;
}

/** The evaluator's verdict on one event, or undefined when it cannot run the rule. */
function evaluatorVerdict(ir: IrRule, profile: MappingProfile, event: Record<string, unknown>): boolean | undefined {
  try {
    const rs = compileRuleset([ir], { profile });
    return rs.match(prepareEvent(event, profile)).length > 0;
  } catch (e) {
    if (e instanceof SigmaEsError) return undefined;
    throw e;
  }
}

export async function shrinkCase(
  engine: Engine,
  profile: MappingProfile,
  rule: GenRule,
  events: HarnessEvent[],
  target: EngineTarget,
  targets: EngineTarget[],
  index: string,
  maxRounds = 200,
): Promise<MinimalCase> {
  let checks = 0;
  let bestRule = clone(rule);
  let bestEvent = events[0];

  /** Judge rules against one seeded event; a rule that no longer compiles or translates is skipped. */
  const judgeRules = async (rules: GenRule[], t: EngineTarget): Promise<Array<Judged | undefined>> => {
    const prepared = rules.map((r) => {
      const c = compileGenerated(r);
      if (!c.ir) return undefined;
      const q = render(t, c.ir, profile, index);
      if (!q.ok) return undefined;
      const v = evaluatorVerdict(c.ir, profile, bestEvent.source);
      return v === undefined ? undefined : { q: q.request, v };
    });
    const live = prepared.map((p, i) => ({ p, i })).filter((x) => x.p) as Array<{ p: { q: unknown; v: boolean }; i: number }>;
    checks += live.length;
    const answers = await runQueries(engine, index, t, live.map((x) => x.p.q), 10, [bestEvent.id]);
    const out: Array<Judged | undefined> = rules.map(() => undefined);
    answers.forEach((a, j) => {
      if ('ids' in a) out[live[j].i] = { engine: a.ids.has(bestEvent.id), evaluator: live[j].p.v };
    });
    return out;
  };

  // One index; every seeded candidate gets a fresh id and queries are scoped to the ids in question.
  await createIndex(engine.client, index, profile, true);
  let serial = 0;
  const put = async (sources: Array<Record<string, unknown>>): Promise<HarnessEvent[]> => {
    const evs = sources.map((source) => ({ id: `s${serial++}`, source, json: stringifyExact(source) }));
    await engine.client.bulk(index, evs.map((e) => new RawJson(e.json)), { ids: evs.map((e) => e.id), refresh: true });
    return evs;
  };
  const seedOne = async (ev: HarnessEvent): Promise<void> => {
    bestEvent = (await put([ev.source]))[0];
  };

  const judgeEvents = async (cands: Array<Record<string, unknown>>): Promise<Array<Judged | undefined>> => {
    const c = compileGenerated(bestRule);
    const q = c.ir ? render(target, c.ir, profile, index) : undefined;
    if (!c.ir || !q?.ok) return cands.map(() => undefined);
    const evs = await put(cands);
    checks += evs.length;
    const [a] = await runQueries(engine, index, target, [q.request], evs.length + 10, evs.map((e) => e.id));
    if (!a || !('ids' in a)) return cands.map(() => undefined);
    return evs.map((e) => {
      const v = evaluatorVerdict(c.ir!, profile, e.source);
      return v === undefined ? undefined : { engine: a.ids.has(e.id), evaluator: v };
    });
  };

  // Start from the first event that disagrees on its own.
  for (const ev of events) {
    await seedOne(ev);
    const [j] = await judgeRules([bestRule], target);
    if (j && j.engine !== j.evaluator) break;
  }

  for (let round = 0, progress = true; progress && round < maxRounds; round++) {
    progress = false;
    await seedOne(bestEvent);
    for (;;) {
      const cands = ruleReductions(bestRule);
      if (!cands.length) break;
      const judged = await judgeRules(cands, target);
      const k = judged.findIndex((j) => j && j.engine !== j.evaluator);
      if (k < 0) break;
      bestRule = cands[k];
      progress = true;
      if (++round >= maxRounds) break;
    }
    for (;;) {
      const cands = eventReductions(bestEvent.source).slice(0, 400);
      if (!cands.length) break;
      const judged = await judgeEvents(cands);
      const k = judged.findIndex((j) => j && j.engine !== j.evaluator);
      if (k < 0) break;
      await seedOne({ id: '', source: cands[k], json: '' });
      progress = true;
      if (++round >= maxRounds) break;
    }
  }

  await seedOne(bestEvent);
  const verdicts: Partial<Record<EngineTarget, boolean>> = {};
  let final: Judged | undefined;
  for (const t of targets) {
    const [j] = await judgeRules([bestRule], t);
    if (j) verdicts[t] = j.engine;
    if (t === target) final = j;
  }
  const c = compileGenerated(bestRule);
  return {
    rule: bestRule,
    yaml: c.yaml,
    event: bestEvent,
    target,
    engine: final?.engine ?? false,
    evaluator: final?.evaluator ?? false,
    verdicts,
    checks,
  };
}
