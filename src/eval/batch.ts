/**
 * One unit of `match` work: raw event records in, output lines out. The same function runs
 * in the main thread (one worker) and in worker threads, so results cannot differ by N.
 */

import { compilePaths } from '../compile';
import { compileRuleset, type Ruleset } from './index';
import { parseRecord } from './json';
import { prepareEvent } from './event';
import { renderExplain } from './oracle';
import { describeError, type SigmaEsError } from '../errors';

export interface MatchSetup {
  paths: string[];
  pipelines: string[];
  profile: string;
  timestampField: string;
  explain: boolean;
  json: boolean;
}

export interface RawRecord {
  index: number;
  line: number;
  text: string;
}

export interface BatchResult {
  lines: string[];
  /** Malformed records, in input order, with how much output came before each (for --on-error fail). */
  errors: Array<{ index: number; line: number; message: string; before?: { lines: number; events: number; rejected: number; matches: number } }>;
  /** Events that matched a rule feeding a correlation (re-prepared by the main thread). */
  corr: Array<{ index: number; text: string; matched: number[] }>;
  events: number;
  rejected: number;
  matches: number;
}

export interface LoadedRules {
  ruleset: Ruleset;
  ruleErrors: SigmaEsError[];
  warnings: string[];
  corrRules: Set<number>;
}

export function loadRules(setup: MatchSetup): LoadedRules {
  const result = compilePaths(setup.paths, { pipelines: setup.pipelines, keepSource: false });
  const ruleErrors: SigmaEsError[] = [...result.errors];
  const warnings: string[] = [];
  const docs = [];
  for (const e of result.entries) {
    ruleErrors.push(...e.errors);
    for (const w of e.warnings) warnings.push(`${e.file}: [${e.label ?? '?'}] ${w}`);
    if (e.doc && !e.errors.length) docs.push(e.doc);
  }
  const ruleset = compileRuleset(docs, {
    profile: setup.profile,
    timestampField: setup.timestampField,
    onRuleError: (_r, err) => ruleErrors.push(err),
  });
  const corrRules = new Set<number>();
  ruleset.rules.forEach((r, i) => {
    if (ruleset.correlations.some((c) => c.rules.includes(r))) corrRules.add(i);
  });
  return { ruleset, ruleErrors, warnings, corrRules };
}

/** What the main thread reports about the rules, without holding the compiled rule set itself. */
export interface RulesInfo {
  errors: string[];
  warnings: string[];
  rules: number;
  correlations: number;
}

export function rulesInfo(l: LoadedRules): RulesInfo {
  return { errors: l.ruleErrors.map((e) => describeError(e)), warnings: l.warnings, rules: l.ruleset.rules.length, correlations: l.ruleset.correlations.length };
}

function pick(ev: Record<string, unknown>, raw: Map<string, unknown[]>, field: string): unknown {
  const v = raw.get(field);
  if (!v || v.length === 0) return null;
  return v.length === 1 ? v[0] : v;
}

function snapshot(r: BatchResult): { lines: number; events: number; rejected: number; matches: number } {
  return { lines: r.lines.length, events: r.events, rejected: r.rejected, matches: r.matches };
}

export function processBatch(loaded: LoadedRules, setup: MatchSetup, records: RawRecord[]): BatchResult {
  const { ruleset, corrRules } = loaded;
  const res: BatchResult = { lines: [], errors: [], corr: [], events: 0, rejected: 0, matches: 0 };
  for (const rec of records) {
    // a structural error found by the splitter, forwarded in order
    if (rec.text.charCodeAt(0) === 0) {
      res.errors.push({ index: rec.index, line: rec.line, message: rec.text.slice(1), before: snapshot(res) });
      continue;
    }
    const r = parseRecord(rec.index, rec.line, rec.text);
    if ('error' in r) {
      res.errors.push({ index: rec.index, line: rec.line, message: r.error, before: snapshot(res) });
      continue;
    }
    res.events++;
    const ev = prepareEvent(r.event, ruleset.profile);
    if (ev.rejected !== null) res.rejected++;
    const hit = ruleset.match(ev);
    let feedsCorr = false;
    for (const ri of hit) {
      if (corrRules.has(ri)) feedsCorr = true;
      if (!ruleset.output[ri]) continue;
      const rule = ruleset.rules[ri];
      res.matches++;
      const fields: Record<string, unknown> = {};
      rule.outputFields.forEach((f, k) => (fields[rule.meta.fields[k] ?? f] = pick(r.event, ev.raw, f)));
      const out: Record<string, unknown> = {
        rule: { id: rule.meta.id ?? null, title: rule.meta.title, level: rule.meta.level ?? null },
        event: rec.index,
      };
      if (r.event._id !== undefined) out._id = r.event._id;
      out.fields = fields;
      res.lines.push(JSON.stringify(out));
    }
    if (setup.explain) {
      ruleset.rules.forEach((rule, ri) => {
        if (!ruleset.output[ri] && !corrRules.has(ri)) return;
        const x = ruleset.explain(ri, ev);
        if (setup.json) res.lines.push(JSON.stringify({ explain: { rule: rule.meta.id ?? rule.meta.title, event: rec.index, matched: hit.includes(ri), rejected: ev.rejected, tree: x } }));
        else {
          let head = `# event ${rec.index} (line ${rec.line}) × ${rule.meta.title}${rule.meta.id ? ` [${rule.meta.id}]` : ''}: ${hit.includes(ri) ? 'MATCH' : 'no match'}`;
          if (ev.rejected) head += ` — Elasticsearch would reject this event: ${ev.rejected}`;
          res.lines.push(`${head}\n${renderExplain(x).trimEnd()}`);
        }
      });
    }
    if (feedsCorr) res.corr.push({ index: rec.index, text: rec.text, matched: hit });
  }
  return res;
}
