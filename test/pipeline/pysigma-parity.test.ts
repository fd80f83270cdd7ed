/**
 * The builtin tables against the real pySigma, when the throw-away venv exists
 * (scripts/pysigma/install.sh). Two checks: the committed JSON is what the exporter writes today,
 * and applying our interpreter to it gives the same fields and conditions as pySigma itself.
 */
import { strict as assert } from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { applyPipelines, loadPipeline, type Logsource } from '../../src/pipeline';

const ROOT = path.resolve(__dirname, '../..');
const PYTHON = path.join(process.env.PYSIGMA_VENV ?? path.join(ROOT, '.cache/pysigma'), 'bin/python');
const HAVE_VENV = fs.existsSync(PYTHON);
const SKIP_REASON = `no pySigma venv at ${PYTHON}; run scripts/pysigma/install.sh`;

function python(script: string, input?: string): string {
  return execFileSync(PYTHON, [path.join(ROOT, 'scripts/pysigma', script), ...(input ? [] : ['--stdout'])], {
    input,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
}

interface PySigmaResult {
  logsource: Logsource;
  conditions: Array<{ field: string; values: unknown[] }>;
  fields: Record<string, string[] | { error: string }>;
}

/** Every Sigma field name the tables mention, plus fields no table knows. */
function probeFields(pipelines: string[]): string[] {
  const names = new Set<string>(['TestField', 'process.name', 'Hashes', 'EventID', 'Initiated', 'Channel']);
  for (const p of pipelines) {
    const data = JSON.parse(fs.readFileSync(path.join(ROOT, 'src/pipeline/builtin', `${p}.data.json`), 'utf8'));
    for (const t of data.transformations) if (t.type === 'field_name_mapping') for (const k of Object.keys(t.mapping)) names.add(k);
  }
  return [...names].sort();
}

const CATEGORIES = [
  'process_creation', 'network_connection', 'image_load', 'file_event', 'registry_set', 'registry_event',
  'dns_query', 'sysmon_error', 'driver_load', 'pipe_created', 'file_delete', 'process_access',
];
const SERVICES = ['security', 'system', 'powershell', 'powershell-classic', 'sysmon', 'applocker'];
const LOGSOURCES: Logsource[] = [
  ...CATEGORIES.map((category) => ({ category, product: 'windows' })),
  ...SERVICES.map((service) => ({ product: 'windows', service })),
  { category: 'process_creation', product: 'linux' },
];

describe(`pySigma parity${HAVE_VENV ? '' : ` (skipped: ${SKIP_REASON})`}`, function () {
  this.timeout(180_000);
  before(function () {
    if (!HAVE_VENV) this.skip();
  });

  it('committed src/pipeline/builtin/*.data.json equal a fresh export', () => {
    const fresh = JSON.parse(python('export-pipelines.py')) as Record<string, unknown>;
    for (const [name, data] of Object.entries(fresh)) {
      const committed = JSON.parse(fs.readFileSync(path.join(ROOT, 'src/pipeline/builtin', `${name}.data.json`), 'utf8'));
      assert.deepEqual(committed, data, `${name}.data.json is stale: run .cache/pysigma/bin/python scripts/pysigma/export-pipelines.py`);
    }
  });

  for (const names of [['sysmon', 'ecs_windows'], ['ecs_windows'], ['defender_xdr']]) {
    it(`${names.join(' + ')}: same fields, conditions and log source as pySigma`, () => {
      const fields = probeFields(names);
      const cases = LOGSOURCES.map((logsource) => ({ logsource, fields }));
      const results = JSON.parse(python('map-fields.py', JSON.stringify({ pipelines: names, cases }))) as PySigmaResult[];
      let compared = 0;
      results.forEach((py, i) => {
        const ls = LOGSOURCES[i];
        let ours;
        try {
          ours = applyPipelines(names.map(loadPipeline), ls);
        } catch (e) {
          // pySigma fails the whole rule too: every probe field reports the same error.
          for (const f of fields) assert.ok('error' in (py.fields[f] as object), `${JSON.stringify(ls)}: we fail (${(e as Error).message}), pySigma maps ${f}`);
          return;
        }
        const where = JSON.stringify(ls);
        if (py.logsource) assert.deepEqual(ours.logsource, py.logsource, `${where} logsource`);
        // values_to_str is deliberately not ported, so compare condition values as text.
        if (py.conditions)
          assert.deepEqual(
            ours.conditions.map((c) => ({ field: c.field, values: c.values.map(String) })),
            py.conditions.map((c) => ({ field: c.field, values: c.values.map(String) })),
            `${where} conditions`,
          );
        for (const f of fields) {
          const expected = py.fields[f];
          const err = ours.fieldError(f, 'x');
          if (Array.isArray(expected) && expected.length > 0) {
            assert.equal(err, undefined, `${where} ${f}: we refuse, pySigma maps to ${expected.join(', ')}`);
            assert.deepEqual(ours.mapField(f), expected, `${where} ${f}`);
          } else {
            // pySigma raised or dropped the detection item: sigma-es must refuse it.
            assert.ok(err, `${where} ${f}: pySigma ${JSON.stringify(expected)}, we map to ${ours.mapField(f).join(', ')}`);
          }
          compared++;
        }
      });
      assert.ok(compared > 100);
    });
  }
});
