/**
 * Documents Elasticsearch refuses for their shape: the evaluator's `rejected` verdict must be
 * the engine's per-document outcome, each event judged alone in a fresh index made from the
 * profile (docs/evaluator.md "Semantics"; src/eval/limits.ts). OpenSearch judges some of these
 * differently; the differences docs/engines.md lists are pinned at the end.
 */
import assert from 'node:assert/strict';
import { prepareEvent } from '../../src/eval/event';
import { parseJsonExact } from '../../src/eval/json';
import { templateShape } from '../../src/eval/limits';
import { getProfile, indexBody, type MappingProfile } from '../../src/mapping/profile';
import type { Engine } from '../../src/engine';
import { useEngine } from './hooks';

const nest = (n: number, leaf: string, key = 'a') => `{"${key}":`.repeat(n) + leaf + '}'.repeat(n);
const arrays = (n: number, leaf: string) => '['.repeat(n) + leaf + ']'.repeat(n);
const dotted = (n: number) => JSON.stringify(Array(n).fill('a').join('.'));
const WMIC = '"Image":"C:\\\\Windows\\\\wmic.exe","CommandLine":"wmic /node:10.0.0.5 process call create"';

const SHAPES: [string, string][] = [
  // object depth: an object whose path has 20 names is refused
  ['wmic deep 19', `{${WMIC},"deep":${nest(19, '1')}}`],
  ['wmic deep 20', `{${WMIC},"deep":${nest(20, '1')}}`],
  ['wmic deep 21', `{${WMIC},"deep":${nest(21, '1')}}`],
  ['top 20', nest(20, '1')],
  ['top 21', nest(21, '1')],
  ['dotted key 20', `{${dotted(20)}:1}`],
  ['dotted key 21', `{${dotted(21)}:1}`],
  ['dotted key 21, null', `{${dotted(21)}:null}`],
  ['dotted key 20, object', `{${dotted(20)}:{"b":1}}`],
  ['dotted key 19, object', `{${dotted(19)}:{"b":1}}`],
  ['dotted then nested 18', `{"x.y":${nest(18, '1')}}`],
  ['dotted then nested 19', `{"x.y":${nest(19, '1')}}`],
  ['nested then dotted', `{"x":${nest(16, `{"y.z.w":1}`)}}`],
  ['nested then dotted, one more', `{"x":${nest(17, `{"y.z.w":1}`)}}`],
  ['empty object at 19', nest(19, '{}')],
  ['empty object at 20', nest(20, '{}')],
  ['empty array at 20', nest(20, '[]')],
  ['null at 20', nest(20, 'null')],
  ['array of arrays at 20', nest(20, '[[1]]')],
  ['array of objects at 19', nest(19, '[{"b":1}]')],
  ['array of objects at 20', nest(20, '[{"b":1}]')],
  ['objects in arrays in objects', `{"x":[{"y":[{"z":${nest(17, '1')}}]}]}`],
  ['objects in arrays in objects, one more', `{"x":[{"y":[{"z":${nest(18, '1')}}]}]}`],
  // Jackson's nesting limit: 1000 objects and arrays open, the document's own included
  ['arrays 999', `{"x":${arrays(999, '1')}}`],
  ['arrays 1000', `{"x":${arrays(1000, '1')}}`],
  ['empty arrays 999', `{"x":${arrays(999, '')}}`],
  ['empty arrays 1000', `{"x":${arrays(1000, '')}}`],
  ['arrays 5000', `{"x":${arrays(5000, '1.0')}}`],
  ['objects 1001', nest(1001, '1')],
  ['objects 5000', nest(5000, '1.0')],
  ['arrays then objects', `{"x":${arrays(995, nest(10, '1'))}}`],
  // field names
  ...['', ' ', '\t', '\u3000', '\u00a0', '\u2007', '.', '..', 'a.', 'a..', '.a', 'a..b', 'a. ', ' .a', 'a. b', 'a.\u00a0', '_source', '_index.x', '_routing', '_x', 'x._source'].map(
    (k): [string, string] => [`name ${JSON.stringify(k)}`, JSON.stringify({ [k]: 'v', n: 1 })],
  ),
  ['nested name ""', '{"a":{"":null}}'],
  ['nested name "."', '{"a":{".":1}}'],
  ['name "" with {}', '{"":{}}'],
  ['name "a." with an object', '{"a.":{"b":"v"},"a":{"c":"w"}}'],
  // `a.` is `a`: so a value there and an object `a` clash
  ['name "a." and an object "a"', '{"a.":"x","a":{"b":1}}'],
  ['name "a.b." and an object "a.b"', '{"a.b.":"x","a":{"b":{"c":1}}}'],
];

/** Events of `n` new keyword fields, with `extra` first. */
const wide = (n: number, extra = ''): string => `{${extra}${Array.from({ length: n }, (_, i) => `"f${i}":"v"`).join(',')}}`;

/** How one event's fields are counted, on an index whose limit is small enough to reach quickly. */
function fieldCases(profile: MappingProfile): [string, string][] {
  const allowed = templateShape(profile).newFieldsAllowed;
  const cases: [string, string][] = [
    [`${profile.name}: ${allowed} new fields`, wide(allowed)],
    [`${profile.name}: ${allowed + 1} new fields`, wide(allowed + 1)],
    [`${profile.name}: values in arrays, repeated paths`, wide(allowed - 2, '"r":["v","w"],"s":[{"t":1},{"t":2}],')],
    [`${profile.name}: nulls and [] add none`, wide(allowed, '"n":null,"m":[],')],
    [`${profile.name}: an empty object is one`, wide(allowed - 1, '"e":{},')],
    [`${profile.name}: a dotted key's object is one`, wide(allowed - 1, '"o.p":1,')],
    [`${profile.name}: a dotted key's object is one, one less`, wide(allowed - 2, '"o.p":1,')],
    [`${profile.name}: an empty object under a dotted key`, wide(allowed - 1, '"o.p":{},')],
  ];
  const typed = Object.keys(profile.fields);
  const nestedTyped = typed.find((f) => f.includes('.'));
  if (nestedTyped) {
    // the template maps the object already: only the new leaf counts
    const [obj] = nestedTyped.split('.');
    cases.push([`${profile.name}: a new field in the template's object ${obj}`, wide(allowed - 1, `"${obj}":{"zz":"v"},`)]);
  } else {
    cases.push([`${profile.name}: typed fields are counted already`, wide(allowed, `"${typed[0]}":${profile.fields[typed[0]] === 'ip' ? '"10.0.0.1"' : '1'},`)]);
  }
  return cases;
}

interface Outcome {
  ok: boolean;
  reason: string;
}

async function indexAlone(engine: Engine, index: string, profile: MappingProfile, text: string): Promise<Outcome> {
  const c = engine.client;
  await c.deleteIndex(index);
  await c.createIndex(index, indexBody(profile));
  const r = await c.request<{ items: { index: { error?: { reason?: string; caused_by?: { reason?: string } } } }[] }>('POST', `/${index}/_bulk`, `{"index":{"_id":"1"}}\n${text}\n`, { ndjson: true, timeoutMs: 120_000 });
  const err = r.body.items[0].index.error;
  return { ok: !err, reason: err ? `${err.reason} <- ${err.caused_by?.reason ?? ''}` : '' };
}

function evaluatorVerdict(profile: MappingProfile, text: string): string | null {
  return prepareEvent(parseJsonExact(text) as Record<string, unknown>, profile).rejected;
}

describe('engine: documents refused for their shape (elasticsearch)', function () {
  this.timeout(600_000);
  const engine = useEngine('elasticsearch');
  const index = `sigma-es-limits-${process.pid}`;
  after(async () => {
    await engine().client.deleteIndex(index).catch(() => undefined);
  });

  const check = async (profile: MappingProfile, cases: [string, string][]): Promise<void> => {
    const wrong: string[] = [];
    for (const [name, text] of cases) {
      const es = await indexAlone(engine(), index, profile, text);
      const ev = evaluatorVerdict(profile, text);
      // the verdict must agree; where both refuse, the engine's reason carries the evaluator's
      // (but for the evaluator's own words on an object/value clash, older than these limits,
      // and for a value in an array at a template object, which ES names [null])
      if (es.ok !== (ev === null)) wrong.push(`${name}: engine ${es.ok ? 'indexed it' : `refused it (${es.reason.slice(0, 200)})`}, evaluator ${ev === null ? 'accepts it' : `rejects it (${ev})`}`);
      else if (ev !== null && !ev.endsWith('is both an object and a value') && !es.reason.includes('tried to parse field [null]') && !es.reason.includes(ev)) wrong.push(`${name}: engine says ${es.reason.slice(0, 300)}, evaluator says ${ev}`);
    }
    assert.deepEqual(wrong, []);
  };

  it('object depth, nesting depth and field names: the evaluator rejects exactly what the engine refuses', async () => {
    await check(getProfile('sysmon')!, SHAPES);
  });

  it('total fields of one event into a fresh index from the profile: what counts (limit 1000; sysmon, ecs)', async () => {
    for (const name of ['sysmon', 'ecs']) {
      const profile = { ...getProfile(name)!, totalFieldsLimit: 1000 };
      await check(profile, fieldCases(profile));
    }
  });

  it("objects where the template maps a value, values where it maps an object (sysmon, ecs)", async () => {
    await check(getProfile('sysmon')!, [
      ['object at an ip field', '{"SourceIp":{"x":1}}'],
      ['empty object at a long field', '{"ProcessId":{}}'],
      ['objects in an array at a long field', '{"ProcessId":[{"a":1}]}'],
      ['object at the date field', '{"@timestamp":{"a":1}}'],
      ['object at the keywords field', '{"sigma_keywords":{"a":"b"}}'],
      ['dotted key under an ip field', '{"SourceIp.x":"10.0.0.1"}'],
      ['null, [] and a value at an ip field', '{"SourceIp":null,"DestinationIp":[],"ProcessId":7}'],
      ['object at an unmapped field (dynamic)', '{"CommandLine":{"x":"y"}}'],
    ]);
    await check(getProfile('ecs')!, [
      ['value at a template object', '{"process":"x"}'],
      ['value at a nested template object', '{"process":{"parent":"p"}}'],
      ['value at a template object by a dotted key', '{"process.parent":"p"}'],
      ['values in an array at a template object', '{"host":["h"]}'],
      ['object at a nested long field', '{"process":{"pid":{"a":1}}}'],
      ['object at a long field by a dotted key', '{"process.pid":{"a":1}}'],
      ['object at a nested date field', '{"event":{"created":{"a":1}}}'],
      ['null and [] at template objects', '{"host":null,"source":[],"process":{"pid":1,"name":"x"}}'],
      ['new fields in template objects', '{"process":{"name":"x","parent":{"name":"y"}},"host":{"name":"h"}}'],
    ]);
  });

  it("total fields at the template's own limit (100,000)", async () => {
    const sysmon = getProfile('sysmon')!;
    const allowed = templateShape(sysmon).newFieldsAllowed;
    await check(sysmon, [[`${allowed} new fields`, wide(allowed)], [`${allowed + 1} new fields`, wide(allowed + 1)]]);
  });
});

describe('engine: where OpenSearch judges shapes differently (docs/engines.md)', function () {
  this.timeout(600_000);
  const engine = useEngine('opensearch');
  const index = `sigma-es-limits-os-${process.pid}`;
  after(async () => {
    await engine().client.deleteIndex(index).catch(() => undefined);
  });

  it('refuses more than 20 nested arrays and accepts blank field names; object depth as Elasticsearch', async () => {
    const sysmon = getProfile('sysmon')!;
    const os = async (text: string) => (await indexAlone(engine(), index, sysmon, text)).ok;
    assert.equal(await os(`{"x":${arrays(20, '1')}}`), true);
    assert.equal(await os(`{"x":${arrays(21, '1')}}`), false);
    assert.equal(await os('{" ":"v"}'), true);
    assert.equal(await os('{"\\t":"v"}'), true);
    assert.equal(await os(nest(20, '1')), true);
    assert.equal(await os(nest(21, '1')), false);
    assert.equal(await os(nest(20, '{}')), false);
    assert.equal(await os(`{${dotted(21)}:1}`), false);
  });
});
