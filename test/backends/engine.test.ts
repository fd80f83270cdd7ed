// The rendered queries on a real Elasticsearch: every construct must be accepted by the engine
// and match exactly the events Sigma says it matches. The expectations below are written from
// the Sigma semantics by hand (never taken from a translation). Skips without an engine,
// fails under CI=true (see test/engine/hooks.ts).
import * as assert from 'node:assert/strict';
import { correlationMatches, dslQuery, luceneQuery, toDsl, type DslCorrelationQuery } from '../../src/backends';
import type { CorrelationBucket } from '../../src/backends/dsl';
import { parseSigmaRegex } from '../../src/ir/regex';
import type { IrNode } from '../../src/ir/types';
import { getProfile, indexBody } from '../../src/mapping/profile';
import { useEngine } from '../engine/hooks';
import { SPECIAL_CHARS } from './constructs';
import { and, correlation, lit, not, or, origin, pat, rule, str } from './ir';

const profile = getProfile('ecs')!;
const CL = 'process.command_line';
const EXE = 'process.executable';
const IPK = 'winlog.event_data.IpAddress';

const EVENTS: Record<string, Record<string, unknown>> = {
  e0: { [CL]: 'WMIC /node:10.0.0.5 process call create "cmd.exe"', [EXE]: 'C:\\Windows\\System32\\wbem\\WMIC.exe', 'source.ip': '10.1.2.3', 'process.pid': 4, [IPK]: '172.16.5.4', 'event.code': '1' },
  e1: { [CL]: 'wmic os get caption', [EXE]: 'c:\\windows\\system32\\wbem\\wmic.exe', 'source.ip': '192.168.1.7', 'process.pid': 1024, [IPK]: 'FE80::1', 'event.code': 1 },
  e2: { [CL]: 'cmd /c echo a*b\\ done', [EXE]: 'C:\\Tools\\x.exe', 'source.ip': '192.168.100.1', 'process.pid': 5000, [IPK]: '::1' },
  e3: { 'user.name': 'NT AUTHORITY\\SYSTEM', [IPK]: '010.0.0.1', 'source.ip': 'fe80::abcd' },
  e4: { [CL]: 'whoami.exe /all', [IPK]: '172.32.0.1', 'winlog.event_data.Enabled': true },
  e5: { [CL]: ['first value', 'Second WMIC value'], [EXE]: 'C:\\ÄRGER\\straße.exe' },
  e6: { [CL]: '' },
};
SPECIAL_CHARS.forEach((ch, i) => {
  EVENTS[`c${i}`] = { [CL]: `x a${ch}b y` };
  EVENTS[`C${i}`] = { [CL]: `A${ch}b` };
});

function regex(field: string | null, source: string, i = false): IrNode {
  const flags = { i, m: false, s: false };
  return { kind: 'regex', field, source, ast: parseSigmaRegex(source, flags), flags, origin: origin(field, ['re'], source) };
}
const cidr = (field: string, c: string): IrNode => ({ kind: 'cidr', field, cidr: c, version: c.includes(':') ? 6 : 4, origin: origin(field, ['cidr'], c) });
const exists = (field: string): IrNode => ({ kind: 'exists', field, origin: origin(field, ['exists'], 'true') });

const CASES: Array<[string, IrNode, string[]]> = [
  ['eq case-insensitive', str(CL, lit('Whoami.exe /All')), ['e4']],
  ['eq cased', str(CL, lit('whoami.exe /all'), true), ['e4']],
  ['eq cased, other case', str(CL, lit('Whoami.exe /all'), true), []],
  ['empty string', str(CL, lit('')), ['e6']],
  ['contains', str(CL, pat('*Wmic*')), ['e0', 'e1', 'e5']],
  ['contains cased', str(CL, pat('*WMIC*'), true), ['e0', 'e5']],
  ['startswith', str(CL, pat('wmic*')), ['e0', 'e1']],
  ['endswith with backslash', str(EXE, pat('*\\wmic.exe')), ['e0', 'e1']],
  ['inner wildcards', str(EXE, pat('c:\\?indows*wmic.exe')), ['e0', 'e1']],
  ['literal star', str(CL, [{ t: 'any' }, { t: 'lit', v: 'a*b\\ ' }, { t: 'any' }]), ['e2']],
  ['non-ASCII folds only ASCII', str(EXE, pat('*ärger\\STRASSE.exe')), []],
  ['non-ASCII exact letters', str(EXE, pat('*Ärger\\STRAßE.exe')), ['e5']],
  ['any value', str(CL, pat('*')), Object.keys(EVENTS).filter((k) => k !== 'e3')],
  ['keyword search', str(null, pat('*NT AUTHORITY*')), ['e3']],
  ['number on keyword', { kind: 'scalar', field: 'event.code', value: 1, origin: origin('EventID') }, ['e0', 'e1']],
  ['boolean on keyword', { kind: 'scalar', field: 'winlog.event_data.Enabled', value: true, origin: origin('Enabled') }, ['e4']],
  ['number on long', { kind: 'scalar', field: 'process.pid', value: 1024, origin: origin('ProcessId') }, ['e1']],
  ['string number on long', str('process.pid', lit('4')), ['e0']],
  ['ip equality', str('source.ip', lit('10.1.2.3')), ['e0']],
  ['ip text prefix', str('source.ip', pat('192.168.1*')), ['e1', 'e2']],
  ['ip impossible text', str('source.ip', pat('*-*')), []],
  ['cidr on ip', cidr('source.ip', '192.168.0.0/16'), ['e1', 'e2']],
  ['cidr v6 on ip', cidr('source.ip', 'fe80::/10'), ['e3']],
  ['cidr v4 on keyword', cidr(IPK, '172.16.0.0/12'), ['e0']],
  ['cidr v4 on keyword, no leading zeros', cidr(IPK, '10.0.0.0/8'), []],
  ['cidr v6 on keyword', cidr(IPK, 'fe80::/10'), ['e1']],
  ['cidr v6 loopback on keyword', cidr(IPK, '::1/128'), ['e2']],
  ['exists', exists('user.name'), ['e3']],
  ['null', not(exists(EXE)), Object.keys(EVENTS).filter((k) => !['e0', 'e1', 'e2', 'e5'].includes(k))],
  ['gte', { kind: 'compare', field: 'process.pid', op: 'gte', value: 1024, origin: origin('ProcessId') }, ['e1', 'e2']],
  ['regex unanchored', regex(CL, 'node:\\d+\\.'), ['e0']],
  ['regex anchored', regex(CL, '^wmic'), ['e1']],
  ['regex ignorecase', regex(CL, '^WMIC OS', true), ['e1']],
  ['regex with Lucene operator characters', regex(CL, 'a[@#&~<>]b'), SPECIAL_CHARS.flatMap((ch, i) => ('@#&~<>'.includes(ch) ? [`c${i}`] : []))],
  ['and / or / not', and(or(str(CL, pat('*wmic*')), str(EXE, pat('*\\x.exe'))), not(str(CL, pat('*caption*')))), ['e0', 'e2', 'e5']],
  ['only negative', and(not(str(CL, pat('*wmic*'))), not(exists('user.name'))), Object.keys(EVENTS).filter((k) => !['e0', 'e1', 'e5', 'e3'].includes(k))],
  ['const false', { kind: 'const', value: false }, []],
  // query_string's lexer reads `\/` as an escaped slash: a literal ending in a backslash must not eat the regex's end.
  ['literal ending in a backslash, then more query', or(str(EXE, lit('C:\\Tools\\')), str(CL, pat('*wmic*'))), ['e0', 'e1', 'e5']],
];
SPECIAL_CHARS.forEach((ch, i) => {
  const name = JSON.stringify(ch);
  // e2 holds a literal `a*b`.
  CASES.push([`char ${name} contains`, str(CL, [{ t: 'any' }, { t: 'lit', v: `a${ch}b` }, { t: 'any' }]), [`c${i}`, `C${i}`, ...(ch === '*' ? ['e2'] : [])]]);
  CASES.push([`char ${name} eq cased`, str(CL, [{ t: 'lit', v: `A${ch}b` }], true), [`C${i}`]]);
});

describe('backends on a real Elasticsearch', function () {
  const engine = useEngine('elasticsearch');
  const index = `sigma-es-backends-${process.pid}`;

  before(async function () {
    this.timeout(120_000);
    const c = engine().client;
    await c.deleteIndex(index);
    await c.createIndex(index, indexBody(profile));
    const ids = Object.keys(EVENTS);
    const r = await c.bulk(index, ids.map((id) => EVENTS[id]), { ids, refresh: true });
    assert.deepEqual(r.errors, []);
  });
  after(async function () {
    try {
      await engine().client.deleteIndex(index);
    } catch {
      // no engine
    }
  });

  for (const [name, node, expected] of CASES) {
    it(`dsl: ${name}`, async () => {
      const ids = await engine().client.searchIds(index, dslQuery(rule(node), { profile }));
      assert.deepEqual(ids.sort(), [...expected].sort());
    });
    it(`lucene: ${name}`, async () => {
      const q = luceneQuery(rule(node), { profile });
      const ids = await engine().client.searchIds(index, { query_string: { query: q } });
      assert.deepEqual(ids.sort(), [...expected].sort(), q);
    });
  }

  describe('correlations as composite aggregations', () => {
    const corrIndex = `${index}-corr`;
    const t = (min: number): string => new Date(Date.UTC(2026, 0, 1, 0, min)).toISOString();
    const logons = [
      // host a: three failures in window [00:00, 00:05), two more in [00:05, 00:10)
      ['a', 1, 'u1'], ['a', 2, 'u2'], ['a', 4, 'u1'], ['a', 6, 'u3'], ['a', 9, 'u3'],
      // host b: one failure
      ['b', 1, 'u1'],
    ] as const;
    before(async function () {
      const c = engine().client;
      await c.deleteIndex(corrIndex);
      await c.createIndex(corrIndex, indexBody(profile));
      const docs = logons.map(([host, min, user]) => ({ '@timestamp': t(min), 'host.name': host, 'user.name': user, 'event.code': '4625' }));
      docs.push({ '@timestamp': t(3), 'host.name': 'a', 'user.name': 'u1', 'event.code': '4624' });
      await c.bulk(corrIndex, docs, { refresh: true });
    });

    async function run(plan: DslCorrelationQuery): Promise<Array<{ window: string; group: unknown; value: number }>> {
      const buckets: CorrelationBucket[] = [];
      let after: unknown;
      for (;;) {
        const body = JSON.parse(JSON.stringify(plan.body));
        if (after) body.aggs.sigma_buckets.composite.after = after;
        const r = (await engine().client.search(corrIndex, body)) as unknown as { aggregations: { sigma_buckets: { buckets: CorrelationBucket[]; after_key?: unknown } } };
        buckets.push(...r.aggregations.sigma_buckets.buckets);
        after = r.aggregations.sigma_buckets.after_key;
        if (!after || r.aggregations.sigma_buckets.buckets.length === 0) break;
      }
      return correlationMatches(plan, buckets).map((m) => ({ window: new Date(m.window).toISOString(), group: m.group, value: m.value }));
    }
    const failed = rule(str('event.code', lit('4625'), true), 'aaaaaaaa-2222-4333-8444-555555555555', 'failed');
    const success = rule(str('event.code', lit('4624'), true), 'bbbbbbbb-2222-4333-8444-555555555555', 'success');

    it('event_count: fixed epoch-aligned windows per group', async () => {
      const plan = toDsl(correlation('event_count', [failed], { condition: { bounds: [{ op: 'gte', value: 2 }] } }), { profile }).query as DslCorrelationQuery;
      assert.deepEqual(await run(plan), [
        { window: t(0), group: { 'host.name': 'a' }, value: 3 },
        { window: t(5), group: { 'host.name': 'a' }, value: 2 },
      ]);
    });
    it('value_count: distinct values, exactly', async () => {
      const plan = toDsl(correlation('value_count', [failed], { condition: { bounds: [{ op: 'gte', value: 2 }], field: 'user.name' } }), { profile }).query as DslCorrelationQuery;
      assert.deepEqual(await run(plan), [{ window: t(0), group: { 'host.name': 'a' }, value: 2 }]);
    });
    it('temporal: every rule in the same window and group', async () => {
      const plan = toDsl(correlation('temporal', [failed, success], { condition: { bounds: [] } }), { profile }).query as DslCorrelationQuery;
      assert.deepEqual(await run(plan), [{ window: t(0), group: { 'host.name': 'a' }, value: 2 }]);
    });
  });
});
