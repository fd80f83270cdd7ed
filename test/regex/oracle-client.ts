/**
 * The Lucene oracle (tools/lucene-oracle, built by scripts/lucene-oracle-build.sh): one Java
 * process answers a batch of tab-separated requests, one line each. Shared by the regex tests.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const dir = path.join(__dirname, '../../tools/lucene-oracle/target');
const jar = path.join(dir, 'lucene-oracle-1.0.jar');
const cpFile = path.join(dir, 'classpath.txt');
const javaFile = path.join(dir, 'java-path.txt');

export const oracleAvailable = existsSync(jar) && existsSync(cpFile);

export const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

/** The oracle's answer to each request line, in order. */
export function runOracle(lines: string[]): string[] {
  const java = existsSync(javaFile) ? readFileSync(javaFile, 'utf8').trim() : 'java';
  const res = spawnSync(java, ['-cp', `${jar}${path.delimiter}${readFileSync(cpFile, 'utf8').trim()}`, 'sigmaes.Oracle'], {
    input: lines.map((l) => `${l}\n`).join(''),
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (res.status !== 0) throw new Error(`lucene oracle failed: ${res.stderr || res.error}`);
  return res.stdout.split('\n').slice(0, lines.length);
}

/** A `before` hook body: fail under CI=true without the oracle, else skip with the reason. */
export function requireOracle(ctx: Mocha.Context): void {
  if (oracleAvailable) return;
  if (process.env.CI === 'true') throw new Error('tools/lucene-oracle is not built; run scripts/lucene-oracle-build.sh');
  // eslint-disable-next-line no-console
  console.log('    (skipped: Lucene oracle not built; run scripts/lucene-oracle-build.sh)');
  ctx.skip();
}
