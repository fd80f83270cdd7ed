import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultProfileName } from '../../src/mapping/profile';
import { cli } from './helpers';

const ROOT = path.resolve(__dirname, '../..');

describe('sigma-es convert', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sigma-es-convert-'));
    fs.copyFileSync(path.join(ROOT, 'sigma/wmic_remote_command_execution.yml'), path.join(dir, 'a-seed.yml'));
    for (const f of fs.readdirSync(path.join(ROOT, 'fixtures/regressions'))) {
      if (!f.endsWith('.fixture.yml')) fs.copyFileSync(path.join(ROOT, 'fixtures/regressions', f), path.join(dir, `b-${f}`));
    }
    // valid Sigma that no target renders exactly: a lookahead
    fs.writeFileSync(
      path.join(dir, 'c-lookahead.yml'),
      'title: Lookahead\nid: 0d8b6a4e-1111-4222-8333-944455556666\nlogsource: {category: process_creation, product: windows}\ndetection:\n  sel:\n    CommandLine|re: a(?=b)\n  condition: sel\n',
    );
    fs.writeFileSync(path.join(dir, 'd-broken.yml'), 'title: Broken\nlogsource: {product: windows}\ndetection:\n  sel:\n    f|nope: x\n  condition: sel\n');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('prints NDJSON, one record per rule, and exits 1 when a rule fails', () => {
    const r = cli(['convert', dir, '-t', 'dsl', '--json']);
    assert.equal(r.status, 1, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.ok(lines.length >= 4);
    for (const l of lines) {
      assert.deepEqual(Object.keys(l).slice(0, 5), ['file', 'id', 'title', 'target', 'ok']);
      assert.ok(l.ok ? l.query !== undefined : l.error.code && l.error.message);
    }
    assert.equal(lines.find((l) => l.title === 'Lookahead').error.code, 'REGEX_UNSUPPORTED');
    assert.equal(lines.find((l) => l.title === 'Broken').error.code, 'UNKNOWN_MODIFIER');
    assert.ok(lines.find((l) => l.id === '50cf993f-5e62-4a0b-b45c-7d6fcd91366a').ok, 'the seed rule translates');
  });

  it('--skip-unsupported skips rules without an exact rendering but still fails broken ones', () => {
    const r = cli(['convert', dir, '-t', 'lucene', '--skip-unsupported']);
    assert.equal(r.status, 1, 'the broken rule is not merely unsupported');
    assert.match(r.stderr, /skipped: .*REGEX_UNSUPPORTED/);
    assert.match(r.stderr, /1 skipped/);
  });

  it('gives the same output on several worker threads as on one', () => {
    const one = cli(['convert', dir, '-t', 'dsl', '--json', '--workers', '1']);
    const two = cli(['convert', dir, '-t', 'dsl', '--json', '--workers', '3']);
    assert.equal(two.status, one.status);
    assert.equal(two.stdout, one.stdout);
    assert.equal(two.stderr, one.stderr);
    const check1 = cli(['check', dir, '--json', '--workers', '1']);
    const check3 = cli(['check', dir, '--json', '--workers', '3']);
    assert.equal(check3.stdout, check1.stdout);
  });

  it('compiles a set whole when a correlation in one file names rules in another', () => {
    const split = fs.mkdtempSync(path.join(os.tmpdir(), 'sigma-es-corr-'));
    try {
      const docs = fs.readFileSync(path.join(ROOT, 'fixtures/correlation/logon_correlations.yml'), 'utf8').split(/^---\n/m);
      const rules = docs.filter((d) => !/^correlation:/m.test(d));
      const corrs = docs.filter((d) => /^correlation:/m.test(d));
      assert.ok(rules.length && corrs.length);
      fs.writeFileSync(path.join(split, 'a-correlations.yml'), corrs.join('---\n'));
      rules.forEach((d, i) => fs.writeFileSync(path.join(split, `b-rule-${i}.yml`), d));
      const one = cli(['convert', split, '-t', 'dsl', '--json', '--workers', '1']);
      const two = cli(['convert', split, '-t', 'dsl', '--json', '--workers', '2']);
      assert.equal(one.status, 0, one.stderr);
      assert.equal(two.stdout, one.stdout);
      assert.ok(one.stdout.includes('"ok":true') && !one.stdout.includes('UNKNOWN_RULE_REFERENCE'));
    } finally {
      fs.rmSync(split, { recursive: true, force: true });
    }
  });

  it('refuses a bad --workers value as a usage error', () => {
    const r = cli(['convert', dir, '-t', 'dsl', '--workers', '0']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--workers must be a whole number/);
  });

  it('refuses an --output it cannot write before doing the work, naming the path', () => {
    const missing = path.join(dir, 'no-such-folder', 'out.ndjson');
    const r = cli(['convert', dir, '-t', 'dsl', '-o', missing]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--output .*no-such-folder.*: cannot write there: the folder .* does not exist/);
    assert.doesNotMatch(r.stderr, /translated to|INTERNAL/, 'refused before any rule was translated');
    const folder = cli(['convert', dir, '-t', 'dsl', '-o', dir]);
    assert.equal(folder.status, 2);
    assert.match(folder.stderr, /cannot write there: it is a folder/);
    const ok = path.join(dir, 'out', 'ok.ndjson');
    fs.mkdirSync(path.dirname(ok));
    const written = cli(['convert', path.join(dir, 'a-seed.yml'), '-t', 'dsl', '--json', '-o', ok]);
    assert.equal(written.status, 0);
    assert.equal(JSON.parse(fs.readFileSync(ok, 'utf8')).ok, true);
  });
});

describe('default mapping profile (convert, match and the rest)', () => {
  it('follows the builtin pipelines, and only them', () => {
    assert.equal(defaultProfileName([]), 'sysmon');
    assert.equal(defaultProfileName(['sysmon']), 'sysmon');
    assert.equal(defaultProfileName(['sysmon', 'ecs_windows']), 'ecs');
    assert.equal(defaultProfileName(['defender_xdr']), 'defender');
    // a custom file says its profile with --profile; its name is not guessed from
    assert.equal(defaultProfileName(['pipelines/my_ecs_fields.yml']), 'sysmon');
  });
});
