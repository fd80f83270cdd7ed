// The regex cost oracle (src/ir/regex/cost-oracle.ts) answers on a second thread exactly what
// luceneDeterminizeEffort answers inline, and a load that uses it compiles every rule exactly
// as a load that decides each regex inline: same refusals, same first error, same IR.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compilePaths } from '../../src/compile';
import { RegexCostOracle, sharedRegexCostOracle } from '../../src/ir/regex/cost-oracle';
import { luceneDeterminizeEffort } from '../../src/ir/regex/lucene-cost';

const PATTERNS: Array<[string, boolean]> = [
  ['.*abc.*', false],
  ['.*[^\n]{1000,}.*', false], // refused
  ['.*(Copy-Item|cpi) [^\n]{2,128} -Destination [^\n]{1,32}\\\\Windows\\\\(System32|SysWOW64).*', true], // refused
  ['.*[0-9A-Fa-f]{8}.*', false],
  ['[a-z]+@[a-z]+\\.com', true],
];

describe('regex cost oracle', function () {
  this.timeout(60_000);

  it('answers on its thread what the inline computation answers', () => {
    const oracle = RegexCostOracle.create() ?? assert.fail('a second thread should be available here');
    try {
      const first = PATTERNS.map(([p, ci]) => oracle.exceeds(p, ci, 10000));
      assert.ok(first.every((a) => a === undefined), 'the first questions go to the worker');
      assert.equal(oracle.unsure.length, PATTERNS.length);
      oracle.settle();
      const inline = PATTERNS.map(([p, ci]) => luceneDeterminizeEffort(p, ci, 10000).exceeds);
      assert.deepEqual(PATTERNS.map(([p, ci]) => oracle.exceeds(p, ci, 10000)), inline);
      assert.deepEqual(inline, [false, true, true, false, false]);
      assert.equal(oracle.couldRefuse(oracle.unsure.slice(0, 1)), false);
      assert.equal(oracle.couldRefuse(oracle.unsure.slice(0, 2)), true);
    } finally {
      oracle.close();
    }
  });

  it('leaves a pattern the worker cannot decide to this thread, which meets the same error', () => {
    const bad = '(unclosed';
    let inline: unknown;
    try {
      luceneDeterminizeEffort(bad, false, 10000);
    } catch (e) {
      inline = e;
    }
    assert.ok(inline instanceof Error, 'the inline computation refuses the pattern');
    const oracle = RegexCostOracle.create()!;
    try {
      assert.equal(oracle.exceeds(bad, false, 10000), undefined);
      oracle.settle();
      assert.equal(oracle.couldRefuse(oracle.unsure), true, 'an undecided answer may refuse');
      assert.throws(() => oracle.exceeds(bad, false, 10000), (e: Error) => e.message === (inline as Error).message);
    } finally {
      oracle.close();
    }
  });

  it('compiles a large set exactly as file by file (refusals, first errors, correlations)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sigma-es-oracle-'));
    try {
      const rule = (i: number, detection: string): string => `title: rule ${i}
id: 00000000-0000-4000-8000-${String(i).padStart(12, '0')}
name: rule_${i}
logsource: {category: process_creation, product: windows}
detection:
${detection}
`;
      const variants = [
        // refused regex
        `  sel:\n    CommandLine|re: '.{1000,}'\n  condition: sel`,
        // accepted regex
        `  sel:\n    CommandLine|re: 'cmd\\.exe /c [a-z]+'\n  condition: sel`,
        // refused regex, then another error later in the same rule: the regex is the first error
        `  sel:\n    CommandLine|re: '(Copy-Item|cpi) .{2,128} -Destination .{1,32}\\\\Windows\\\\(System32|SysWOW64)'\n  sel2:\n    Image|cidr: 'not a network'\n  condition: sel and sel2`,
        // another error first, then a refused regex: that error stays the first
        `  sel:\n    Image|cidr: 'not a network'\n  sel2:\n    CommandLine|re: '.{1000,}'\n  condition: sel and sel2`,
        // accepted regex, then another error
        `  sel:\n    CommandLine|re: 'abc[0-9]+'\n  sel2:\n    Image|cidr: 'bad'\n  condition: sel and sel2`,
        // plain
        `  sel:\n    Image|endswith: '\\\\whoami.exe'\n  condition: sel`,
      ];
      const files: string[] = [];
      for (let i = 0; i < 90; i++) {
        const f = path.join(dir, `r${String(i).padStart(3, '0')}.yml`);
        fs.writeFileSync(f, rule(i, variants[i % variants.length]));
        files.push(f);
      }
      const view = (e: { file: string; doc?: unknown; errors: Array<{ format(): string }>; warnings: string[] }) =>
        JSON.stringify({ file: e.file, doc: e.doc, errors: e.errors.map((x) => x.format()), warnings: e.warnings });
      const whole = compilePaths([dir], { pipelines: ['sysmon'] });
      assert.equal(whole.entries.length, 90);
      // the load asked the oracle (still the same one until this thread's next event-loop turn)
      assert.ok((sharedRegexCostOracle()?.unsure.length ?? 0) > 0, 'the regexes went to the second thread');
      // one file at a time is below the oracle's threshold: every regex decided inline
      const single = files.map((f) => compilePaths([f], { pipelines: ['sysmon'] }).entries[0]);
      assert.deepEqual(whole.entries.map(view), single.map(view));
      const refused = whole.entries.filter((e) => e.errors.some((x) => x.format().includes('REGEX_UNSUPPORTED'))).length;
      assert.equal(refused, 30, 'variants 0 and 2 are refused for their regex');
      assert.ok(whole.entries.filter((e) => e.doc).length === 30, 'variants 1 and 5 compile');

      // a correlation over a refused rule sees it refused: answers are settled before correlations
      fs.writeFileSync(
        path.join(dir, 'z-correlation.yml'),
        `title: many\nid: 11111111-0000-4000-8000-000000000000\ncorrelation:\n  type: event_count\n  rules: [rule_0, rule_1]\n  group-by: [Image]\n  timespan: 5m\n  condition: {gte: 2}\n`,
      );
      const withCorrelation = compilePaths([dir], { pipelines: ['sysmon'] });
      const corr = withCorrelation.entries.find((e) => e.file.endsWith('z-correlation.yml'))!;
      assert.deepEqual(corr.errors.map((e) => e.code), ['INVALID_CORRELATION']);
      assert.match(corr.errors[0].message, /'rule_0' is itself invalid/);
      assert.deepEqual(withCorrelation.entries.slice(0, 90).map((e) => JSON.stringify(e.errors.map((x) => x.format()))), whole.entries.map((e) => JSON.stringify(e.errors.map((x) => x.format()))));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
