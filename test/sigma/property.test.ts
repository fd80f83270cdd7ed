import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import * as jsyaml from 'js-yaml';
import { compileYaml } from '../../src/compile';
import { SigmaEsError } from '../../src/errors';
import { MODIFIERS } from '../../src/sigma/modifiers';

/** Anything compileYaml throws must be the project's own error type, with a code and a message. */
function onlyOwnErrors(text: string): void {
  try {
    compileYaml(text, { file: 'prop.yml' });
  } catch (e) {
    if (!(e instanceof SigmaEsError)) {
      throw new Error(`non-SigmaEsError for input ${JSON.stringify(text).slice(0, 300)}: ${(e as Error)?.stack ?? e}`);
    }
    assert.ok(e.code && e.message);
  }
}

const scalar = fc.oneof(
  fc.string(),
  fc.constantFrom('*', '?', '\\', '\\*', '%x%', '-a', '/b', '10.0.0.0/8', 'a|b', '', 'true', 'null'),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.boolean(),
  fc.constant(null),
);
const key = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc
    .tuple(fc.constantFrom('f', 'Image', '', 'a.b'), fc.array(fc.constantFrom(...Object.keys(MODIFIERS), 'bogus'), { maxLength: 3 }))
    .map(([f, m]) => [f, ...m].join('|')),
);
const value = fc.oneof(scalar, fc.array(scalar, { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 4 }), scalar, { maxKeys: 2 }));
const search = fc.oneof(fc.dictionary(key, value, { maxKeys: 4 }), fc.array(fc.oneof(scalar, fc.dictionary(key, value, { maxKeys: 3 })), { maxLength: 4 }), scalar);
const condition = fc.oneof(
  fc.constantFrom('sel', 'sel and not other', '1 of sel*', 'all of them', 'sel or (', 'sel AND x', 'not', '2 of x', 'sel | count() > 3'),
  fc.string({ maxLength: 20 }),
  fc.array(fc.constantFrom('sel', 'other'), { maxLength: 2 }),
);
const ruleShaped = fc.record(
  {
    title: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
    id: fc.oneof(fc.uuid(), fc.string(), fc.integer()),
    status: fc.oneof(fc.constantFrom('test', 'stable', 'bogus'), fc.integer()),
    level: fc.oneof(fc.constantFrom('high', 'Low', 'nope'), fc.boolean()),
    date: fc.oneof(fc.constantFrom('2024-01-02', '2024/01/02', '2024-13-45'), fc.integer()),
    tags: fc.oneof(fc.array(fc.string(), { maxLength: 3 }), fc.string()),
    logsource: fc.oneof(fc.record({ product: fc.string(), category: fc.oneof(fc.string(), fc.integer()) }, { requiredKeys: [] }), fc.string()),
    detection: fc.oneof(fc.record({ sel: search, other: search, condition }, { requiredKeys: [] }), scalar, fc.array(scalar)),
    correlation: fc.record(
      {
        type: fc.constantFrom('event_count', 'value_count', 'temporal', 'bogus'),
        rules: fc.oneof(fc.array(fc.string(), { maxLength: 2 }), fc.string()),
        timespan: fc.oneof(fc.constantFrom('5m', '1h', '0s', 'x'), fc.integer()),
        condition: fc.oneof(fc.dictionary(fc.constantFrom('gt', 'gte', 'field', 'bad'), fc.oneof(fc.integer(), fc.string()), { maxKeys: 2 }), fc.string()),
        'group-by': fc.oneof(fc.array(fc.string(), { maxLength: 2 }), fc.integer()),
      },
      { requiredKeys: [] },
    ),
    filter: fc.record({ rules: fc.oneof(fc.array(fc.string()), fc.constant('any')), sel: search, condition }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);

describe('property: bad input only ever yields SigmaEsError', () => {
  it('random text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), onlyOwnErrors), { numRuns: 500 });
  });
  it('random YAML-ish text built from YAML tokens', () => {
    const tok = fc.constantFrom('title: x\n', 'detection:\n', '  sel:\n', '    f: a\n', '  condition: sel\n', '- ', ': ', '---\n', '{', '}', '[', ']', '&a ', '*a ', '? ', '|', '>', '"', "'", '\t', '#c\n', 'logsource:\n  product: w\n');
    fc.assert(fc.property(fc.array(tok, { maxLength: 30 }).map((a) => a.join('')), onlyOwnErrors), { numRuns: 1000 });
  });
  it('random rule-shaped structures', () => {
    fc.assert(
      fc.property(ruleShaped, (doc) => onlyOwnErrors(jsyaml.dump(doc, { skipInvalid: true }))),
      { numRuns: 1500 },
    );
  });
});
