import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { compileRuleset, prepareEvent } from '../../src/eval';
import { eqSig, hasRun, rawEqSig, witnessFold } from '../../src/eval/fast';
import { compileWildcardMatcher } from '../../src/eval/lucene';
import { getProfile, type MappingProfile } from '../../src/mapping/profile';
import type { IrNode, PatternPart } from '../../src/ir/types';
import { parseSigmaRegex } from '../../src/ir/regex';
import { and, cidr, cmp, exists, or, rule, scalar, str } from './helpers';

const sysmon = getProfile('sysmon') as MappingProfile;
const profile: MappingProfile = { ...sysmon, ignoreAbove: 12 };

// Characters chosen to hit case folding edges: ASCII both cases, the non-ASCII characters whose
// Java case is ASCII (Kelvin sign, long s, dotted/dotless i), and other Unicode letters.
const CHARS = ['a', 'A', 'b', 'k', 'K', 's', 'S', 'i', 'I', '\u212a', '\u017f', '\u0130', '\u0131', 'é', 'É', 'ß', '1', '.', '\\', ' ', '😀'];
const KW_FIELDS = ['a', 'b', 'c.d'];
const text = fc.array(fc.constantFrom(...CHARS), { maxLength: 8 }).map((a) => a.join(''));

const pattern: fc.Arbitrary<PatternPart[]> = fc
  .array(fc.oneof(text.map((v) => ({ t: 'lit' as const, v })), fc.constant({ t: 'any' as const }), fc.constant({ t: 'one' as const })), { maxLength: 4 })
  .map((parts) => {
    const out: PatternPart[] = [];
    for (const p of parts) {
      if (p.t === 'lit' && p.v === '') continue;
      const last = out[out.length - 1];
      if (p.t === 'lit' && last && last.t === 'lit') last.v += p.v;
      else out.push({ ...p });
    }
    return out;
  });

const origin = { identifier: 's', sigmaField: null, modifiers: [], value: '' };
const leaf: fc.Arbitrary<IrNode> = fc.oneof(
  fc.record({ field: fc.constantFrom<string | null>(...KW_FIELDS, null), pattern, cs: fc.boolean() }).map(({ field, pattern: p, cs }) => ({ kind: 'string' as const, field, pattern: p, caseSensitive: cs, origin })),
  fc.record({ field: fc.constantFrom<string | null>(...KW_FIELDS, null), v: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.boolean()) }).map(({ field, v }) => scalar(field, v)),
  fc.constantFrom(...KW_FIELDS, 'SourceIp', 'ProcessId').map((f) => exists(f)),
  fc.constantFrom('10.0.0.0/8', '10.1.0.0/16', '::/0', 'fe80::/10').map((n) => cidr('SourceIp', n)),
  fc.record({ op: fc.constantFrom('gt' as const, 'gte' as const, 'lt' as const, 'lte' as const), v: fc.integer({ min: 0, max: 5 }) }).map(({ op, v }) => cmp('ProcessId', op, v)),
);
// Long OR lists of contains / exact values take the grouped (Aho-Corasick / set) path.
const longOr: fc.Arbitrary<IrNode> = fc
  .record({ field: fc.constantFrom<string | null>(...KW_FIELDS, null, 'SourceIp', 'ProcessId'), vals: fc.array(fc.tuple(fc.oneof(text, fc.constantFrom('10.1.2.3', '::1', '4', '4.0')), fc.boolean()), { minLength: 4, maxLength: 12 }) })
  .map(({ field, vals }) => ({
    kind: 'or' as const,
    children: vals.map(([v, contains]) => ({
      kind: 'string' as const,
      field,
      // typed fields only take literals (the translator rejects wildcards there)
      pattern: v === '' ? [] : contains && (field === null || KW_FIELDS.includes(field)) ? [{ t: 'any' as const }, { t: 'lit' as const, v }, { t: 'any' as const }] : [{ t: 'lit' as const, v }],
      caseSensitive: false,
      origin,
    })),
  }));
const tree: fc.Arbitrary<IrNode> = fc.letrec<{ node: IrNode }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    longOr,
    fc.array(tie('node'), { minLength: 1, maxLength: 3 }).map((children) => ({ kind: 'and' as const, children })),
    fc.array(tie('node'), { minLength: 1, maxLength: 3 }).map((children) => ({ kind: 'or' as const, children })),
    tie('node').map((child) => ({ kind: 'not' as const, child })),
    fc.boolean().map((value) => ({ kind: 'const' as const, value })),
  ),
})).node;

const scalarValue = fc.oneof(text, fc.integer({ min: 0, max: 3 }), fc.boolean(), fc.constant(null));
const event = fc.record(
  {
    a: fc.oneof(scalarValue, fc.array(scalarValue, { maxLength: 3 })),
    b: scalarValue,
    c: fc.oneof(fc.record({ d: scalarValue }), fc.array(fc.record({ d: scalarValue }), { maxLength: 2 })),
    SourceIp: fc.constantFrom('10.1.2.3', '10.2.0.1', '192.168.0.1', '::ffff:10.1.9.9', 'fe80::1', '0:0:0:0:0:0:0:1'),
    ProcessId: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constantFrom('4', 4.5)),
  },
  { requiredKeys: [] },
);

// Large rule sets exercise what small ones never reach: exact values many rules require (routed
// by their share), second witnesses, prefix/suffix tries, 4- and 8-gram needles, long needles
// cut to their last characters. Rules and events draw their text from one pool of long
// literals, so that needles do occur, at either end or inside, in any case.
function largeSetup(): fc.Arbitrary<[IrNode[], Array<Record<string, unknown>>]> {
  const FEW = ['a', 'A', 'b', 'K', '\u212a', '\u0161', '.', '\\', ' ', 'é'];
  const chars = (min: number, max: number) => fc.array(fc.constantFrom(...FEW), { minLength: min, maxLength: max }).map((a) => a.join(''));
  return fc.array(chars(1, 24), { minLength: 4, maxLength: 12 }).chain((pool) => {
    const lit = fc.oneof(fc.constantFrom(...pool), fc.constantFrom(...pool).map((v) => v.toUpperCase()), chars(1, 6));
    const anchored: fc.Arbitrary<PatternPart[]> = fc
      .tuple(fc.option(lit, { nil: undefined, freq: 2 }), fc.option(lit, { nil: undefined, freq: 2 }), fc.option(lit, { nil: undefined, freq: 2 }), fc.boolean())
      .map(([head, mid, tail, one]) => {
        const out: PatternPart[] = [];
        if (head) out.push({ t: 'lit', v: head });
        out.push({ t: one ? 'one' : 'any' });
        if (mid) out.push({ t: 'lit', v: mid }, { t: 'any' });
        if (tail) out.push({ t: 'lit', v: tail });
        return out;
      });
    const field = fc.constantFrom<string | null>('a', 'b', 'c.d', null);
    const strLeaf: fc.Arbitrary<IrNode> = fc.record({ field, pattern: anchored, cs: fc.boolean() }).map(({ field: f, pattern: p, cs }) => ({ kind: 'string' as const, field: f, pattern: p, caseSensitive: cs, origin }));
    const eqLeaf: fc.Arbitrary<IrNode> = fc.record({ field, v: lit }).map(({ field: f, v }) => ({ kind: 'string' as const, field: f, pattern: [{ t: 'lit' as const, v }], caseSensitive: false, origin }));
    const containsList: fc.Arbitrary<IrNode> = fc.record({ field, vals: fc.array(lit, { minLength: 1, maxLength: 10 }) }).map(({ field: f, vals }) => ({
      kind: 'or' as const,
      children: vals.map((v) => ({ kind: 'string' as const, field: f, pattern: [{ t: 'any' as const }, { t: 'lit' as const, v }, { t: 'any' as const }], caseSensitive: false, origin })),
    }));
    // endswith / startswith lists on one field (grouped into one trie walk when long)
    const affixList: fc.Arbitrary<IrNode> = fc.record({ field: fc.constantFrom('a', 'b', 'c.d'), end: fc.boolean(), vals: fc.array(lit, { minLength: 1, maxLength: 8 }) }).map(({ field: f, end, vals }) => ({
      kind: 'or' as const,
      children: vals.map((v) => ({ kind: 'string' as const, field: f, pattern: end ? [{ t: 'any' as const }, { t: 'lit' as const, v }] : [{ t: 'lit' as const, v }, { t: 'any' as const }], caseSensitive: false, origin })),
    }));
    // regexes with pool literals, classes and counted repeats (necessary literals, minimum lengths)
    const esc = (v: string): string => v.replace(/[\\.^$|?*+()[\]{}]/g, (c) => `\\${c}`);
    const rx = fc.array(fc.oneof(lit.map(esc), fc.constantFrom('.', '[ab]', '\\s', 'a{2,4}', '.{5,30}', '[^a]{3}', '(?:b|\\.)', '[ab]{2}', '\\.[ aK]', '(?:ab|\\\\)[bé]'), fc.tuple(lit, lit).map(([x, y]) => `(?:${esc(x)}|${esc(y)})`)), { minLength: 1, maxLength: 4 });
    const regexLeaf: fc.Arbitrary<IrNode> = fc.record({ field, parts: rx, i: fc.boolean(), anchor: fc.constantFrom('', '^', '$') }).map(({ field: f, parts, i, anchor }) => {
      const source = anchor === '^' ? `^${parts.join('')}` : `${parts.join('')}${anchor}`;
      const flags = { i, m: false, s: false };
      return { kind: 'regex' as const, field: f, source, ast: parseSigmaRegex(source, flags), flags, origin };
    });
    const part = fc.oneof({ arbitrary: strLeaf, weight: 3 }, { arbitrary: eqLeaf, weight: 1 }, { arbitrary: containsList, weight: 1 }, { arbitrary: affixList, weight: 1 }, { arbitrary: regexLeaf, weight: 1 });
    const body: fc.Arbitrary<IrNode> = fc.oneof({ arbitrary: part, weight: 3 }, { arbitrary: fc.array(part, { minLength: 2, maxLength: 3 }).map((children) => ({ kind: 'and' as const, children })), weight: 1 });
    // most rules require one of two routing values of field r, as log-source conditions do
    const routed = fc.tuple(fc.constantFrom(0, 1, 1, 1, 2), body, fc.option(body, { nil: undefined, freq: 2 })).map(([route, b, b2]): IrNode => {
      const kids: IrNode[] = [b, ...(b2 ? [b2] : [])];
      return route === 2 ? (kids.length === 1 ? kids[0] : { kind: 'and', children: kids }) : { kind: 'and', children: [scalar('r', route), ...kids] };
    });
    // a pool literal at the start, the end, inside, or alone, in either case
    const value = fc
      .tuple(chars(1, 3), lit, chars(1, 3), fc.constantFrom('start', 'end', 'inside', 'alone'), fc.boolean())
      .map(([x, v, y, where, up]) => {
        const w = up ? v.toUpperCase() : v;
        return where === 'start' ? w + y : where === 'end' ? x + w : where === 'inside' ? x + w + y : w;
      });
    const ev = fc.record({ r: fc.constantFrom(0, 1), a: fc.oneof(value, fc.array(value, { maxLength: 3 })), b: value, c: fc.record({ d: value }) }, { requiredKeys: ['r'] });
    return fc.tuple(fc.array(routed, { minLength: 20, maxLength: 45 }), fc.array(ev as fc.Arbitrary<Record<string, unknown>>, { minLength: 1, maxLength: 8 }));
  });
}

/**
 * Compiles the queries (ignore_above 60, so long literals are kept), holds the fast matcher to the
 * oracle on every event, and says how many matches and vetoes there were.
 */
function agreeOn(queries: IrNode[], events: Array<Record<string, unknown>>): { matched: number; vetoed: number } {
  const rs = compileRuleset(queries.map((q) => rule(q)), { profile: { ...sysmon, ignoreAbove: 60 } });
  let matched = 0;
  for (const e of events) {
    const p = prepareEvent(e, rs.profile);
    const fast = rs.match(p);
    assert.deepEqual(fast, rs.matchOracle(p));
    matched += fast.length;
  }
  return { matched, vetoed: rs.counters.vetoed };
}

describe('fast evaluator vs full-scan oracle (property)', () => {
  it('agree on random rule sets and events', () => {
    fc.assert(
      fc.property(fc.array(tree, { minLength: 1, maxLength: 6 }), fc.array(event, { minLength: 1, maxLength: 6 }), (queries, events) => {
        const rs = compileRuleset(queries.map((q) => rule(q)), { profile });
        for (const e of events) {
          const fast = rs.match(prepareEvent(e as Record<string, unknown>, profile));
          const oracle = rs.matchOracle(prepareEvent(e as Record<string, unknown>, profile));
          assert.deepEqual(fast, oracle);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('agree on large rule sets with long literals and shared routing values', () => {
    const setup = largeSetup();
    let matched = 0;
    fc.assert(
      fc.property(setup, ([queries, events]) => {
        matched += agreeOn(queries, events).matched;
      }),
      { numRuns: 300 },
    );
    assert.ok(matched > 300, `only ${matched} matches: the generators no longer make rules match`);
  });

  // `1 of selection_*` under log-source conditions: an OR of conjunctions among a rule's conjuncts
  // gets a witness group per branch (with the other conjuncts), and the rule is a candidate when
  // one group holds whole; dropping a branch's group or a rule listed twice fails here.
  it('agree on rules with an OR of conjunctions under a routing condition (witness groups)', () => {
    let matched = 0;
    fc.assert(
      fc.property(largeSetup(), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 2, max: 5 }), fc.nat({ max: 1 })), { minLength: 20, maxLength: 40 }), ([queries, events], shapes) => {
        const grouped = shapes.map(([i, k, route]): IrNode => {
          const branches = Array.from({ length: k }, (_, j) => queries[(i + j) % queries.length]);
          return and(scalar('r', route), or(...branches));
        });
        matched += agreeOn(grouped, events).matched;
      }),
      { numRuns: 200 },
    );
    assert.ok(matched > 300, `only ${matched} matches`);
  });

  // Rules routed by a common value, with negated filters (`not 1 of filter_*`) whose literal,
  // contains, startswith and endswith leaves veto the rule when the filter's atom holds. The
  // filters are cut from the events' own values (in either case), so that they do hold, on
  // terms with and without the characters the witness fold maps apart (İ ı ſ K).
  it('agree on rules with negated filters (veto atoms)', () => {
    let vetoed = 0;
    let matched = 0;
    const shape = fc.constantFrom('eq', 'contains', 'starts', 'ends');
    const filterPick = fc.tuple(fc.nat(), fc.nat(), fc.nat(), shape, fc.boolean(), fc.constantFrom('a', 'b', 'c.d'), fc.boolean(), fc.boolean());
    fc.assert(
      fc.property(largeSetup(), fc.array(fc.array(filterPick, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 45 }), ([queries, events0], filters) => {
        // and each event without the Kelvin sign, whose folds are then the terms' own (vetoes apply)
        const plain = (x: unknown): unknown => (typeof x === 'string' ? x.replace(/\u212a/g, 'K') : Array.isArray(x) ? x.map(plain) : x && typeof x === 'object' ? Object.fromEntries(Object.entries(x).map(([k, v]) => [k, plain(v)])) : x);
        const events = [...events0, ...events0.map((e) => plain(e) as Record<string, unknown>)];
        // (field, value) pairs of the events: most filters are cut from a value of their own field
        const pool = events.flatMap((e) => (['a', 'b', 'c.d'] as const).flatMap((f) => [f === 'c.d' ? (e.c as { d: unknown } | undefined)?.d : e[f]].flat().map((v) => [f, v] as const))).filter((x): x is readonly ['a' | 'b' | 'c.d', string] => typeof x[1] === 'string' && x[1].length > 0);
        if (pool.length === 0) pool.push(['a', 'a\\b']);
        const withFilters = queries.map((q, qi): IrNode => {
          const picks = filters[qi % filters.length];
          // a padded long needle (cut to its last characters in the index, which do occur) filters alone
          const padded = picks.find(([, , , sh, , , cs, pad]) => pad && !cs && sh === 'contains');
          const leaves: IrNode[] = (padded ? [padded] : picks).map(([i, j, k, sh, up, other, cs, pad]) => {
            const [own, v] = pool[i % pool.length];
            const field = j % 4 === 0 ? other : own;
            const from = sh === 'starts' || sh === 'eq' ? 0 : j % v.length;
            const to = sh === 'ends' || sh === 'eq' ? v.length : from + 1 + (k % (v.length - from));
            const cut = pad && sh === 'contains' ? `é.${v}` : v.slice(from, to);
            const lit = up ? cut.toUpperCase() : cut;
            const p: PatternPart[] =
              sh === 'eq' ? [{ t: 'lit', v: lit }] : sh === 'contains' ? [{ t: 'any' }, { t: 'lit', v: lit }, { t: 'any' }] : sh === 'starts' ? [{ t: 'lit', v: lit }, { t: 'any' }] : [{ t: 'any' }, { t: 'lit', v: lit }];
            return { kind: 'string', field, pattern: p, caseSensitive: cs, origin };
          });
          // half the rules are routed only (a witness too common to keep them from being candidates)
          const body = qi % 2 === 0 ? q : scalar('r', (qi >> 1) % 2);
          return { kind: 'and', children: [body, { kind: 'not', child: leaves.length === 1 ? leaves[0] : { kind: 'or', children: leaves } }] };
        });
        const r = agreeOn(withFilters, events);
        matched += r.matched;
        vetoed += r.vetoed;
      }),
      { numRuns: 300 },
    );
    assert.ok(vetoed > 300 && matched > 1000, `only ${vetoed} vetoes and ${matched} matches: the generators no longer reach the veto atoms`);
  });

  // Each field memoises what its terms yield in the candidate index while its values repeat: a long
  // stream that recombines a few values, alone or in arrays, in named fields and in fields only the
  // unbound keywords see (which share one plan), must match as the oracle.
  it('agree on long streams of recombined values (the per-field memo)', () => {
    const pick = fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.nat(), fc.nat({ max: 4 }));
    fc.assert(
      fc.property(largeSetup(), fc.array(pick, { minLength: 50, maxLength: 400 }), ([queries, events], picks) => {
        const rs = compileRuleset(queries.map((q) => rule(q)), { profile: { ...sysmon, ignoreAbove: 60 } });
        const pool = events.flatMap((e) => [e.a, e.b, (e.c as { d: unknown } | undefined)?.d].flat()).filter((v): v is string => typeof v === 'string');
        if (pool.length === 0) pool.push('a');
        const v = (x: number): string => pool[x % pool.length];
        for (const [i, j, k, l, shape] of picks) {
          const e: Record<string, unknown> = { r: i % 2, a: shape === 0 ? v(i) : [v(i), v(j)], b: v(k), c: { d: shape === 3 ? [v(l), v(i)] : v(l) } };
          if (shape >= 2) (e.y = [v(l), v(k)]), (e.z = v(j));
          const p = prepareEvent(e, rs.profile);
          assert.deepEqual(rs.match(p), rs.matchOracle(p));
        }
      }),
      { numRuns: 150 },
    );
  });

  // A field whose values never repeat turns its memo off after a window and back on much later;
  // values repeating again after that must still match as the oracle.
  it('agree when a field turns its memo off and on again', () => {
    const queries = [
      or(str('a', '*needle*'), str('a', '*other*'), str('a', 'x*'), str('a', '*1')),
      and(scalar('r', 1), str('a', '*ab1*')),
      str('b', '*needle*'),
      // c's values never repeat and only substring needles look at them: ruled out before folding
      or(str('c', '*needle*'), str('c', '*key*')),
    ];
    const rs = compileRuleset(queries.map((q) => rule(q)), { profile: sysmon });
    const values = (i: number): string => (i < 40_000 || i % 3 === 0 ? `v${i}needle${i % 7 === 0 ? 'ab1' : ''}` : ['needle', 'xab1', 'zz', 'Other1'][i % 4]);
    for (let i = 0; i < 140_000; i++) {
      const c = i % 11 === 0 ? `x${i}NEEDLE` : i % 13 === 0 ? `${i}\u212aEY` : i % 17 === 0 ? `${i}KEY` : `h${i}`;
      const p = prepareEvent({ r: i % 2, a: values(i), b: i % 5 === 0 ? 'needle' : 'hay', c }, rs.profile);
      const fast = rs.match(p);
      if (i % 97 === 0 || i >= 139_000) assert.deepEqual(fast, rs.matchOracle(p), `event ${i}`);
    }
  });

  // A field whose values never repeat (memo off) and whose plan is substring needles plus the
  // unbound keywords' exact values is pre-tested on its raw terms: a term that folds to an exact
  // value (other cases, Kelvin sign, dotted or dotless i, long s at its ends) must not be ruled out.
  it('agree on fields pre-tested raw against the unbound keywords\' exact values', () => {
    const MATES: Record<string, string[]> = { a: ['a', 'A'], k: ['k', 'K', '\u212a'], s: ['s', 'S', '\u017f'], i: ['i', 'I', '\u0130', '\u0131'], b: ['b', 'B'], '1': ['1'], '.': ['.'], é: ['é', 'É'] };
    const word = fc.array(fc.constantFrom(...Object.keys(MATES)), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 5 }), word, fc.array(fc.nat(), { minLength: 64, maxLength: 64 }), (values, needle, seeds) => {
        const queries: IrNode[] = [...values.map((v) => str(null, v.join(''))), str(null, `*${needle.join('')}*`), or(str('a', '*zz*'), str('a', '*q1*'))];
        const rs = compileRuleset(queries.map((q) => rule(q)), { profile: sysmon });
        // a term that folds to an exact value, each character one of its fold mates
        const variant = (s: number): string => values[s % values.length].map((ch, j) => { const m = MATES[ch]; return m[(s >> (j % 8)) % m.length]; }).join('');
        for (let i = 0; i < 1200; i++) {
          const s = seeds[i % 64] + i;
          const h = i % 7 === 0 ? variant(s) : i % 11 === 0 ? `${i}${needle.join('').toUpperCase()}` : String(i * 7919);
          const a = i % 5 === 0 ? variant(s + 1) : `${i}`;
          const p = prepareEvent({ h, a, n: { h: [String(i), i % 3 === 0 ? variant(s + 2) : '0'] } }, rs.profile);
          const fast = rs.match(p);
          if (i >= 300 || i % 50 === 0) assert.deepEqual(fast, rs.matchOracle(p), `event ${i}`);
        }
      }),
      { numRuns: 25 },
    );
  });

  it('rawEqSig is eqSig of the witness fold', () => {
    const unit = fc.oneof(fc.constantFrom(...CHARS), fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)));
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 6 }), (a) => {
        const t = a.join('');
        assert.equal(rawEqSig(t), eqSig(witnessFold(t)));
      }),
      { numRuns: 3000 },
    );
  });

  it('hasRun, probing every min-th unit, finds a run exactly when one exists', () => {
    const set = new Uint8Array(128);
    for (const c of 'abc') set[c.charCodeAt(0)] = 1;
    const naive = (t: string, min: number): boolean => new RegExp(`[abc]{${min}}`).test(t);
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', 'c', 'x', ' ', '\u00e1', '😀'), { maxLength: 40 }), fc.integer({ min: 1, max: 9 }), (a, min) => {
        const t = a.join('');
        assert.equal(hasRun(t, set, min), naive(t, min), JSON.stringify([t, min]));
      }),
      { numRuns: 5000 },
    );
  });

  it('the witness fold never separates what Lucene case_insensitive joins (whole BMP)', () => {
    for (let p = 0x20; p < 0x7f; p++) {
      const needle = String.fromCharCode(p);
      const m = compileWildcardMatcher([{ t: 'lit', v: needle }], true);
      for (let c = 0; c < 0x10000; c++) {
        if (c >= 0xd800 && c <= 0xdfff) continue;
        const ch = String.fromCharCode(c);
        if (m(ch)) assert.equal(witnessFold(ch), needle.toLowerCase(), `U+${c.toString(16)} matches ${needle}`);
      }
    }
  });
});
