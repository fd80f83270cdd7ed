import { strict as assert } from 'node:assert';
import { compileRuleset, prepareEvent, parseJsonExact, type Ruleset } from '../../src/eval';
import { getProfile, type MappingProfile } from '../../src/mapping/profile';
import { parseSigmaRegex } from '../../src/ir/regex';
import type { IrNode, Leaf } from '../../src/ir/types';
import { and, cidr, cmp, exists, not, or, rule, scalar, str } from './helpers';

const isUnsupported = (e: unknown): boolean => (e as { code?: string }).code === 'UNSUPPORTED_CONSTRUCT';
const sysmon = getProfile('sysmon') as MappingProfile;
const ecs = getProfile('ecs') as MappingProfile;

/** Both evaluators must give the same verdict; return it. */
function verdict(q: IrNode, event: Record<string, unknown> | string, profile = sysmon): boolean {
  const rs: Ruleset = compileRuleset([rule(q)], { profile });
  const src = typeof event === 'string' ? (parseJsonExact(event) as Record<string, unknown>) : event;
  const ev = prepareEvent(src, profile);
  const fast = rs.match(ev).length === 1;
  const oracle = rs.matchOracle(prepareEvent(src, profile)).length === 1;
  assert.equal(fast, oracle, 'fast and oracle evaluators disagree');
  return fast;
}

const re = (field: string | null, source: string, flags = { i: false, m: false, s: false }): Leaf => ({
  kind: 'regex',
  field,
  source,
  ast: parseSigmaRegex(source, flags),
  flags,
  origin: { identifier: 'selection', sigmaField: field, modifiers: ['re'], value: source },
});

describe('evaluator semantics', () => {
  describe('field lookup like Elasticsearch', () => {
    it('dotted keys and nested objects are the same field', () => {
      const q = str('a.b', 'x');
      assert.equal(verdict(q, { a: { b: 'x' } }), true);
      assert.equal(verdict(q, { 'a.b': 'x' }), true);
      assert.equal(verdict(q, { a: { 'b.c': 'x' } }), false);
      assert.equal(verdict(str('a.b.c', 'x'), { a: { 'b.c': 'x' } }), true);
    });
    it('arrays match when any member matches, arrays of objects flatten', () => {
      assert.equal(verdict(str('t', 'b'), { t: ['a', 'b'] }), true);
      assert.equal(verdict(str('t', 'c'), { t: ['a', 'b'] }), false);
      assert.equal(verdict(str('o.n', 'y'), { o: [{ n: 'x' }, { n: ['z', 'y'] }] }), true);
    });
    it('null and [] are missing: positive leaves false, negations true', () => {
      for (const ev of [{}, { f: null }, { f: [] }, { f: [null] }]) {
        assert.equal(verdict(str('f', '*'), ev), false);
        assert.equal(verdict(not(str('f', 'x')), ev), true);
        assert.equal(verdict(exists('f'), ev), false);
      }
      assert.equal(verdict(exists('f'), { f: [null, 'a'] }), true);
    });
    it('an object and a value under one name make the document unindexable', () => {
      assert.equal(verdict(not(str('zzz', 'x')), { a: 'x', 'a.b': 'y' }), false);
    });
  });

  describe('keyword terms', () => {
    it('case-insensitive by default, cased when asked', () => {
      assert.equal(verdict(str('Image', '*\\WMIC.exe'), { Image: 'C:\\Windows\\wmic.EXE' }), true);
      assert.equal(verdict(str('Image', '*\\WMIC.exe', true), { Image: 'C:\\Windows\\wmic.EXE' }), false);
      assert.equal(verdict(str('Image', '*\\WMIC.exe', true), { Image: 'C:\\Windows\\WMIC.exe' }), true);
    });
    it('wildcards: * spans newlines, ? is exactly one character', () => {
      assert.equal(verdict(str('c', 'a*b'), { c: 'a\n\nb' }), true);
      assert.equal(verdict(str('c', 'a?b'), { c: 'axb' }), true);
      assert.equal(verdict(str('c', 'a?b'), { c: 'ab' }), false);
      assert.equal(verdict(str('c', 'a?b'), { c: 'a😀b' }), true);
    });
    it('Elasticsearch case_insensitive folds ASCII only', () => {
      assert.equal(verdict(str('c', 'é'), { c: 'É' }), false);
      assert.equal(verdict(str('c', '*k*'), { c: '\u212a' }), false);
      assert.equal(verdict(str('c', 'Straße'), { c: 'STRAßE' }), true);
    });
    it('numbers and booleans are their JSON source text', () => {
      assert.equal(verdict(scalar('EventID', 1), { EventID: 1 }), true);
      assert.equal(verdict(scalar('EventID', 1), { EventID: '1' }), true);
      assert.equal(verdict(str('EventID', '1'), { EventID: 1 }), true);
      assert.equal(verdict(scalar('v', 1), '{"v": 1.0}'), false);
      assert.equal(verdict(str('v', '1.0'), '{"v": 1.0}'), true);
      assert.equal(verdict(str('v', '1e3'), '{"v": 1e3}'), true);
      assert.equal(verdict(scalar('b', true), { b: true }), true);
      assert.equal(verdict(str('b', 'TRUE'), { b: true }), true);
    });
    it('values longer than ignore_above are not indexed', () => {
      const long = 'a'.repeat(8192);
      assert.equal(verdict(str('c', 'a*'), { c: long }), false);
      assert.equal(verdict(exists('c'), { c: long }), false);
      assert.equal(verdict(not(str('c', 'b')), { c: long }), true);
      assert.equal(verdict(str('c', 'a*'), { c: 'a'.repeat(8191) }), true);
      assert.equal(verdict(str(null, 'a*'), { c: long }), false);
    });
    it('empty strings are indexed and exist', () => {
      assert.equal(verdict(exists('c'), { c: '' }), true);
      assert.equal(verdict(str('c', ''), { c: '' }), true);
      assert.equal(verdict(str('c', '*'), { c: '' }), true);
    });
    it('keyword search covers every keyword value, not typed fields', () => {
      assert.equal(verdict(str(null, '*mimikatz*'), { x: { y: ['a', 'Invoke-MIMIKATZ'] } }), true);
      assert.equal(verdict(str(null, '*mimikatz*'), { x: 'nope' }), false);
      assert.equal(verdict(str(null, '10.0.0.1'), { SourceIp: '10.0.0.1' }), false);
      assert.equal(verdict(str(null, '10.0.0.1'), { Other: '10.0.0.1' }), true);
      assert.equal(verdict(scalar(null, 4688), { EventID: 4688 }), true);
    });
    it('a range on a keyword field is rejected, as the translator rejects it ("10" < "9" as text)', () => {
      assert.throws(() => compileRuleset([rule(cmp('k', 'gt', 5))], { profile: sysmon }), isUnsupported);
    });
    it('cidr on a keyword field: canonical address text only, one family', () => {
      const q = cidr('IpAddress', '10.0.0.0/8');
      assert.equal(verdict(q, { IpAddress: '10.1.2.3' }), true);
      assert.equal(verdict(q, { IpAddress: '010.1.2.3' }), false);
      assert.equal(verdict(q, { IpAddress: '::ffff:10.1.2.3' }), false);
      assert.equal(verdict(q, { IpAddress: ' 10.1.2.3' }), false);
      assert.equal(verdict(cidr('IpAddress', 'fe80::/10'), { IpAddress: 'FE80::1' }), true);
      assert.equal(verdict(cidr('IpAddress', 'fe80::/10'), { IpAddress: 'fe80:0:0:0:0:0:0:1' }), true);
    });
  });

  describe('typed fields', () => {
    it('ip fields: CIDR containment, v4-mapped v6, and unindexable values', () => {
      assert.equal(verdict(cidr('SourceIp', '10.0.0.0/8'), { SourceIp: '10.1.2.3' }), true);
      assert.equal(verdict(cidr('SourceIp', '10.0.0.0/8'), { SourceIp: '11.1.2.3' }), false);
      assert.equal(verdict(cidr('SourceIp', '10.0.0.0/8'), { SourceIp: '::ffff:10.1.2.3' }), true);
      assert.equal(verdict(cidr('SourceIp', 'fe80::/10'), { SourceIp: 'FE80::1' }), true);
      assert.equal(verdict(str('SourceIp', '10.1.2.3'), { SourceIp: '10.1.2.3' }), true);
      // ES rejects the document: it is never in the index, so nothing matches it
      assert.equal(verdict(not(exists('nothing')), { SourceIp: 'not-an-ip' }), false);
      assert.equal(verdict(not(exists('nothing')), { SourceIp: '010.1.2.3' }), false);
      assert.equal(verdict(str('SourceIp', 'foo'), { SourceIp: '10.1.2.3' }), false, 'not an address: matches nothing');
      assert.equal(verdict(str('SourceIp', '10.*'), { SourceIp: '10.200.1.1' }), true, 'IPv4 text prefix');
      assert.equal(verdict(str('SourceIp', '10.*'), { SourceIp: '100.0.0.1' }), false);
      assert.equal(verdict(str('SourceIp', '*'), { SourceIp: '::1' }), true);
      assert.throws(() => compileRuleset([rule(str('SourceIp', '*1'))], { profile: sysmon }), isUnsupported);
    });
    it('long fields: numeric equality and ranges, coercion, truncation', () => {
      assert.equal(verdict(scalar('ProcessId', 42), { ProcessId: '42' }), true);
      assert.equal(verdict(scalar('ProcessId', 42), { ProcessId: 42.9 }), true);
      assert.equal(verdict(scalar('ProcessId', 42.5), { ProcessId: 42.5 }), false);
      assert.equal(verdict(cmp('ProcessId', 'gte', 10), { ProcessId: [3, 10] }), true);
      assert.equal(verdict(cmp('ProcessId', 'gt', 10), { ProcessId: [3, 10] }), false);
      assert.equal(verdict(not(exists('x')), { ProcessId: 'abc' }), false);
      assert.equal(verdict(exists('ProcessId'), { ProcessId: '' }), false);
    });
    it('date fields: unparsable dates make the event unindexable; string and range tests are rejected', () => {
      assert.equal(verdict(exists('@timestamp'), { '@timestamp': '2024-01-01T00:00:00+01:00' }), true);
      assert.equal(verdict(not(exists('x')), { '@timestamp': '2024-01-01 00:00:00' }), false);
      assert.throws(() => compileRuleset([rule(cmp('@timestamp', 'gt', 0))], { profile: sysmon }), isUnsupported);
      assert.throws(() => compileRuleset([rule(str('@timestamp', '2024*'))], { profile: sysmon }), isUnsupported);
    });
    it('fieldref and timepart need scripts: rejected like the Query DSL rejects them', () => {
      const fr = { kind: 'fieldref' as const, field: 'a', ref: 'b', mode: 'eq' as const, caseSensitive: false, origin: { identifier: 's', sigmaField: 'a', modifiers: ['fieldref'], value: 'b' } };
      assert.throws(() => compileRuleset([rule(fr)], { profile: sysmon }), isUnsupported);
      const tp = { kind: 'timepart' as const, field: '@timestamp', part: 'hour' as const, op: 'eq' as const, value: 3, origin: { identifier: 's', sigmaField: '@timestamp', modifiers: ['hour'], value: '3' } };
      assert.throws(() => compileRuleset([rule(tp)], { profile: sysmon }), isUnsupported);
    });
    it('profile decides the type: ecs source.ip is ip, SourceIp is keyword', () => {
      assert.equal(verdict(cidr('source.ip', '10.0.0.0/8'), { source: { ip: '10.9.9.9' } }, ecs), true);
      assert.equal(verdict(str('SourceIp', '10.*'), { SourceIp: '10.9.9.9' }, ecs), true);
    });
  });

  describe('regex', () => {
    it('unanchored search, case-sensitive unless i', () => {
      assert.equal(verdict(re('c', 'mimi.atz'), { c: 'x mimikatz y' }), true);
      assert.equal(verdict(re('c', 'MIMI'), { c: 'mimikatz' }), false);
      assert.equal(verdict(re('c', 'MIMI', { i: true, m: false, s: false }), { c: 'mimikatz' }), true);
      assert.equal(verdict(re('c', '^abc$'), { c: 'abc' }), true);
    });
    it('a run of a class the regex requires (`[a-f0-9]{8}`) skips the automaton only when no term has one', () => {
      // terms with runs one short of, and exactly at, the required length, split by non-ASCII,
      // in a field, in an array, and among the unbound keywords
      const hex = 'deadbeef0123456789';
      const sources = ['\\s[a-fA-F0-9]{8}\\s[a-f0-9]{4}', 'x([0-9]{8,})', '[\\w]{9}$', '(?:[a-f\\d]{8})|zz', '[\\s]{8}'];
      const terms = ['', ' ', 'x', hex.slice(0, 7), hex.slice(0, 8), ` ${hex.slice(0, 8)} abcd`, ` ${hex.slice(0, 7)}é${hex.slice(0, 8)} abcd`, `x${'1'.repeat(8)}`, `x${'1'.repeat(7)}`, 'abcdefghi', 'abcdefgh', 'é'.repeat(9), '\t\n\r \f\v  ', '\t\n\r \f\v ', 'ZZ', 'zz', ` ${hex.toUpperCase().slice(0, 8)} ABCD`];
      let hits = 0;
      for (const src of sources) {
        for (const flags of [{ i: false, m: false, s: false }, { i: true, m: false, s: false }]) {
          for (const t of terms) {
            for (const field of ['c', null]) {
              if (verdict(re(field, src, flags), { c: ['filler', t] })) hits++;
              verdict(re(field, src, flags), { c: t, d: 'other' });
              // an earlier term with the run but not the rest of the match
              verdict(re(field, src, flags), { c: ['1'.repeat(9), t] });
            }
          }
        }
      }
      assert.ok(hits > 10, `${hits} matching cases`);
    });
    it('(a+)+$ on 100 KB of a followed by ! finishes in milliseconds', () => {
      const rs = compileRuleset([rule(re('c', '(a+)+$'))], { profile: sysmon });
      const ev = prepareEvent({ c: 'a'.repeat(100_000) + '!' }, { ...sysmon, ignoreAbove: 1_000_000 });
      const t0 = process.hrtime.bigint();
      const a = rs.match(ev);
      const b = rs.matchOracle(ev);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      assert.deepEqual(a, b);
      assert.equal(a.length, 0, 'the value ends with !, so no run of a reaches the end');
      const hit = prepareEvent({ c: 'b' + 'a'.repeat(100_000) }, { ...sysmon, ignoreAbove: 1_000_000 });
      assert.deepEqual(rs.match(hit), [0]);
      assert.ok(ms < 500, `took ${ms} ms`);
    });
  });

  describe('boolean structure', () => {
    it('and / or / not / const', () => {
      const ev = { a: 'x', b: 'y' };
      assert.equal(verdict(and(str('a', 'x'), str('b', 'y')), ev), true);
      assert.equal(verdict(and(str('a', 'x'), str('b', 'z')), ev), false);
      assert.equal(verdict(or(str('a', 'z'), str('b', 'y')), ev), true);
      assert.equal(verdict(not(or(str('a', 'z'), str('b', 'z'))), ev), true);
      assert.equal(verdict({ kind: 'const', value: true }, ev), true);
      assert.equal(verdict({ kind: 'const', value: false }, ev), false);
    });
  });

  describe('fast evaluator caches', () => {
    it('field states dropped after 10,000 field names: the states kept on path nodes go with them (the verdict cache reads the new ones)', () => {
      // a verdict cached per value of X (the filter case-sensitive, so no veto decides it first); its key
      // must come from the state the field loop fills
      const rs = compileRuleset([rule(and(str('X', 'v*'), not(str('X', 'vx', true))))], { profile: sysmon });
      const wide: Record<string, unknown> = { X: 'v' };
      for (let i = 0; i <= 10_000; i++) wide[`statesfill${i}`] = 'a';
      for (const e of [wide, { X: 'v' }, { X: 'vx' }, { X: 'v' }, { X: 'vx' }]) {
        const fast = rs.match(prepareEvent(e, sysmon));
        assert.deepEqual(fast, rs.matchOracle(prepareEvent(e, sysmon)), JSON.stringify(e).slice(0, 40));
      }
    });
  });
});
