import { strict as assert } from 'node:assert';
import { compileYaml } from '../../src/compile';
import type { IrCorrelation, IrRule } from '../../src/ir/types';
import { show } from './helpers';

const base = (id: string, name: string, field = 'User'): string => `title: ${name}
id: ${id}
name: ${name}
logsource: {product: windows, service: security}
detection:
  sel:
    EventID: 4625
  condition: sel
fields: [${field}]
`;
const A = '0e95725d-7320-415d-80f7-004da920fc11';
const B = 'b1fb0cd5-8a7d-4c5e-9c27-3a5f9e0a1b22';

describe('filters (meta filter documents)', () => {
  it('AND the filter condition onto matching rules; `not selection` excludes', () => {
    const docs = compileYaml(`${base(A, 'failed_logon')}---
title: Exclude the scanner
logsource: {product: windows}
filter:
  rules: [failed_logon]
  sel:
    IpAddress: 10.0.0.9
  condition: not sel
`);
    const rule = docs.find((d): d is IrRule => d.kind === 'rule')!;
    assert.equal(show(rule.query), '(EventID=4625 AND NOT IpAddress~="10.0.0.9")');
  });
  it('does not touch rules of another log source or not listed', () => {
    const docs = compileYaml(`${base(A, 'failed_logon')}---
title: F
logsource: {product: linux}
filter:
  rules: any
  sel: {x: 1}
  condition: not sel
`);
    assert.equal(show((docs[0] as IrRule).query), 'EventID=4625');
  });
});

describe('correlation rules', () => {
  it('resolves referenced rules by name or id, keeps group-by, timespan and condition', () => {
    const docs = compileYaml(`${base(A, 'failed_logon')}---
title: Many failures
correlation:
  type: event_count
  rules: [failed_logon]
  group-by: [IpAddress]
  timespan: 5m
  condition: {gte: 10}
`);
    const c = docs.find((d): d is IrCorrelation => d.kind === 'correlation')!;
    assert.equal(c.type, 'event_count');
    assert.equal(c.timespanMs, 300_000);
    assert.deepEqual(c.groupBy, ['IpAddress']);
    assert.deepEqual(c.condition.bounds, [{ op: 'gte', value: 10 }]);
    assert.equal(c.rules[0].kind, 'rule');
  });
  it('every correlation type, aliases, ranges and the temporal default', () => {
    const docs = compileYaml(`${base(A, 'r_a')}---
${base(B, 'r_b')}---
title: T1
correlation:
  type: temporal_ordered
  rules: [r_a, ${B}]
  group-by: [host]
  aliases:
    host:
      r_a: Computer
      ${B}: ComputerName
  timespan: 1h
---
title: T2
correlation:
  type: value_count
  rules: [r_a]
  timespan: 1d
  condition: {field: User, gt: 3, lte: 10}
---
title: T3
correlation:
  type: value_avg
  rules: [r_a]
  timespan: 30s
  condition: {field: Bytes, gt: 100}
`);
    const cs = docs.filter((d): d is IrCorrelation => d.kind === 'correlation');
    assert.deepEqual(cs.map((c) => c.type), ['temporal_ordered', 'value_count', 'value_avg']);
    assert.deepEqual(cs[0].condition.bounds, [{ op: 'gte', value: 2 }]);
    assert.deepEqual(cs[0].aliases.host, { r_a: 'Computer', [B]: 'ComputerName' });
    assert.deepEqual(cs[1].condition.bounds, [{ op: 'gt', value: 3 }, { op: 'lte', value: 10 }]);
    assert.equal(cs[1].condition.field, 'User');
  });
  it('maps group-by and value fields through the pipeline', () => {
    const docs = compileYaml(
      `title: R\nid: ${A}\nname: r\nlogsource: {category: process_creation, product: windows}\ndetection: {s: {Image|endswith: x.exe}, condition: s}\n---\ntitle: C\ncorrelation: {type: value_count, rules: [r], group-by: [ComputerName], timespan: 5m, condition: {field: CommandLine, gte: 3}}\n`,
      { pipelines: ['sysmon', 'ecs_windows'] },
    );
    const c = docs.find((d): d is IrCorrelation => d.kind === 'correlation')!;
    assert.deepEqual(c.groupBy, ['winlog.computer_name']);
    assert.equal(c.condition.field, 'process.command_line');
  });
});
