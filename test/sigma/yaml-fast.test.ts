import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { PACKED_SCAN_MAX, readSigmaYamlFast } from '../../src/sigma/yaml-fast';
import { compareYaml } from './yaml-compare';
import { loadYamlDocuments } from '../../src/sigma/yaml';

function agrees(text: string): 'fast' | 'fallback' | 'error' {
  const r = compareYaml(text);
  assert.equal(r.diff, undefined, `fast reader and js-yaml differ on ${JSON.stringify(text)}:\n${r.diff}`);
  return r.outcome;
}

describe('fast YAML reader (differential against js-yaml)', () => {
  const fastCases: Record<string, string> = {
    'a rule-shaped document': [
      'title: WMIC remote  # a comment',
      "id: '50cf993f-0000-4000-8000-000000000000'",
      'tags:',
      '    - attack.execution',
      '    - attack.t1047',
      'logsource:',
      '    category: process_creation',
      'detection:',
      '    selection:',
      "        CommandLine|contains|all: ['x']".replace("['x']", "'/node:'"),
      '        Image|endswith: \\wmic.exe',
      '    condition: selection',
      'level: high',
    ].join('\n'),
    'lists at the indent of their key, compact maps in lists': 'a:\n- x\n- k: 1\n  j: two\n-   y # c\nb: 2\n',
    'typed scalars and keys': 'n: ~\nb: True\ni: 0x1F\no: 0o17\nf: 1.5e3\ns: .inf\nnan: .NaN\nv: 1_000\n1: one\ntrue: t\nnull: n\n"q": q\n',
    'quotes and escapes': "a: 'it''s'\nb: \"tab\\tq\\\" \\\\ \\x41\\u00e9\\U0001F600 \\/\"\nc: ''\nd: \"\" # c\ne: 'x'#c\n",
    'plain scalars that look like syntax': 'a: -enc\nb: ?x\nc: :x\nd: a:b\ne: x#y\nf: C:\\Windows\\*\ng: \'\'\'\'\n',
    'multi-line plain scalars': 'description: first\n  second\n\n  third\n\n\nnext: not - a list\n  -x\n',
    'literal blocks and chomping': 'a: |\n  one\n\n   two\n\n\nb: |-\n  x\n\nc: |+\n  y\n\n\nd: | # c\n    deep\n      deeper\n    # not a comment\ne: 1\n',
    'literal block at the end, keep': 'a: |+\n  y\n\n',
    'literal block at the end, no newline': 'a: |\n  y\n  ',
    'empty values': 'a:\nb:\n  # only a comment\nc: [\n',
    'nested lists of maps': 'x:\n  -\n    a: 1\n  - b: [1]\n',
    'deeper value on the next line': 'a:\n    plain value\n      continued\nb: 1\n',
    'keys of several colons, comments between them': 'a:b:c: v\nd:e #f: g\nh: i:j #k: l\nm:n:o #p:q: r\ns::t: u\n',
  };
  for (const [name, text] of Object.entries(fastCases)) {
    it(name, () => {
      agrees(text);
    });
  }

  it('reads emoji (astral characters) itself and leaves lone surrogates to js-yaml', () => {
    assert.equal(agrees('title: 😀 x\ndetection:\n  sel:\n    CommandLine|contains:\n      - "🛡️"\n      - \'⚔️\'\n      - 😀😀\n  condition: sel\n'), 'fast');
    assert.equal(agrees('a: "\\U0001F600 and 😀"\n'), 'fast');
    for (const lone of ['a: \uD83D\n', 'a: x\uDE00\n', "a: '\uDE00\uD83D'\n"]) {
      assert.equal(readSigmaYamlFast(lone, () => undefined), undefined, JSON.stringify(lone));
      agrees(lone);
    }
  });

  it('reads the common rule shapes itself rather than falling back', () => {
    assert.equal(agrees(fastCases['a rule-shaped document']), 'fast');
    assert.equal(agrees(fastCases['quotes and escapes']), 'fast');
    assert.equal(agrees(fastCases['literal blocks and chomping']), 'fast');
    assert.equal(agrees(fastCases['multi-line plain scalars']), 'fast');
  });

  it('leaves anchors, flow collections, tags, several documents and tabs to js-yaml', () => {
    for (const text of ['a: &x 1\nb: *x\n', 'a: [1, 2]\n', 'a: {b: 1}\n', 'a: !!str 1\n', 'a: 1\n---\nb: 2\n', 'a:\n\t- 1\n', 'a: >\n  folded\n', "a: 'multi\n  line'\n", 'a: 1\na: 2\n']) {
      assert.equal(readSigmaYamlFast(text, () => undefined), undefined, JSON.stringify(text));
      agrees(text);
    }
  });

  // Random block-style documents built from the pieces rules are made of, with the awkward
  // characters (quotes, `#`, `:`, `|`, `-`, backslashes, spaces) and indentation slips mixed in.
  const plainWord = fc.oneof(
    fc.constantFrom('a', 'x1', 'CommandLine|contains', 'Image|endswith|all', 'true', 'null', '~', '1', '0x10', '-1.5', '.inf', 'yes', 'C:\\x', 'a:b', 'a #b', 'a#b', "it's", 'x"y', '-', '*', 'é', '😀', 'a🛡️b'),
    fc.string({ unit: fc.constantFrom('a', ' ', ':', '#', "'", '"', '-', '\\', '|', '1', '.', 'é', '*'), maxLength: 6 }),
  );
  // with characters that send a text to js-yaml (tabs, NEL, lone surrogates) and astral ones that do not
  const word = fc.oneof(
    fc.constantFrom('a', 'x1', 'CommandLine|contains', 'Image|endswith|all', 'true', 'null', '~', '1', '0x10', '-1.5', '.inf', 'yes', 'on', 'C:\\x', 'a:b', 'a #b', 'a#b', "it's", 'x"y', '-', '?', ':', '|', '*', "''", '""', 'é', '\\'),
    fc.string({ unit: fc.constantFrom('a', ' ', ':', '#', "'", '"', '-', '\\', '|', '1', '.', 'é', '*', '😀', '\uD83D', '\uDE00', '\t', '\u00a0', '\u0085'), maxLength: 6 }),
  );
  const scalarText = fc.oneof(
    word,
    word.map((w) => `'${w.replace(/'/g, "''")}'`),
    word.map((w) => JSON.stringify(w)),
    fc.tuple(word, word).map(([a, b]) => `${a} # ${b}`),
  );
  const line = fc.tuple(fc.integer({ min: 0, max: 6 }), fc.oneof(
    fc.tuple(scalarText, scalarText).map(([k, v]) => `${k}: ${v}`),
    scalarText.map((k) => `${k}:`),
    scalarText.map((v) => `- ${v}`),
    fc.tuple(scalarText, scalarText).map(([k, v]) => `- ${k}: ${v}`),
    fc.constantFrom('-', '|', '|-', '|+', 'key: |', 'key: |-', '- |', '# comment', '', '   '),
    scalarText,
  )).map(([ind, l]) => ' '.repeat(ind) + l);

  it('indexes maps past PACKED_SCAN_MAX keys: same values and positions, duplicates still found', () => {
    // integer-like keys come first in Object.keys, so positions are looked up out of document order
    const n = 3 * PACKED_SCAN_MAX;
    const keys = Array.from({ length: n }, (_, i) => (i % 7 === 3 ? `${i}` : i % 11 === 5 ? `sel${i}` : `k${i}`));
    const lines = keys.map((k) => (k.startsWith('sel') ? `  ${k}:\n    F: v` : `  ${k}: v`));
    const map = `detection:\n${lines.join('\n')}\n`;
    for (const text of [map, `${map}  null: n\n  true: t\n`, `# js-yaml's path (a tab)\t\n${map}`]) {
      assert.notEqual(agrees(text), 'error');
      const [doc] = loadYamlDocuments(text);
      const detection = (doc.value as Record<string, unknown>).detection;
      const textLines = text.split('\n');
      for (const k of keys) {
        const at = doc.positions.child(detection, k);
        assert.equal(textLines[at!.line - 1].slice(at!.column - 1), k.startsWith('sel') ? `${k}:` : `${k}: v`, `position of ${k}`);
      }
    }
    for (const dup of ['k0', '3', `k${n - 1}`, `sel${n - 1 - ((n - 1 - 5) % 11)}`]) {
      const text = `${map}  ${dup}: again\n`;
      assert.equal(readSigmaYamlFast(text, () => undefined), undefined, `duplicate ${dup} not found`);
      assert.equal(agrees(text), 'error');
    }
  });

  it('agrees with js-yaml on random block-style documents (or falls back)', () => {
    let fast = 0;
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 14 }), fc.boolean(), (lines, nl) => {
        if (agrees(lines.join('\n') + (nl ? '\n' : '')) === 'fast') fast++;
      }),
      // A fixed seed: most random texts fall back, and how many do not varies from seed to seed
      // (30 to 54 in 3,000); the floor below checks the fast path is exercised at all.
      { numRuns: 3000, seed: 20261126 },
    );
    assert.ok(fast > 20, `only ${fast} of the random documents took the fast path`);
  });

  // Random well-formed trees, rendered the ways rule authors write them.
  type Tree = { t: 's'; v: string } | { t: 'l'; items: Tree[] } | { t: 'm'; entries: Array<[string, Tree]> };
  const tree: fc.Arbitrary<Tree> = fc.letrec<{ node: Tree }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      plainWord.map((v): Tree => ({ t: 's', v })),
      fc.array(tie('node'), { minLength: 1, maxLength: 4 }).map((items): Tree => ({ t: 'l', items })),
      fc
        .uniqueArray(fc.tuple(plainWord, tie('node')), { minLength: 1, maxLength: 4, selector: ([k]) => k })
        .map((m): Tree => ({ t: 'm', entries: m.map(([k, v]) => [`k${k}`, v] as [string, Tree]) })),
    ),
  })).node;
  interface Style { step: number; sameIndentList: boolean; quote: string; comment: boolean }
  const style = fc.record({ step: fc.constantFrom(2, 4), sameIndentList: fc.boolean(), quote: fc.constantFrom('plain', 'single', 'double', 'block'), comment: fc.boolean() });
  /** Appends `t` to `out`; `lead` is what stands before it on its first line (`key: `, `- `). */
  function render(t: Tree, ind: number, st: Style, out: string[], lead: string): void {
    const pad = ' '.repeat(ind);
    if (t.t === 's') {
      const v = st.quote === 'single' ? `'${t.v.replace(/'/g, "''")}'` : st.quote === 'double' ? JSON.stringify(t.v) : t.v;
      if (st.quote === 'block') out.push(`${lead}|`, `${pad}${' '.repeat(st.step)}${t.v}`, `${pad}${' '.repeat(st.step)}${t.v}`);
      else out.push(`${lead}${v}${st.comment ? ' # c' : ''}`);
      return;
    }
    if (t.t === 'm') {
      t.entries.forEach(([k, v], i) => {
        const head = i === 0 && lead !== '' ? lead : pad;
        if (v.t === 's') render(v, ind, st, out, `${head}${k}: `);
        else {
          out.push(`${head}${k}:`);
          render(v, v.t === 'l' && st.sameIndentList ? ind : ind + st.step, st, out, '');
        }
      });
      return;
    }
    for (const item of t.items) {
      if (item.t === 's') render(item, ind, st, out, `${pad}- `);
      else if (item.t === 'm') render(item, ind + 2, st, out, `${pad}- `);
      else {
        out.push(`${pad}-`);
        render(item, ind + st.step, st, out, '');
      }
    }
  }

  it('agrees with js-yaml on random well-formed rule-style trees', () => {
    let fast = 0;
    let runs = 0;
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(plainWord, tree), { minLength: 1, maxLength: 5, selector: ([k]) => k }), style, (entries, st) => {
        const out: string[] = [];
        render({ t: 'm', entries: entries.map(([k, v]) => [`top${k}`, v] as [string, Tree]) }, 0, st, out, '');
        runs++;
        if (agrees(out.join('\n') + '\n') === 'fast') fast++;
      }),
      { numRuns: 2000 },
    );
    assert.ok(fast > runs / 3, `only ${fast} of ${runs} trees took the fast path`);
  });

  const corpus = path.resolve(__dirname, '../../../shared/corpus/sigmahq');
  it('agrees with js-yaml on every SigmaHQ file', function () {
    if (!fs.existsSync(corpus)) this.skip(); // ../shared is beside the project on the development machine only
    this.timeout(120000);
    const files: string[] = [];
    const walk = (d: string): void => {
      for (const n of fs.readdirSync(d)) {
        const p = path.join(d, n);
        if (fs.statSync(p).isDirectory()) walk(p);
        else if (/\.ya?ml$/.test(n)) files.push(p);
      }
    };
    walk(corpus);
    let fast = 0;
    for (const f of files) {
      const r = compareYaml(fs.readFileSync(f, 'utf8'));
      assert.equal(r.diff, undefined, `${f}: ${r.diff}`);
      if (r.outcome === 'fast') fast++;
    }
    assert.ok(fast / files.length > 0.99, `fast path for ${fast} of ${files.length} files`);
  });
});
