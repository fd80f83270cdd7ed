// Random regexes in the dialect and random terms, shared by the differential tests.
import fc from 'fast-check';

const ATOMS = ['a', 'b', 'A', 'K', 'k', 'ß', 'ſ', '\u212a', 'Σ', 'σ', 'ς', '😀', '.', '\\.', '\\n', '@', '&', '<', '>', '#', '~', '"', '-', '\\\\',
  '\\d', '\\w', '\\s', '\\S', '\\W', '[a-c]', '[^a]', '[a-zA-Z]', '[\\w.-]', '[^\\n]', '[k-s]', '[\\]x]', '[ -/]', '[\\s\\d]'];

export const regexArb: fc.Arbitrary<string> = fc.letrec<{ node: string; seq: string; alt: string }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'xsmall', withCrossShrink: true },
    fc.constantFrom(...ATOMS),
    fc.tuple(tie('alt'), fc.constantFrom('(', '(?:')).map(([a, g]) => `${g}${a})`),
    fc.tuple(tie('node'), fc.constantFrom('*', '+', '?', '{2}', '{1,3}', '{0,2}', '{2,}', '*?', '+?')).map(([n, q]) => (/[*+?}]$/.test(n) ? `(?:${n})${q}` : n + q)),
  ),
  seq: fc.array(tie('node'), { minLength: 0, maxLength: 3 }).map((xs) => xs.join('')),
  alt: fc.array(tie('seq'), { minLength: 1, maxLength: 3 }).map((xs) => xs.join('|')),
})).alt.chain((body) =>
  fc.tuple(fc.constantFrom('', '^', '\\A', '(?:^|x)'), fc.constantFrom('', '$', '\\Z', '(?:$|y)')).map(([s, e]) => s + (s || e ? `(?:${body})` : body) + e),
);

export const termArb: fc.Arbitrary<string> = fc
  .array(fc.constantFrom('a', 'b', 'A', 'B', 'k', 'K', '\u212a', 's', 'S', 'ſ', 'ß', 'ẞ', 'σ', 'ς', 'Σ', '😀', '.', '\n', ' ', '\t', '1', '_', '-', '@', '#', '"', 'x', 'y', '/', 'é', '\\'), { maxLength: 8 })
  .map((xs) => xs.join(''));

export const flagsArb = fc.record({ i: fc.boolean(), m: fc.boolean(), s: fc.boolean() });
