/**
 * Correlation rules over the base-rule matches of a time-ordered event stream.
 *
 * Windows are what the translator renders, so both sides bucket the same events:
 * - event_count, value_count, value_sum, value_avg, value_percentile and temporal: fixed,
 *   epoch-aligned windows of length `timespan` (a date_histogram with fixed_interval, or
 *   ES|QL BUCKET), keyed by the group-by values (a terms/composite aggregation: an event
 *   without a group-by value is in no group; a multi-valued field puts it in each value's group);
 * - temporal_ordered: an EQL sequence `by` the group-by fields `with maxspan=timespan`, one
 *   stage per referenced rule in order; per key and stage only the latest partial sequence is
 *   kept, as EQL does.
 * An event counts once per window and group however many referenced rules it matches.
 */

import { keywordText, parseEsDate, type PreparedEvent } from './event';
import { boundsHold } from '../ir/compare';
import type { CorrelationCondition, IrCorrelation, IrRule } from '../ir/types';
import { SigmaEsError } from '../errors';
import { temporalDefault } from '../backends/dsl';

export interface CorrelationAlert {
  correlation: IrCorrelation;
  /** group-by field → value */
  group: Record<string, string>;
  /** Window start and end (ms since epoch); for sequences, first and last event time. */
  start: number;
  end: number;
  /** The aggregated value the condition was tested on (count, sum, …). */
  value: number;
  /** Input indices of the contributing events, ascending. */
  events: number[];
}

/** What the correlation engine keeps of a matching event. */
export interface Hit {
  index: number;
  ts: number;
  /** group key per correlation it feeds (null = not groupable) */
  keys: (string[] | null)[];
  /** numeric/text value of the condition field (value_* types) */
  values: (string[] | null)[];
  /** Which referenced rules (positions in correlation.rules) this event matched, per correlation. */
  stages: number[][];
}

function fieldTexts(ev: PreparedEvent, field: string): string[] {
  const fv = ev.fields.get(field);
  if (!fv) return [];
  if (fv.kind === 'keyword') return fv.terms;
  if (fv.kind === 'ip') return (ev.raw.get(field) ?? []).map(keywordText);
  return fv.nums.map(String);
}

function product(lists: string[][]): string[][] {
  let acc: string[][] = [[]];
  for (const l of lists) {
    const next: string[][] = [];
    for (const a of acc) for (const v of l) next.push([...a, v]);
    acc = next;
  }
  return acc;
}

const SEP = '\u0000';

export interface CorrelationPlan {
  correlation: IrCorrelation;
  /** Base rules feeding it, by their position in the evaluator's rule list. */
  ruleIndex: number[];
}

export class CorrelationEngine {
  private readonly hits: Hit[][];

  constructor(
    readonly plans: CorrelationPlan[],
    readonly timestampField = '@timestamp',
  ) {
    this.hits = plans.map(() => []);
    for (const p of plans) {
      for (const r of p.correlation.rules) {
        if (r.kind === 'correlation')
          throw new SigmaEsError('EVAL_CORRELATION_CHAIN', 'a correlation that refers to another correlation is not evaluated natively yet', {
            rule: p.correlation.meta.id ?? p.correlation.meta.title,
            file: p.correlation.file,
          });
      }
    }
  }

  /** Feed one event with the indices of the rules it matched. */
  add(ev: PreparedEvent, index: number, matchedRules: Set<number>): void {
    if (ev.rejected !== null) return;
    for (let ci = 0; ci < this.plans.length; ci++) {
      const p = this.plans[ci];
      const stages: number[] = [];
      p.ruleIndex.forEach((ri, k) => {
        if (matchedRules.has(ri)) stages.push(k);
      });
      if (stages.length === 0) continue;
      const tsVals = fieldTexts(ev, this.timestampField);
      const fv = ev.fields.get(this.timestampField);
      const ts = fv && fv.kind === 'date' ? fv.nums[0] : tsVals.length ? parseEsDate(tsVals[0]) : null;
      if (ts === null || ts === undefined) continue;
      const c = p.correlation;
      // the group key depends on which referenced rule matched (aliases)
      for (const k of stages) {
        const ref = c.ruleRefs[k];
        const lists = c.groupBy.map((g) => fieldTexts(ev, c.aliases[g]?.[ref] ?? g));
        if (lists.some((l) => l.length === 0)) continue;
        const keys = product(lists).map((vals) => vals.join(SEP));
        const values = c.condition.field ? fieldTexts(ev, c.condition.field) : null;
        this.hits[ci].push({ index, ts, keys: [keys], values: [values], stages: [[k]] });
      }
    }
  }

  /** All alerts, in correlation order, then window/sequence time, then group. */
  finish(): CorrelationAlert[] {
    const out: CorrelationAlert[] = [];
    this.plans.forEach((p, ci) => {
      const hits = this.hits[ci];
      if (p.correlation.type === 'temporal_ordered') out.push(...sequences(p.correlation, hits));
      else out.push(...windows(p.correlation, hits));
    });
    return out;
  }
}

function groupRecord(c: IrCorrelation, key: string): Record<string, string> {
  const vals = key.split(SEP);
  const g: Record<string, string> = {};
  c.groupBy.forEach((f, i) => (g[f] = vals[i]));
  return g;
}

function holds(cond: CorrelationCondition, v: number): boolean {
  return boundsHold(v, cond.bounds);
}

function percentile(sorted: number[], p: number): number {
  // linear interpolation between closest ranks (what ES's TDigest gives for few values)
  if (sorted.length === 1) return sorted[0];
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

function windows(c: IrCorrelation, hits: Hit[]): CorrelationAlert[] {
  const span = c.timespanMs;
  const buckets = new Map<string, { start: number; key: string; events: Set<number>; stages: Set<number>; values: Map<number, string[]> }>();
  for (const h of hits) {
    const start = Math.floor(h.ts / span) * span;
    for (const key of h.keys[0] ?? []) {
      const id = `${start}${SEP}${SEP}${key}`;
      let b = buckets.get(id);
      if (!b) buckets.set(id, (b = { start, key, events: new Set(), stages: new Set(), values: new Map() }));
      b.events.add(h.index);
      for (const s of h.stages[0]) b.stages.add(s);
      if (h.values[0]) b.values.set(h.index, h.values[0]);
    }
  }
  const out: CorrelationAlert[] = [];
  const sorted = [...buckets.values()].sort((a, b) => a.start - b.start || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const b of sorted) {
    let value: number;
    const vals = [...b.values.values()].flat();
    const nums = vals.map(Number).filter((n) => Number.isFinite(n));
    switch (c.type) {
      case 'event_count':
        value = b.events.size;
        break;
      case 'value_count':
        value = new Set(vals).size;
        break;
      case 'value_sum':
        value = nums.reduce((a, x) => a + x, 0);
        break;
      case 'value_avg':
        if (nums.length === 0) continue;
        value = nums.reduce((a, x) => a + x, 0) / nums.length;
        break;
      case 'value_percentile':
        if (nums.length === 0) continue;
        value = percentile(
          nums.sort((x, y) => x - y),
          c.condition.percentile ?? 50,
        );
        break;
      case 'temporal':
        value = b.stages.size;
        break;
      default:
        continue;
    }
    const cond: CorrelationCondition = temporalDefault(c);
    if (!holds(cond, value)) continue;
    out.push({ correlation: c, group: groupRecord(c, b.key), start: b.start, end: b.start + span, value, events: [...b.events].sort((x, y) => x - y) });
  }
  return out;
}

function sequences(c: IrCorrelation, hits: Hit[]): CorrelationAlert[] {
  const n = c.rules.length;
  const ordered = hits.slice().sort((a, b) => a.ts - b.ts || a.index - b.index);
  // key → per stage, the latest partial sequence that has completed that stage
  const partial = new Map<string, ({ start: number; events: number[]; last: number } | undefined)[]>();
  const out: CorrelationAlert[] = [];
  // hits of one event arrive as consecutive entries, one per stage; group them
  for (let i = 0; i < ordered.length; ) {
    let j = i;
    while (j < ordered.length && ordered[j].index === ordered[i].index) j++;
    const group = ordered.slice(i, j);
    i = j;
    const ts = group[0].ts;
    const index = group[0].index;
    const byKey = new Map<string, Set<number>>();
    for (const h of group) for (const key of h.keys[0] ?? []) {
      let s = byKey.get(key);
      if (!s) byKey.set(key, (s = new Set()));
      for (const st of h.stages[0]) s.add(st);
    }
    for (const [key, stages] of byKey) {
      let st = partial.get(key);
      if (!st) partial.set(key, (st = new Array(n).fill(undefined)));
      // later stages first, so one event never fills two stages of one sequence
      for (let k = n - 1; k >= 0; k--) {
        if (!stages.has(k)) continue;
        if (k === 0) {
          if (n === 1) out.push({ correlation: c, group: groupRecord(c, key), start: ts, end: ts, value: 1, events: [index] });
          else st[0] = { start: ts, events: [index], last: index };
          continue;
        }
        const prev = st[k - 1];
        if (!prev || prev.last === index) continue;
        st[k - 1] = undefined;
        if (ts - prev.start > c.timespanMs) continue;
        const seq = { start: prev.start, events: [...prev.events, index], last: index };
        if (k === n - 1) out.push({ correlation: c, group: groupRecord(c, key), start: seq.start, end: ts, value: n, events: seq.events });
        else st[k] = seq;
      }
    }
  }
  return out;
}

export function correlationPlans(correlations: IrCorrelation[], ruleIndexOf: (r: IrRule) => number): CorrelationPlan[] {
  return correlations.map((c) => ({ correlation: c, ruleIndex: c.rules.map((r) => (r.kind === 'rule' ? ruleIndexOf(r) : -1)) }));
}
