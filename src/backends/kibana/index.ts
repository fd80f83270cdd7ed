/**
 * Kibana Security detection rules in the NDJSON format of Kibana's rule import
 * (`POST /api/detection_engine/rules/_import`). A plain rule is a `query` rule whose matching is
 * done by a custom Query DSL filter (exact, with case_insensitive) and an empty KQL query; or,
 * on request, a Lucene, EQL or ES|QL rule. Correlations: temporal_ordered → `eql` sequence rule,
 * the counting types → `esql` aggregating rule.
 */
import type { IrCorrelation, IrDocument, IrRuleMeta } from '../../ir/types';
import { SigmaEsError } from '../../errors';
import { DEFAULT_INDEX, ruleLabel, type BackendOptions, type Translation } from '../common';
import { dslQuery } from '../dsl';
import { luceneQuery } from '../lucene';
import { toEql } from '../eql';
import { toEsql } from '../esql';

export type KibanaRuleType = 'query' | 'lucene' | 'eql' | 'esql';

export interface KibanaOptions extends BackendOptions {
  /** How a plain (non-correlation) rule is expressed; default `query` (DSL filter). */
  kibanaRuleType?: KibanaRuleType;
  /** Rule schedule; default every 5 minutes looking back 6. */
  interval?: string;
  from?: string;
}

/** Sigma level → Kibana severity and risk score (Kibana's own defaults per severity). */
export const SEVERITY: Record<string, { severity: 'low' | 'medium' | 'high' | 'critical'; risk_score: number }> = {
  informational: { severity: 'low', risk_score: 1 },
  low: { severity: 'low', risk_score: 21 },
  medium: { severity: 'medium', risk_score: 47 },
  high: { severity: 'high', risk_score: 73 },
  critical: { severity: 'critical', risk_score: 99 },
};

/** MITRE ATT&CK Enterprise tactics, by the Sigma tag name (`attack.defense-evasion`). */
export const TACTICS: Record<string, { id: string; name: string }> = {
  reconnaissance: { id: 'TA0043', name: 'Reconnaissance' },
  'resource-development': { id: 'TA0042', name: 'Resource Development' },
  'initial-access': { id: 'TA0001', name: 'Initial Access' },
  execution: { id: 'TA0002', name: 'Execution' },
  persistence: { id: 'TA0003', name: 'Persistence' },
  'privilege-escalation': { id: 'TA0004', name: 'Privilege Escalation' },
  'defense-evasion': { id: 'TA0005', name: 'Defense Evasion' },
  'credential-access': { id: 'TA0006', name: 'Credential Access' },
  discovery: { id: 'TA0007', name: 'Discovery' },
  'lateral-movement': { id: 'TA0008', name: 'Lateral Movement' },
  collection: { id: 'TA0009', name: 'Collection' },
  'command-and-control': { id: 'TA0011', name: 'Command and Control' },
  exfiltration: { id: 'TA0010', name: 'Exfiltration' },
  impact: { id: 'TA0040', name: 'Impact' },
};

interface Technique {
  id: string;
  name: string;
  reference: string;
  subtechnique?: Array<{ id: string; name: string; reference: string }>;
}

/**
 * ATT&CK `threat` entries. Kibana files techniques under a tactic; Sigma tags do not say which
 * listed tactic a technique belongs to, so every technique tag is filed under every tactic tag
 * of the rule (techniques with no tactic tag stay in `tags` only). Names of techniques are not
 * known offline, so the id doubles as the name.
 */
export function threatFromTags(tags: string[]): unknown[] {
  const tactics: string[] = [];
  const techniques = new Map<string, Technique>();
  for (const raw of tags) {
    const tag = raw.toLowerCase();
    if (!tag.startsWith('attack.')) continue;
    const name = tag.slice('attack.'.length).replace(/_/g, '-');
    if (TACTICS[name]) {
      if (!tactics.includes(name)) tactics.push(name);
      continue;
    }
    const m = /^t(\d{4})(?:\.(\d{3}))?$/.exec(name);
    if (!m) continue;
    const id = `T${m[1]}`;
    let t = techniques.get(id);
    if (!t) techniques.set(id, (t = { id, name: id, reference: `https://attack.mitre.org/techniques/${id}/` }));
    if (m[2]) {
      const sid = `${id}.${m[2]}`;
      t.subtechnique ??= [];
      if (!t.subtechnique.some((s) => s.id === sid)) {
        t.subtechnique.push({ id: sid, name: sid, reference: `https://attack.mitre.org/techniques/${id}/${m[2]}/` });
      }
    }
  }
  return tactics.map((name) => {
    const tactic = TACTICS[name];
    return {
      framework: 'MITRE ATT&CK',
      tactic: { id: tactic.id, name: tactic.name, reference: `https://attack.mitre.org/tactics/${tactic.id}/` },
      technique: [...techniques.values()],
    };
  });
}

function authors(meta: IrRuleMeta): string[] {
  return meta.author ? meta.author.split(',').map((a) => a.trim()).filter(Boolean) : [];
}

function common(doc: IrDocument, opts: KibanaOptions): Record<string, unknown> {
  const meta = doc.meta;
  if (!meta.id) {
    throw new SigmaEsError('MISSING_ID', 'a Kibana rule needs a stable rule_id, and this rule has no `id:`; add a UUID', { file: doc.file, rule: ruleLabel(doc) });
  }
  const sev = SEVERITY[(meta.level ?? 'medium').toLowerCase()] ?? SEVERITY.medium;
  return {
    rule_id: meta.id,
    name: meta.title,
    description: meta.description?.trim() || meta.title,
    severity: sev.severity,
    risk_score: sev.risk_score,
    author: authors(meta),
    references: meta.references,
    false_positives: meta.falsepositives,
    threat: threatFromTags(meta.tags),
    tags: meta.tags,
    enabled: false,
    interval: opts.interval ?? '5m',
    from: opts.from ?? 'now-6m',
    to: 'now',
    max_signals: 100,
    version: 1,
    meta: { generator: 'sigma-es', sigma_status: meta.status, sigma_date: meta.date, sigma_modified: meta.modified },
  };
}

function indices(opts: BackendOptions): string[] {
  return (opts.index ?? DEFAULT_INDEX).split(',').map((s) => s.trim()).filter(Boolean);
}

export function toKibanaRule(doc: IrDocument, opts: KibanaOptions): Translation<Record<string, unknown>> {
  const base = common(doc, opts);
  const warnings: string[] = [];
  let body: Record<string, unknown>;
  if (doc.kind === 'rule') {
    const type = opts.kibanaRuleType ?? 'query';
    if (type === 'query') {
      body = {
        type: 'query',
        language: 'kuery',
        query: '',
        index: indices(opts),
        filters: [
          {
            meta: { alias: 'sigma-es', negate: false, disabled: false, type: 'custom', key: 'query', value: 'sigma-es DSL' },
            query: dslQuery(doc, opts),
            $state: { store: 'appState' },
          },
        ],
      };
    } else if (type === 'lucene') {
      body = { type: 'query', language: 'lucene', query: luceneQuery(doc, opts), index: indices(opts) };
    } else if (type === 'eql') {
      body = { type: 'eql', language: 'eql', query: toEql(doc, opts).query, index: indices(opts) };
    } else {
      const t = toEsql(doc, opts);
      warnings.push(...t.warnings);
      body = { type: 'esql', language: 'esql', query: t.query };
    }
  } else {
    body = correlationRule(doc, opts, warnings);
  }
  return { target: 'kibana-ndjson', query: { ...base, ...body }, warnings };
}

function correlationRule(corr: IrCorrelation, opts: KibanaOptions, warnings: string[]): Record<string, unknown> {
  if (corr.type === 'temporal_ordered') return { type: 'eql', language: 'eql', query: toEql(corr, opts).query, index: indices(opts) };
  const t = toEsql(corr, opts);
  warnings.push(...t.warnings);
  return { type: 'esql', language: 'esql', query: t.query };
}
