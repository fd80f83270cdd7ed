/**
 * One rule file, read and parsed into Sigma documents: the first step of compiling it, and
 * the only one that needs nothing but the file (parse-ahead.ts runs it on another thread).
 */
import * as fs from 'node:fs';
import { SigmaEsError, fileError } from '../errors';
import type { SigmaDocument } from './model';
import { parseSigmaYaml } from './parse';

export interface ParsedFile {
  file: string;
  docs: Array<{ index: number; label?: string; doc?: SigmaDocument; errors: SigmaEsError[] }>;
}

export function parseFile(file: string, text?: string): ParsedFile {
  let content = text;
  if (content === undefined) {
    try {
      content = fs.readFileSync(file, 'utf8');
    } catch (e) {
      return { file, docs: [{ index: 0, errors: [new SigmaEsError('FILE_UNREADABLE', `cannot read file: ${(e as Error).message}`, { file })] }] };
    }
  }
  try {
    const parsed = parseSigmaYaml(content, file);
    return { file, docs: parsed.map((p, index) => ({ index, label: p.label, doc: p.doc, errors: p.errors })) };
  } catch (e) {
    return { file, docs: [{ index: 0, errors: [fileError(e, file)] }] };
  }
}
