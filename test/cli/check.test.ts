import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cli } from './helpers';

const ROOT = path.resolve(__dirname, '../..');

describe('sigma-es check', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sigma-es-check-'));
    fs.mkdirSync(path.join(dir, 'sub'));
    fs.copyFileSync(path.join(ROOT, 'sigma/wmic_remote_command_execution.yml'), path.join(dir, 'good.yml'));
    fs.writeFileSync(path.join(dir, 'sub/bad.yaml'), 'title: Bad\nid: nope\nlogsource: {product: windows}\ndetection:\n  sel:\n    f|nope: x\n  condition: sel\n');
    fs.writeFileSync(path.join(dir, 'sub/notes.txt'), 'not a rule');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('exits 0 on valid rules', () => {
    const r = cli(['check', path.join(ROOT, 'sigma')]);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /1 valid, 0 invalid/);
    // nothing on stderr: the V8 settings (v8-tuning.ts) must never make V8 warn of a flag
    assert.equal(r.stderr, '');
  });
  it('walks folders recursively, collects every error, prints --json as specified, exits 1', () => {
    const r = cli(['check', dir, '--json']);
    assert.equal(r.status, 1, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.equal(s.files, 2, 'only .yml/.yaml files in folders');
    assert.equal(s.rules, 2);
    assert.equal(s.valid, 1);
    assert.equal(s.invalid, 1);
    assert.deepEqual(s.errors.map((e: { code: string }) => e.code).sort(), ['INVALID_ID', 'UNKNOWN_MODIFIER']);
    for (const e of s.errors) {
      assert.deepEqual(Object.keys(e).sort(), ['code', 'column', 'file', 'line', 'message', 'rule']);
      assert.ok(e.file.endsWith('bad.yaml') && e.line > 0 && e.column > 0 && e.rule === 'nope');
    }
  });
  it('prints errors as file:line:column with the rule and code, never a stack trace', () => {
    const r = cli(['check', dir]);
    assert.match(r.stdout, /bad\.yaml:6:5: \[nope\] UNKNOWN_MODIFIER sel\.f\|nope: unknown modifier 'nope'/);
    assert.doesNotMatch(r.stdout + r.stderr, /\n\s+at /);
  });
  it('reports a missing path and exits non-zero', () => {
    const r = cli(['check', path.join(dir, 'missing.yml')]);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /FILE_NOT_FOUND/);
  });
  it('reports a folder named on the command line that holds no rule file', () => {
    const empty = path.join(dir, 'empty-folder');
    fs.mkdirSync(path.join(empty, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(empty, 'sub', 'notes.txt'), 'not a rule');
    const r = cli(['check', empty, path.join(ROOT, 'sigma')]);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /empty-folder: NO_RULE_FILES no rule files \(\.yml, \.yaml\) in the folder/);
    assert.match(r.stdout, /1 files, 1 documents: 1 valid/);
    // a folder met while walking (not named) may be empty
    const parent = cli(['check', path.join(dir, 'empty-folder', '..')]);
    assert.doesNotMatch(parent.stdout, /NO_RULE_FILES/);
  });
  it('exits 2 on usage errors, with help available', () => {
    assert.equal(cli(['check']).status, 2);
    assert.equal(cli(['check', '--bogus', 'x']).status, 2);
    const h = cli(['check', '--help']);
    assert.equal(h.status, 0);
    assert.match(h.stdout, /Usage: sigma-es check/);
  });
});
