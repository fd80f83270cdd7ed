/**
 * The native evaluator: compiled rule sets over JSON events, with the answers the real engine
 * gives for the translated queries on the project's mapping (see docs/evaluator.md).
 */

import { compileFast, type FastRuleset } from './fast';
import { compileOracleRule, oracleMatches, explainNode, renderExplain, type ExplainNode, type OracleRule } from './oracle';
import { prepareEvent, type PreparedEvent } from './event';
import { CorrelationEngine, correlationPlans, type CorrelationAlert } from './correlate';
import { getProfile, profileNames, type MappingProfile } from '../mapping/profile';
import type { IrCorrelation, IrDocument, IrRule } from '../ir/types';
import { SigmaEsError } from '../errors';
import { toDsl } from '../backends/dsl';
import { toEql } from '../backends/eql';

export { prepareEvent, type PreparedEvent } from './event';
export { parseJsonExact, readEventRecords, RecordSplitter, RawNumber, type EventRecord } from './json';
export type { CorrelationAlert } from './correlate';
export type { ExplainNode } from './oracle';
export { renderExplain };

export interface RulesetOptions {
  /** Mapping profile name or object; default `sysmon`. */
  profile?: string | MappingProfile;
  /** Date field that orders events for correlations; default `@timestamp`. */
  timestampField?: string;
  /** Called for a rule the evaluator cannot run on this mapping; the rule is left out. Default: throw. */
  onRuleError?: (rule: IrRule | IrCorrelation, error: SigmaEsError) => void;
}

export interface Ruleset {
  profile: MappingProfile;
  /** Every detection rule evaluated: top-level rules and rules only referenced by correlations. */
  rules: IrRule[];
  /** Whether rules[i] is reported on its own (false for rules referenced by a correlation without generate). */
  output: boolean[];
  correlations: IrCorrelation[];
  /** Indices into `rules` of every rule matching the event, ascending. */
  match(ev: PreparedEvent): number[];
  /** The same, with the full-scan oracle. */
  matchOracle(ev: PreparedEvent): number[];
  explain(ruleIndex: number, ev: PreparedEvent): ExplainNode;
  newCorrelationEngine(): CorrelationEngine;
  stats: FastRuleset['stats'];
  /** Events matched and candidate rules evaluated so far (how selective the witness index is). */
  counters: FastRuleset['counters'];
}

export function resolveProfile(p: string | MappingProfile | undefined): MappingProfile {
  if (p === undefined) return getProfile('sysmon') as MappingProfile;
  if (typeof p !== 'string') return p;
  const prof = getProfile(p);
  if (!prof) throw new SigmaEsError('UNKNOWN_PROFILE', `unknown mapping profile '${p}'; known: ${profileNames().join(', ')}`);
  return prof;
}

export function compileRuleset(docs: IrDocument[], options: RulesetOptions = {}): Ruleset {
  const profile = resolveProfile(options.profile);
  const rules: IrRule[] = [];
  const output: boolean[] = [];
  const indexOf = new Map<IrRule, number>();
  const correlations: IrCorrelation[] = [];
  const addRule = (r: IrRule, out: boolean): void => {
    const i = indexOf.get(r);
    if (i !== undefined) {
      output[i] ||= out;
      return;
    }
    indexOf.set(r, rules.length);
    rules.push(r);
    output.push(out);
  };
  const hidden = new Set<IrRule>();
  const visitCorr = (c: IrCorrelation): void => {
    for (const r of c.rules) {
      if (r.kind === 'rule') {
        if (!c.generate) hidden.add(r);
        addRule(r, c.generate);
      } else visitCorr(r);
    }
  };
  for (const d of docs) {
    if (d.kind !== 'correlation') continue;
    // The same rejections as the translator: aggregations as the Query DSL renders them,
    // temporal_ordered as the EQL sequence.
    try {
      if (d.type === 'temporal_ordered') toEql(d, { profile });
      else toDsl(d, { profile });
    } catch (e) {
      if (!(e instanceof SigmaEsError) || !options.onRuleError) throw e;
      options.onRuleError(d, e);
      continue;
    }
    correlations.push(d);
  }
  for (const c of correlations) visitCorr(c);
  for (const d of docs) if (d.kind === 'rule') addRule(d, !hidden.has(d));
  // Every leaf is planned once, here: the oracle's predicates are also the fast evaluator's leaves.
  let oracleRules: OracleRule[];
  if (options.onRuleError) {
    const compiled = rules.map((r) => {
      try {
        return compileOracleRule(r, profile);
      } catch (e) {
        if (!(e instanceof SigmaEsError)) throw e;
        options.onRuleError?.(r, e);
        return null;
      }
    });
    const dropped = new Set(rules.filter((_, i) => compiled[i] === null));
    oracleRules = compiled.filter((o): o is OracleRule => o !== null);
    if (dropped.size) {
      const kept = rules.filter((r) => !dropped.has(r));
      const keptOut = output.filter((_, i) => compiled[i] !== null);
      rules.length = 0;
      output.length = 0;
      indexOf.clear();
      kept.forEach((r, i) => {
        indexOf.set(r, i);
        rules.push(r);
        output.push(keptOut[i]);
      });
      // a correlation over a dropped rule cannot be evaluated either
      for (let i = correlations.length - 1; i >= 0; i--) {
        const c = correlations[i];
        if (c.rules.some((r) => r.kind === 'rule' && dropped.has(r))) correlations.splice(i, 1);
      }
    }
  } else oracleRules = rules.map((r) => compileOracleRule(r, profile));
  const fast = compileFast(rules, profile, oracleRules.map((o) => o.leaves));
  const oracleOf = (): OracleRule[] => oracleRules;
  const plans = correlationPlans(correlations, (r) => indexOf.get(r) ?? -1);
  return {
    profile,
    rules,
    output,
    correlations,
    match: fast.match,
    matchOracle: (ev) => {
      const out: number[] = [];
      oracleOf().forEach((r, i) => {
        if (oracleMatches(r, ev)) out.push(i);
      });
      return out;
    },
    explain: (i, ev) => {
      const o = oracleOf()[i];
      return explainNode(o, o.rule.query, ev);
    },
    newCorrelationEngine: () => new CorrelationEngine(plans, options.timestampField),
    stats: fast.stats,
    counters: fast.counters,
  };
}

/** Convenience: the output rules matching one JSON event. */
export function matchEvent(ruleset: Ruleset, event: Record<string, unknown>): IrRule[] {
  const ev = prepareEvent(event, ruleset.profile);
  return ruleset.match(ev).filter((i) => ruleset.output[i]).map((i) => ruleset.rules[i]);
}

/** Run a rule set over events in order: standalone matches and correlation alerts. */
export function evaluateEvents(
  ruleset: Ruleset,
  events: Iterable<Record<string, unknown>>,
): { matches: Array<{ event: number; rule: IrRule }>; alerts: CorrelationAlert[] } {
  const corr = ruleset.correlations.length ? ruleset.newCorrelationEngine() : null;
  const matches: Array<{ event: number; rule: IrRule }> = [];
  let i = 0;
  for (const e of events) {
    const ev = prepareEvent(e, ruleset.profile);
    const hit = ruleset.match(ev);
    for (const ri of hit) if (ruleset.output[ri]) matches.push({ event: i, rule: ruleset.rules[ri] });
    if (corr && hit.length) corr.add(ev, i, new Set(hit));
    i++;
  }
  return { matches, alerts: corr ? corr.finish() : [] };
}
