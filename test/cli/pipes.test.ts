import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/**
 * Runs the CLI with `input` on stdin and its stdout already closed, as `sigma-es … | head -1` leaves
 * it once head has its line: every write then fails with EPIPE. Resolves with the exit status and
 * everything written to stderr.
 */
function runWithClosedStdout(args: string[], input: string): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [require.resolve('tsx/cli'), path.join(ROOT, 'test/cli/run-cli.ts'), ...args], { cwd: ROOT });
    let stderr = '';
    p.stdout.destroy();
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

  it('convert stops quietly, with the exit status of what it did', async () => {
    const r = await runWithClosedStdout(['convert', 'sigma', '-t', 'dsl', '--json'], '');
    assert.doesNotMatch(r.stderr, /EPIPE|Unhandled|internal error/, r.stderr.slice(0, 2000));
    assert.equal(r.status, 0);
  });
});
