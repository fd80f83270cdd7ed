/**
 * Harness reports for people (a table), for scripts (one JSON object) and for CI systems
 * (JUnit XML: one test case per set, rule and target).
 */
import type { HarnessReport, Mismatch } from './run';

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

export function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.min(60, Math.max(...rows.map((r) => (r[i] ?? '').length))));
  return rows.map((r) => r.map((c, i) => pad((c ?? '').length > 60 ? `${c.slice(0, 57)}...` : c ?? '', widths[i])).join('  ').trimEnd()).join('\n');
}

export function renderText(r: HarnessReport): string {
  const out: string[] = [];
  out.push(`engine: ${r.engine.name} ${r.engine.version}`);
  for (const s of r.sets) {
    const skipped = Object.entries(s.skippedTargets).map(([t, why]) => `${t} skipped: ${why}`);
    out.push(`  ${s.name}: ${s.events} events × ${s.rules} rules on ${s.targets.join(', ') || 'no target'}${skipped.length ? ` (${skipped.join('; ')})` : ''}`);
  }
  if (r.mismatches.length) {
    out.push('', `MISMATCHES (${r.mismatches.length}):`);
    const rows = [['set', 'rule', 'event', 'target', 'engine', 'evaluator', 'expected', 'leaf responsible']];
    for (const m of r.mismatches) {
      rows.push([m.set, m.rule, m.event, m.target, m.engine ?? '-', m.evaluator, m.expected ?? '-', m.leaf ?? '']);
    }
    out.push(table(rows));
  }
  if (r.failures.length) {
    out.push('', `FAILURES (${r.failures.length}):`);
    for (const f of r.failures) out.push(`  ${f.set}: ${f.file}${f.rule ? ` [${f.rule}]` : ''}${f.target ? ` (${f.target})` : ''}: ${f.code} ${f.message}`);
  }
  if (r.skipped.length) {
    out.push('', `not compared (${r.skipped.length}): rules or targets that cannot run on this set, and events both sides refuse, each for a stated reason`);
    for (const f of r.skipped.slice(0, 50)) out.push(`  ${f.set}: ${f.file}${f.rule ? ` [${f.rule}]` : ''}${f.target ? ` (${f.target})` : ''}: ${f.code} ${f.message}`);
    if (r.skipped.length > 50) out.push(`  … and ${r.skipped.length - 50} more (see --json)`);
  }
  const ok = r.mismatches.length === 0 && r.failures.length === 0;
  out.push('', `${ok ? 'OK' : 'FAILED'}: ${r.rules} rules, ${r.events} events, ${r.compared} verdicts compared, ${r.mismatches.length} mismatches, ${r.failures.length} failures (${(r.ms / 1000).toFixed(1)} s)`);
  return `${out.join('\n')}\n`;
}

export function renderJson(r: HarnessReport): string {
  return `${JSON.stringify({
    engine: r.engine,
    rules: r.rules,
    events: r.events,
    compared: r.compared,
    mismatches: r.mismatches.length,
    failures: [...r.mismatches.map((m) => ({ kind: 'mismatch', ...m })), ...r.failures.map((f) => ({ kind: 'failure', ...f }))],
    skipped: r.skipped,
    sets: r.sets,
    ms: r.ms,
  })}\n`;
}

function xml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

export function renderJunit(r: HarnessReport): string {
  const suites: string[] = [];
  for (const s of r.sets) {
    const cases: string[] = [];
    const bySetRule = new Map<string, Mismatch[]>();
    for (const m of r.mismatches.filter((x) => x.set === s.name)) {
      const k = `${m.rule} ${m.target}`;
      bySetRule.set(k, [...(bySetRule.get(k) ?? []), m]);
    }
    const names = new Set<string>([...bySetRule.keys()]);
    for (const t of ['expected', ...s.targets]) names.add(`(all rules) ${t}`);
    let failures = 0;
    for (const name of [...names].sort()) {
      const ms = bySetRule.get(name) ?? [];
      if (name.startsWith('(all rules)') && [...bySetRule.keys()].some((k) => k.endsWith(name.split(' ').pop()!))) continue;
      if (ms.length) {
        failures++;
        const body = ms.map((m) => `${m.event}: engine=${m.engine ?? '-'} evaluator=${m.evaluator} expected=${m.expected ?? '-'} ${m.leaf ?? ''}`).join('\n');
        cases.push(`    <testcase classname="${xml(s.name)}" name="${xml(name)}"><failure message="${ms.length} mismatched events">${xml(body)}</failure></testcase>`);
      } else cases.push(`    <testcase classname="${xml(s.name)}" name="${xml(name)}"/>`);
    }
    for (const f of r.failures.filter((x) => x.set === s.name)) {
      failures++;
      cases.push(`    <testcase classname="${xml(s.name)}" name="${xml(`${f.rule || f.file} ${f.target ?? ''}`.trim())}"><failure message="${xml(f.code)}">${xml(f.message)}</failure></testcase>`);
    }
    suites.push(`  <testsuite name="${xml(s.name)}" tests="${cases.length}" failures="${failures}">\n${cases.join('\n')}\n  </testsuite>`);
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="sigma-es ${xml(r.engine.name)} ${xml(r.engine.version)}">\n${suites.join('\n')}\n</testsuites>\n`;
}
