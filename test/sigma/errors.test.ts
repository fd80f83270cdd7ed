import { strict as assert } from 'node:assert';
import { compileYaml } from '../../src/compile';
import { SigmaEsError } from '../../src/errors';
import { parseSigmaYaml } from '../../src/sigma/parse';

const RULE = (over: string, detection = '  sel:\n    f: x\n  condition: sel\n'): string =>
  `title: T\nid: 11111111-2222-4333-8444-555555555555\n${over}logsource:\n  product: windows\ndetection:\n${detection}`;

/** Every error code the parser and IR builder can give, with an input that triggers it and the line it must name. */
const CASES: Array<{ code: string; yaml: string; line?: number; message?: RegExp }> = [
  { code: 'YAML_SYNTAX', yaml: 'title: [unclosed\n', line: 2 },
  { code: 'YAML_SYNTAX', yaml: 'title: a\ntitle: b\n', message: /duplicat/ },
  { code: 'RULE_NOT_MAPPING', yaml: '- just\n- a list\n' },
  { code: 'MISSING_FIELD', yaml: 'logsource: {product: windows}\ndetection: {sel: {f: x}, condition: sel}\n', message: /title/ },
  { code: 'MISSING_FIELD', yaml: 'title: T\nlogsource: {product: windows}\n', message: /detection/ },
  { code: 'INVALID_FIELD', yaml: RULE('references: 5\n'), line: 3 },
  { code: 'INVALID_ID', yaml: 'title: T\nid: not-a-uuid\nlogsource: {product: w}\ndetection: {s: {f: x}, condition: s}\n', line: 2 },
  { code: 'INVALID_STATUS', yaml: RULE('status: finished\n'), line: 3 },
  { code: 'INVALID_LEVEL', yaml: RULE('level: severe\n'), line: 3 },
  { code: 'INVALID_DATE', yaml: RULE('date: 2024/01/02\n'), line: 3 },
  { code: 'INVALID_TAG', yaml: RULE('tags:\n  - Attack T1047\n'), line: 4 },
  { code: 'INVALID_LOGSOURCE', yaml: 'title: T\nlogsource: {definition: x}\ndetection: {s: {f: x}, condition: s}\n' },
  { code: 'INVALID_DETECTION', yaml: RULE('', '  sel: {}\n  condition: sel\n'), line: 6 },
  { code: 'INVALID_DETECTION', yaml: RULE('', '  sel:\n    f: [[nested]]\n  condition: sel\n'), line: 7 },
  { code: 'UNKNOWN_MODIFIER', yaml: RULE('', '  sel:\n    f|containz: x\n  condition: sel\n'), line: 7 },
  { code: 'INVALID_MODIFIER_CHAIN', yaml: RULE('', '  sel:\n    f|contains|re: x\n  condition: sel\n'), line: 7 },
  { code: 'INVALID_VALUE', yaml: RULE('', '  sel:\n    f|gt: abc\n  condition: sel\n'), line: 7 },
  { code: 'CONDITION_SYNTAX', yaml: RULE('', '  sel:\n    f: x\n  condition: sel or\n'), line: 8 },
  { code: 'UNKNOWN_IDENTIFIER', yaml: RULE('', '  sel:\n    f: x\n  condition: sel and other\n') },
  { code: 'INVALID_CIDR', yaml: RULE('', '  sel:\n    f|cidr: 300.0.0.0/8\n  condition: sel\n'), line: 7 },
  { code: 'REGEX_SYNTAX', yaml: RULE('', "  sel:\n    f|re: 'a(b'\n  condition: sel\n"), line: 7 },
  { code: 'REGEX_UNSUPPORTED', yaml: RULE('', "  sel:\n    f|re: '(?<=a)b'\n  condition: sel\n"), line: 7 },
  { code: 'UNRESOLVED_PLACEHOLDER', yaml: RULE('', "  sel:\n    f|expand: '%Servers%'\n  condition: sel\n"), line: 7 },
  {
    code: 'INVALID_CORRELATION',
    yaml: 'title: C\ncorrelation:\n  type: event_count\n  rules: [r]\n  timespan: 5 minutes\n  condition: {gte: 2}\n',
    line: 5,
  },
  { code: 'UNKNOWN_RULE_REFERENCE', yaml: 'title: C\ncorrelation:\n  type: event_count\n  rules: [nowhere]\n  timespan: 5m\n  condition: {gte: 2}\n' },
  { code: 'INVALID_FILTER', yaml: 'title: F\nlogsource: {product: w}\nfilter:\n  rules: 5\n  sel: {f: x}\n  condition: not sel\n', line: 4 },
];

describe('error codes: each names the code, the place and the reason', () => {
  for (const c of CASES) {
    it(`${c.code}${c.message ? ` (${c.message.source})` : ''}`, () => {
      let err: unknown;
      try {
        compileYaml(c.yaml, { file: 'rule.yml' });
      } catch (e) {
        err = e;
      }
      assert.ok(err instanceof SigmaEsError, `expected a SigmaEsError, got ${String(err)}`);
      assert.equal(err.code, c.code, err.format());
      assert.equal(err.location.file, 'rule.yml');
      if (c.line !== undefined) assert.equal(err.location.line, c.line, err.format());
      if (c.message) assert.match(err.message, c.message);
      assert.ok(!/\n\s+at /.test(err.format()), 'no stack trace in the message');
    });
  }

  it('names the column as well as the line: a map key, a list item, an item of a value list', () => {
    // the same text through the fast reader and through js-yaml (a flow map forces the fallback)
    const place = (yaml: string): string => {
      try {
        compileYaml(yaml, { file: 'rule.yml' });
      } catch (e) {
        if (e instanceof SigmaEsError) return `${e.location.line}:${e.location.column}`;
        throw e;
      }
      return 'no error';
    };
    assert.equal(place(RULE('tags:\n  - attack.t1047\n  -   Attack T1047\n')), '5:7');
    assert.equal(place(RULE('', '  sel:\n    CommandLine: x\n    f|containz: x\n  condition: sel\n')), '8:5');
    assert.equal(place(RULE('', '  sel:\n    - f: x\n    -   f|cidr: 300.0.0.0/8\n  condition: sel\n')), '8:9');
    assert.equal(place(`flow: {a: 1}\n${RULE('tags:\n  - attack.t1047\n  -   Attack T1047\n')}`), '6:7');
  });

  it('collects every problem of a document instead of stopping at the first', () => {
    const [d] = parseSigmaYaml('title: 5\nid: x\nstatus: nope\nlevel: bad\nlogsource: {product: w}\ndetection: {s: {f|bogus: 1}, condition: s}\n', 'r.yml');
    assert.deepEqual(d.errors.map((e) => e.code).sort(), ['INVALID_FIELD', 'INVALID_ID', 'INVALID_LEVEL', 'INVALID_STATUS', 'UNKNOWN_MODIFIER']);
  });

  it('keeps unknown top-level keys instead of rejecting them', () => {
    const [d] = parseSigmaYaml(RULE('simulation: {x: 1}\nregression_tests_path: a/b\n'), 'r.yml');
    assert.deepEqual(d.errors, []);
    assert.deepEqual(Object.keys((d.doc as { custom: object }).custom), ['simulation', 'regression_tests_path']);
  });

  it('reads multi-document YAML, one result per document', () => {
    const docs = compileYaml(`${RULE('')}---\n${RULE('').replace('11111111', '22222222')}`);
    assert.equal(docs.length, 2);
  });
});
