import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cli } from './helpers';

const ROOT = path.resolve(__dirname, '../..');

/**
 * Runs the CLI with `input` on stdin and its stdout already closed, as `sigma-es … | head -1` leaves
 * it once head has its line: every write then fails with EPIPE. Resolves with the exit status and
 * everything written to stderr.
 */
function runWithClosedStdout(args: string[], input: string, closeStderr = false): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [require.resolve('tsx/cli'), path.join(ROOT, 'test/cli/run-cli.ts'), ...args], { cwd: ROOT });
    let stderr = '';
    p.stdout.destroy();
    if (closeStderr) p.stderr.destroy();
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    p.on('error', reject);
    p.on('close', (status) => resolve({ status, stderr }));
    p.stdin.on('error', () => undefined); // the CLI may stop reading once its stdout is gone
    p.stdin.end(input);
  });
}

describe('a reader that closes stdout early (`| head`)', function () {
  this.timeout(120000);

  it('help stops quietly: no EPIPE trace, exit 0', async () => {
    const r = await runWithClosedStdout(['seed', '--help'], '');
    assert.doesNotMatch(r.stderr, /EPIPE|Unhandled|internal error/, r.stderr.slice(0, 2000));
    assert.equal(r.status, 0);
  });

  it('match --explain stops quietly: no EPIPE trace, no listener-leak warning, exit 0', async () => {
    // far more output than a pipe buffer holds, so many writes wait on a stream that never drains
    const events = Array.from({ length: 20000 }, (_, i) => JSON.stringify({ Image: 'C:\\Windows\\System32\\wbem\\WMIC.exe', CommandLine: `wmic /node:10.0.0.${i % 250} process call create x${i}` })).join('\n');
    const r = await runWithClosedStdout(['match', 'sigma/wmic_remote_command_execution.yml', '--events', '-', '--explain'], events);
    assert.doesNotMatch(r.stderr, /EPIPE|Unhandled|MaxListeners|internal error/, r.stderr.slice(0, 2000));
    assert.equal(r.status, 0);
  });

  it('with stderr closed too (`2>&1 | head`), the exit status is still that of the work', async () => {
    // -o: the summary on stderr is the only write, so it meets the closed pipe
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sigma-es-pipes-'));
    const bad = path.join(dir, 'bad.yml');
    fs.writeFileSync(bad, 'title: bad\nlogsource:\n  product: windows\ndetection:\n  sel:\n    a|nosuchmod: b\n  condition: sel\n');
    try {
      const ok = await runWithClosedStdout(['convert', 'sigma', '-t', 'dsl', '-o', path.join(dir, 'ok.json')], '', true);
      assert.equal(ok.status, 0);
      assert.ok(fs.statSync(path.join(dir, 'ok.json')).size > 0);
      const failed = await runWithClosedStdout(['convert', 'sigma', bad, '-t', 'dsl', '-o', path.join(dir, 'failed.json')], '', true);
      assert.equal(failed.status, 1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('convert stops quietly, with the exit status of what it did', async () => {
    const r = await runWithClosedStdout(['convert', 'sigma', '-t', 'dsl', '--json'], '');
    assert.doesNotMatch(r.stderr, /EPIPE|Unhandled|internal error/, r.stderr.slice(0, 2000));
    assert.equal(r.status, 0);
  });
});

describe('an output file that cannot be written', () => {
  it('test --report-file in a missing folder is a usage error before any engine starts', () => {
    const missing = path.join(os.tmpdir(), 'sigma-es-no-such-folder', 'report.json');
    const r = cli(['test', '--report', 'json', '--report-file', missing]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--report-file .*: cannot write there: the folder .* does not exist/);
    assert.doesNotMatch(r.stderr, /engine:/, 'refused before the engine was started');
  });
});
