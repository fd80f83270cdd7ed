// Where a worker thread's entry module is, for every worker the commands start.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The worker entry for `name` (a module beside this one): compiled JS, or TypeScript through tsx in development. */
export function workerScript(name: string): { file: string; execArgv: string[] } {
  const js = path.join(__dirname, `${name}.js`);
  if (__filename.endsWith('.js') && fs.existsSync(js)) return { file: js, execArgv: [] };
  return { file: path.join(__dirname, `${name}.ts`), execArgv: ['--require', 'tsx/cjs'] };
}
