import { compileYaml } from '../../src/compile';
import type { IrNode, IrRule } from '../../src/ir/types';

/** Build a one-selection rule around a detection body (YAML lines, indented under `detection:`). */
export function ruleYaml(detection: string, extra = ''): string {
  return `title: Test rule
id: 11111111-2222-4333-8444-555555555555
logsource:
  category: process_creation
  product: windows
${extra}detection:
${detection
  .split('\n')
  .map((l) => `  ${l}`)
  .join('\n')}
`;
}

export function query(detection: string, pipelines: string[] = []): IrNode {
  const docs = compileYaml(ruleYaml(detection), { pipelines });
  return (docs[0] as IrRule).query;
}

/** Compact text form of an IR tree, so tests read like the semantics they pin. */
export function show(n: IrNode): string {
  switch (n.kind) {
    case 'and':
      return `(${n.children.map(show).join(' AND ')})`;
    case 'or':
      return `(${n.children.map(show).join(' OR ')})`;
    case 'not':
      return `NOT ${show(n.child)}`;
    case 'const':
      return String(n.value);
    case 'string': {
      const pat = n.pattern.map((p) => (p.t === 'lit' ? JSON.stringify(p.v) : p.t === 'any' ? '*' : '?')).join('');
      return `${n.field ?? '<kw>'}${n.caseSensitive ? '==' : '~='}${pat || '""'}`;
    }
    case 'scalar':
      return `${n.field ?? '<kw>'}=${String(n.value)}`;
    case 'regex':
      return `${n.field ?? '<kw>'}=~/${n.source}/${n.flags.i ? 'i' : ''}${n.flags.m ? 'm' : ''}${n.flags.s ? 's' : ''}`;
    case 'cidr':
      return `${n.field} in ${n.cidr}`;
    case 'exists':
      return `exists(${n.field})`;
    case 'compare':
      return `${n.field} ${n.op} ${n.value}`;
    case 'fieldref':
      return `${n.field} ${n.mode} field(${n.ref})${n.caseSensitive ? ' cased' : ''}`;
    case 'timepart':
      return `${n.part}(${n.field}) ${n.op} ${n.value}`;
  }
}
