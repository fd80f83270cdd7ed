import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SigmaEsError } from '../../src/errors';
import { applyPipelines, loadPipeline, loadPlaceholderFile } from '../../src/pipeline';

const fixture = (name: string) => path.join(__dirname, 'fixtures', name);

function expectError(fn: () => unknown, code: string, line: number | undefined, pattern: RegExp, file?: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof SigmaEsError, `not a SigmaEsError: ${String(e)}`);
    assert.equal(e.code, code);
    assert.equal(e.location.line, line);
    if (file) assert.equal(e.location.file, file);
    assert.match(e.message, pattern);
    return true;
  });
}

function tmpYaml(text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sigma-es-pipeline-'));
  const file = path.join(dir, 'p.yml');
  fs.writeFileSync(file, text);
  return file;
}

describe('pipeline YAML files', () => {
  it('loads a pySigma-format pipeline: mapping, one-to-many, prefix, conditions, logsource change, vars', () => {
    const p = loadPipeline(fixture('custom.yml'));
    assert.equal(p.name, 'custom');
    assert.equal(p.priority, 30);
    const a = applyPipelines([p], { category: 'process_creation', product: 'windows' });
    assert.deepEqual(a.conditions, [{ field: 'log.source', values: ['edr'] }]);
    assert.deepEqual(a.mapField('Image'), ['process.executable']);
    assert.deepEqual(a.mapField('Hash'), ['hash.sha256', 'hash.sha1']);
    assert.deepEqual(a.mapField('CommandLine'), ['data.CommandLine']);
    assert.deepEqual(a.mapField('host.name'), ['host.name']);
    assert.deepEqual(a.logsource, { product: 'windows', service: 'edr' });
    assert.deepEqual(a.placeholder('Admins'), ['alice', 'bob']);
    assert.equal(a.placeholder('Other'), undefined);
  });

  it('gates mappings by log source', () => {
    const a = applyPipelines([loadPipeline(fixture('custom.yml'))], { category: 'network_connection', product: 'windows' });
    assert.deepEqual(a.mapField('Image'), ['data.Image']);
  });

  it('runs after builtins of lower priority and maps their conditions too', () => {
    const user = loadPipeline(
      tmpYaml(`name: rename
priority: 30
transformations:
  - type: field_name_mapping
    mapping:
      event.code: event.id
      process.command_line: [process.command_line, process.args_text]
`),
    );
    const a = applyPipelines([user, loadPipeline('sysmon'), loadPipeline('ecs_windows')], {
      category: 'process_creation',
      product: 'windows',
    });
    assert.deepEqual(a.names, ['sysmon', 'ecs_windows', 'rename']);
    assert.deepEqual(a.conditions[1], { field: 'event.id', values: [1] });
    assert.deepEqual(a.mapField('CommandLine'), ['process.command_line', 'process.args_text']);
  });

  it('equal priorities keep the given order', () => {
    const mk = (name: string, to: string) =>
      loadPipeline(tmpYaml(`name: ${name}\npriority: 5\ntransformations:\n  - type: field_name_mapping\n    mapping: {A: ${to}}\n  - type: field_name_mapping\n    mapping: {B: ${to}}\n`));
    const a = applyPipelines([mk('one', 'B'), mk('two', 'C')], {});
    assert.deepEqual(a.names, ['one', 'two']);
    assert.deepEqual(a.mapField('A'), ['C']);
  });

  it('rejects bad YAML with the line', () => {
    expectError(() => loadPipeline(fixture('bad-yaml.yml')), 'PIPELINE_INVALID', 4, /invalid YAML/, fixture('bad-yaml.yml'));
  });

  it('rejects an unsupported transformation naming the type, file and line', () => {
    expectError(
      () => loadPipeline(fixture('unknown-type.yml')),
      'PIPELINE_INVALID',
      8,
      /unsupported transformation type 'case'/,
      fixture('unknown-type.yml'),
    );
  });

  it('rejects missing fields', () => {
    expectError(() => loadPipeline(fixture('missing-mapping.yml')), 'PIPELINE_INVALID', 3, /'mapping' must map/);
    expectError(
      () => loadPipeline(tmpYaml('name: x\ntransformations:\n  - id: nope\n    mapping: {A: b}\n')),
      'PIPELINE_INVALID',
      3,
      /needs a 'type'/,
    );
    expectError(
      () => loadPipeline(tmpYaml('name: x\ntransformations:\n  - type: field_name_prefix\n')),
      'PIPELINE_INVALID',
      3,
      /'prefix' must be a non-empty string/,
    );
    expectError(
      () => loadPipeline(tmpYaml('name: x\ntransformations:\n  - type: change_logsource\n')),
      'PIPELINE_INVALID',
      3,
      /needs category, product or service/,
    );
  });

  it('rejects unsupported keys, conditions and pipeline sections', () => {
    expectError(
      () => loadPipeline(tmpYaml('transformations:\n  - type: field_name_prefix\n    prefix: a.\n    rule_conditions:\n      - type: tag\n        tag: attack.t1047\n')),
      'PIPELINE_INVALID',
      5,
      /unsupported rule condition type 'tag'/,
    );
    expectError(
      () => loadPipeline(tmpYaml('transformations:\n  - type: field_name_prefix\n    prefix: a.\n    mode: x\n')),
      'PIPELINE_INVALID',
      2,
      /unsupported key 'mode'/,
    );
    expectError(
      () => loadPipeline(tmpYaml('transformations: []\npostprocessing:\n  - type: embed\n')),
      'PIPELINE_INVALID',
      1,
      /'postprocessing' is not supported/,
    );
    expectError(
      () => loadPipeline(tmpYaml('transformations:\n  - type: field_name_prefix\n    prefix: a.\n    rule_cond_expr: a and b\n')),
      'PIPELINE_INVALID',
      2,
      /condition expressions/,
    );
  });

  it('reports unknown pipelines and unreadable files', () => {
    expectError(() => loadPipeline('no_such_pipeline'), 'PIPELINE_NOT_FOUND', undefined, /builtin \(sysmon, ecs_windows, defender_xdr\)/);
    expectError(() => loadPipeline('missing/file.yml'), 'PIPELINE_NOT_FOUND', undefined, /cannot read pipeline file/, 'missing/file.yml');
  });

  it('a condition field mapped to several fields is an error', () => {
    const p = loadPipeline(
      tmpYaml('transformations:\n  - type: add_condition\n    conditions: {A: 1}\n  - type: field_name_mapping\n    mapping: {A: [b, c]}\n'),
    );
    expectError(() => applyPipelines([p], {}), 'PIPELINE_INVALID', 2, /maps to several fields/);
  });
});

describe('placeholder files', () => {
  it('supplies values for %name% regardless of value_placeholders items', () => {
    const ph = loadPlaceholderFile(fixture('placeholders.yml'));
    const a = applyPipelines([loadPipeline('ecs_windows'), ph], { category: 'process_creation', product: 'windows' });
    assert.deepEqual(a.placeholder('Administrators'), ['Administrator', 'Domain Admins']);
    assert.deepEqual(a.placeholder('JumpServers'), ['jump01']);
    assert.deepEqual(a.placeholder('Ports'), ['22', '3389']);
    assert.equal(a.placeholder('Workstations'), undefined);
    assert.deepEqual(a.mapField('CommandLine'), ['process.command_line']);
  });

  it('pipeline vars only resolve placeholders through a value_placeholders item', () => {
    const p = loadPipeline(tmpYaml('vars:\n  Servers: [s1]\ntransformations: []\n'));
    assert.equal(applyPipelines([p], {}).placeholder('Servers'), undefined);
  });

  it('rejects non-scalar values with the line', () => {
    expectError(
      () => loadPlaceholderFile(tmpYaml('Admins:\n  - {name: x}\n')),
      'PIPELINE_INVALID',
      1,
      /Admins: values must be strings or numbers/,
    );
  });
});
