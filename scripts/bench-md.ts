/** Replace (or append) one `## Heading` section of BENCHMARKS.md, leaving the other sections alone. */
import * as fs from 'node:fs';

export function replaceSection(file: string, heading: string, body: string): void {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n';
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.trim() === `## ${heading}`);
  const section = [`## ${heading}`, '', body.trimEnd(), ''];
  if (start < 0) {
    fs.writeFileSync(file, `${text.trimEnd()}\n\n${section.join('\n')}`);
    return;
  }
  let end = lines.findIndex((l, i) => i > start && l.startsWith('## '));
  if (end < 0) end = lines.length;
  lines.splice(start, end - start, ...section);
  fs.writeFileSync(file, lines.join('\n').replace(/\n{3,}/g, '\n\n'));
}
