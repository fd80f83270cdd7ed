// Every construct the backends render, as named IR cases. The golden test renders each one in
// every target; the engine test runs the same cases on a real Elasticsearch.
import type { IrDocument, IrNode } from '../../src/ir/types';
import { parseSigmaRegex } from '../../src/ir/regex';
import { and, correlation, lit, not, or, origin, pat, rule, str } from './ir';

/** Characters that mean something in at least one target's syntax. */
export const SPECIAL_CHARS = ['*', '?', '\\', '"', ':', '/', '(', ')', '[', ']', '{', '}', '<', '>', '~', '@', '&', '#', '|', '+', '-', '=', '!', '^', ' ', '\n', "'", '.', '%', '`', ','];

const F = 'process.command_line';

function regex(name: string, source: string, f: Partial<{ i: boolean; m: boolean; s: boolean }> = {}, field: string | null = F): [string, IrNode] {
  const flags = { i: false, m: false, s: false, ...f };
  return [name, { kind: 'regex', field, source, ast: parseSigmaRegex(source, flags), flags, origin: origin(field === F ? 'CommandLine' : field, ['re'], source) }];
}

function leafCases(): Array<[string, IrNode]> {
  const cases: Array<[string, IrNode]> = [
    ['eq', str(F, lit('Whoami.exe /All'))],
    ['eq-cased', str(F, lit('Whoami.exe'), true)],
    ['eq-empty', str(F, lit(''))],
    ['eq-digits-only', str(F, lit('4688'))],
    ['contains', str(F, pat('*Wmic*'))],
    ['startswith', str(F, pat('Wmic*'))],
    ['endswith', str(F, pat('*\\Wmic.exe'))],
    ['inner-wildcards', str(F, pat('a?b*c'))],
    ['any-value', str(F, pat('*'))],
    ['startswith-cased', str(F, pat('Wmic*'), true)],
    ['contains-cased', str(F, pat('*Wmic*'), true)],
    ['literal-star-and-question', str(F, [{ t: 'lit', v: 'C:\\Windows\\*?' }])],
    ['literal-star-then-wildcard', str(F, [{ t: 'lit', v: 'a*b\\' }, { t: 'any' }])],
    ['non-ascii', str(F, pat('*Ärger straße ΣΑΣ*'))],
    ['keyword-search', str(null, pat('*Failed Password*'))],
    ['keyword-search-eq', str(null, lit('evil'))],
    ['number-on-keyword', { kind: 'scalar', field: 'event.code', value: 4688, origin: origin('EventID', [], '4688') }],
    ['boolean-on-keyword', { kind: 'scalar', field: 'winlog.event_data.Enabled', value: true, origin: origin('Enabled', [], 'true') }],
    ['number-on-long', { kind: 'scalar', field: 'process.pid', value: 4, origin: origin('ProcessId', [], '4') }],
    ['string-number-on-long', str('process.pid', lit('4'))],
    ['string-fraction-on-long', str('process.pid', lit('4.5'))],
    ['string-text-on-long', str('process.pid', lit('abc'))],
    ['wildcard-on-long', str('process.pid', pat('4*'))],
    ['ip-eq', str('source.ip', lit('10.1.2.3'))],
    ['ip-eq-v6', str('source.ip', lit('fe80::1'))],
    ['ip-eq-not-an-ip', str('source.ip', lit('localhost'))],
    ['ip-startswith', str('source.ip', pat('10.*'))],
    ['ip-startswith-partial-octet', str('source.ip', pat('192.168.1*'))],
    ['ip-contains', str('source.ip', pat('*.1.*'))],
    ['cidr-v4-ip-field', { kind: 'cidr', field: 'source.ip', cidr: '10.0.0.0/8', version: 4, origin: origin('SourceIp', ['cidr'], '10.0.0.0/8') }],
    ['cidr-v6-ip-field', { kind: 'cidr', field: 'source.ip', cidr: 'fe80::/10', version: 6, origin: origin('SourceIp', ['cidr'], 'fe80::/10') }],
    ['cidr-v4-keyword', { kind: 'cidr', field: 'winlog.event_data.IpAddress', cidr: '172.16.0.0/12', version: 4, origin: origin('IpAddress', ['cidr'], '172.16.0.0/12') }],
    ['cidr-v6-keyword', { kind: 'cidr', field: 'winlog.event_data.IpAddress', cidr: 'fe80::/10', version: 6, origin: origin('IpAddress', ['cidr'], 'fe80::/10') }],
    ['cidr-v6-loopback-keyword', { kind: 'cidr', field: 'winlog.event_data.IpAddress', cidr: '::1/128', version: 6, origin: origin('IpAddress', ['cidr'], '::1/128') }],
    ['exists', { kind: 'exists', field: F, origin: origin('CommandLine', ['exists'], 'true') }],
    ['null', not({ kind: 'exists', field: F, origin: origin('CommandLine', [], 'null') })],
    ['gte-long', { kind: 'compare', field: 'process.pid', op: 'gte', value: 1024, origin: origin('ProcessId', ['gte'], '1024') }],
    ['lt-long', { kind: 'compare', field: 'process.pid', op: 'lt', value: 5, origin: origin('ProcessId', ['lt'], '5') }],
    ['gt-keyword', { kind: 'compare', field: 'winlog.event_data.Count', op: 'gt', value: 5, origin: origin('Count', ['gt'], '5') }],
    ['fieldref', { kind: 'fieldref', field: 'process.name', ref: 'process.parent.name', mode: 'eq', caseSensitive: true, origin: origin('Image', ['fieldref'], 'ParentImage') }],
    ['fieldref-insensitive', { kind: 'fieldref', field: 'process.name', ref: 'process.parent.name', mode: 'eq', caseSensitive: false, origin: origin('Image', ['fieldref'], 'ParentImage') }],
    ['timepart-hour', { kind: 'timepart', field: '@timestamp', part: 'hour', op: 'gte', value: 22, origin: origin('UtcTime', ['hour', 'gte'], '22') }],
    regex('regex', 'wmic.*\\d+'),
    regex('regex-anchored', '^a.b$'),
    regex('regex-ignorecase', 'WMIC /node:', { i: true }),
    regex('regex-inline-ignorecase', '(?i)k'),
    regex('regex-operators-as-literals', 'a@b#c&d~e<f>g"h'),
    regex('regex-keyword-search', 'evil\\d', {}, null),
    regex('regex-on-ip', '10\\.', {}, 'source.ip'),
    ['const-true', { kind: 'const', value: true }],
    ['const-false', { kind: 'const', value: false }],
  ];
  for (const ch of SPECIAL_CHARS) {
    const name = `char-${ch === '\n' ? 'newline' : ch === ' ' ? 'space' : ch}`;
    cases.push([`${name}-contains`, str(F, [{ t: 'any' }, { t: 'lit', v: `a${ch}b` }, { t: 'any' }])]);
    cases.push([`${name}-eq-cased`, str(F, [{ t: 'lit', v: `A${ch}b` }], true)]);
  }
  return cases;
}

function structureCases(): Array<[string, IrNode]> {
  const a = str(F, pat('*wmic*'));
  const b = str('process.executable', pat('*\\cmd.exe'));
  const c = str('event.code', lit('1'), true);
  return [
    ['and-or-not', and(c, or(a, b), not(str('user.name', pat('NT AUTHORITY\\*'))))],
    ['or-of-cased-terms', or(str(F, lit('x'), true), str(F, lit('y'), true), str(F, lit('z')))],
    ['only-negative-and', and(not(a), not(b))],
    ['nested-not-or', not(or(a, and(b, not(c))))],
  ];
}

export function ruleCases(): Array<[string, IrDocument]> {
  return [...leafCases(), ...structureCases()].map(([name, node]) => [name, rule(node, undefined, name)]);
}

export function correlationCases(): Array<[string, IrDocument]> {
  const r1 = rule(str('event.code', lit('4625'), true), 'aaaaaaaa-2222-4333-8444-555555555555', 'Failed logon');
  r1.meta.name = 'failed_logon';
  const r2 = rule(str('event.code', lit('4624'), true), 'bbbbbbbb-2222-4333-8444-555555555555', 'Successful logon');
  r2.meta.name = 'successful_logon';
  return [
    ['corr-event_count', correlation('event_count', [r1])],
    ['corr-event_count-range', correlation('event_count', [r1], { condition: { bounds: [{ op: 'gt', value: 10 }, { op: 'lte', value: 100 }] } })],
    ['corr-value_count', correlation('value_count', [r1], { condition: { bounds: [{ op: 'gte', value: 3 }], field: 'user.name' } })],
    ['corr-value_sum', correlation('value_sum', [r1], { condition: { bounds: [{ op: 'gt', value: 1000 }], field: 'source.port' } })],
    ['corr-value_avg-keyword', correlation('value_avg', [r1], { condition: { bounds: [{ op: 'gt', value: 1000 }], field: 'user.name' } })],
    ['corr-value_percentile', correlation('value_percentile', [r1], { condition: { bounds: [{ op: 'lte', value: 1 }], field: 'source.port', percentile: 95 } })],
    ['corr-temporal', correlation('temporal', [r1, r2], { condition: { bounds: [] } })],
    ['corr-temporal_ordered', correlation('temporal_ordered', [r1, r2], { condition: { bounds: [] }, timespan: '1h', timespanMs: 3600000 })],
    [
      'corr-temporal_ordered-alias',
      correlation('temporal_ordered', [r1, r2], {
        condition: { bounds: [] },
        groupBy: ['ip'],
        aliases: { ip: { failed_logon: 'source.ip', successful_logon: 'destination.ip' } },
      }),
    ],
  ];
}
