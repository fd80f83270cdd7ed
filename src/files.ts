import * as fs from 'node:fs';
import { SigmaEsError } from './errors';

/**
 * Refuses an input file that is missing or is a folder with a clear error naming it (reading a
 * folder failed deep in a stream as "INTERNAL EISDIR"). `what` names the input, e.g. "events file".
 */
export function checkInputFile(file: string, what: string): void {
  const st = fs.statSync(file, { throwIfNoEntry: false });
  if (!st) throw new SigmaEsError('FILE_NOT_FOUND', `no such ${what}: ${file}`, { file });
  if (st.isDirectory()) throw new SigmaEsError('NOT_A_FILE', `the ${what} ${file} is a folder; give a file, or - for standard input`, { file });
}
