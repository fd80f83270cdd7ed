import { strict as assert } from 'node:assert';
import { compileYaml } from '../../src/compile';
import { compileRuleset, evaluateEvents } from '../../src/eval';
import { getProfile, type MappingProfile } from '../../src/mapping/profile';

const base = `
title: Failed logon
name: failed_logon
id: 0b4a5c1e-1111-4000-8000-000000000001
logsource: { product: windows, service: security }
detection:
  sel: { EventID: 4625 }
  condition: sel
---
title: Successful logon
name: ok_logon
id: 0b4a5c1e-1111-4000-8000-000000000002
logsource: { product: windows, service: security }
detection:
  sel: { EventID: 4624 }
  condition: sel
`;

const sysmon = getProfile('sysmon') as MappingProfile;
const withBytes: MappingProfile = { ...sysmon, fields: { ...sysmon.fields, Bytes: 'long' } };

function run(correlation: string, events: Array<Record<string, unknown>>, profile: MappingProfile = sysmon) {
  const docs = compileYaml(base + '---\n' + correlation);
  const rs = compileRuleset(docs, { profile });
  return evaluateEvents(rs, events);
}

const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();

describe('correlations', () => {
  it('event_count: fixed epoch-aligned windows per group', () => {
    const corr = `title: Brute force
correlation:
  type: event_count
  rules: [failed_logon]
  group-by: [User]
  timespan: 60s
  condition: { gte: 3 }
`;
    const ev = (s: number, User: string) => ({ '@timestamp': t(s), EventID: 4625, User });
    // 3 in [0,60) for alice; 2 + 1 across the 60 s boundary for bob (no alert: windows are fixed)
    const { alerts, matches } = run(corr, [ev(1, 'alice'), ev(10, 'alice'), ev(59, 'alice'), ev(50, 'bob'), ev(55, 'bob'), ev(61, 'bob'), { EventID: 4625, User: 'x' }]);
    assert.equal(matches.length, 0, 'referenced rules are not reported on their own');
    assert.equal(alerts.length, 1);
    assert.deepEqual(alerts[0].group, { User: 'alice' });
    assert.deepEqual(alerts[0].events, [0, 1, 2]);
    assert.equal(alerts[0].value, 3);
    assert.equal(alerts[0].start, Date.UTC(2026, 0, 1));
  });

  it('value_count: distinct values of a field', () => {
    const corr = `title: Spray
correlation:
  type: value_count
  rules: [failed_logon]
  group-by: [IpAddress]
  timespan: 5m
  condition: { field: User, gt: 2 }
`;
    const ev = (s: number, User: string) => ({ '@timestamp': t(s), EventID: 4625, IpAddress: '10.0.0.9', User });
    assert.equal(run(corr, [ev(1, 'a'), ev(2, 'a'), ev(3, 'b')]).alerts.length, 0);
    const { alerts } = run(corr, [ev(1, 'a'), ev(2, 'b'), ev(3, 'c')]);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0].value, 3);
  });

  it('value_sum / value_avg over a numeric field', () => {
    const mk = (type: string, cond: string) => `title: Volume
correlation:
  type: ${type}
  rules: [ok_logon]
  group-by: [User]
  timespan: 1h
  condition: { field: Bytes, ${cond} }
`;
    const ev = (s: number, Bytes: number) => ({ '@timestamp': t(s), EventID: 4624, User: 'u', Bytes });
    const evs = [ev(1, 100), ev(2, 300)];
    assert.equal(run(mk('value_sum', 'gte: 400'), evs, withBytes).alerts[0]?.value, 400);
    assert.equal(run(mk('value_sum', 'gt: 400'), evs, withBytes).alerts.length, 0);
    assert.equal(run(mk('value_avg', 'eq: 200'), evs, withBytes).alerts[0]?.value, 200);
    assert.throws(() => run(mk('value_sum', 'gt: 1'), evs), (e: { code?: string }) => e.code === 'UNSUPPORTED_CONSTRUCT', 'a sum over a keyword field is rejected, as in the DSL');
  });

  it('temporal: every referenced rule in the window, any order', () => {
    const corr = `title: Fail then success
correlation:
  type: temporal
  rules: [failed_logon, ok_logon]
  group-by: [User]
  timespan: 60s
`;
    const f = (s: number) => ({ '@timestamp': t(s), EventID: 4625, User: 'a' });
    const o = (s: number) => ({ '@timestamp': t(s), EventID: 4624, User: 'a' });
    assert.equal(run(corr, [o(1), f(2)]).alerts.length, 1);
    assert.equal(run(corr, [f(1), f(2)]).alerts.length, 0);
    assert.equal(run(corr, [f(59), o(61)]).alerts.length, 0, 'fixed windows split them');
  });

  it('temporal_ordered: an EQL sequence with maxspan, by group', () => {
    const corr = `title: Fail then success, in order
correlation:
  type: temporal_ordered
  rules: [failed_logon, ok_logon]
  group-by: [User]
  timespan: 60s
`;
    const f = (s: number, User = 'a') => ({ '@timestamp': t(s), EventID: 4625, User });
    const o = (s: number, User = 'a') => ({ '@timestamp': t(s), EventID: 4624, User });
    assert.equal(run(corr, [o(1), f(2)]).alerts.length, 0, 'wrong order');
    const inOrder = run(corr, [f(59), o(61)]);
    assert.equal(inOrder.alerts.length, 1, 'maxspan is not a fixed window');
    assert.deepEqual(inOrder.alerts[0].events, [0, 1]);
    assert.equal(run(corr, [f(1), o(100)]).alerts.length, 0, 'beyond maxspan');
    assert.equal(run(corr, [f(1, 'a'), o(2, 'b')]).alerts.length, 0, 'different group');
  });

  it('value_percentile is rejected, as the translator rejects them', () => {
    const corr = `title: P
correlation:
  type: value_percentile
  rules: [failed_logon]
  group-by: [User]
  timespan: 1h
  condition: { field: Bytes, percentile: 95, gt: 1 }
`;
    assert.throws(() => run(corr, [], withBytes), (e: { code?: string }) => e.code === 'UNSUPPORTED_CONSTRUCT');
  });
});
