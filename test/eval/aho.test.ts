import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { AffixTrie, AhoCorasick, CharFilter, NeedleScanner, TrigramFilter } from '../../src/eval/aho';
import { witnessFold } from '../../src/eval/fast';

describe('Aho-Corasick', () => {
  it('finds exactly the needles that occur (property, against String.includes)', () => {
    const str = fc.array(fc.constantFrom('a', 'b', 'c', 'é', '😀'), { maxLength: 12 }).map((a) => a.join(''));
    fc.assert(
      fc.property(fc.array(str.filter((s) => s.length > 0), { minLength: 1, maxLength: 10 }), str, (needles, text) => {
        const ac = new AhoCorasick(needles);
        const found = new Set<number>();
        ac.scan(text, (id) => found.add(id));
        const want = new Set(needles.map((n, i) => (text.includes(n) ? i : -1)).filter((i) => i >= 0));
        assert.deepEqual([...found].sort(), [...want].sort());
        assert.equal(ac.test(text), want.size > 0);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('AffixTrie', () => {
  it('finds exactly the needles the text starts or ends with (property)', () => {
    const str = fc.array(fc.constantFrom('a', 'b', 'c', 'é', '😀'), { maxLength: 8 }).map((a) => a.join(''));
    fc.assert(
      fc.property(fc.array(str, { minLength: 1, maxLength: 10 }), str, fc.boolean(), (needles, text, fromEnd) => {
        const trie = new AffixTrie(needles, fromEnd);
        const found: number[] = [];
        trie.walk(text, (id) => found.push(id));
        const want = needles.map((n, i) => ((fromEnd ? text.endsWith(n) : text.startsWith(n)) ? i : -1)).filter((i) => i >= 0);
        assert.deepEqual(found.sort((a, b) => a - b), want);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('NeedleScanner', () => {
  it('finds exactly the needles that occur (property, against String.includes)', () => {
    // 'š' (U+0161) shares its low byte with 'a': window keys collide and verification must tell them apart
    const chars = (min: number, max: number) => fc.array(fc.constantFrom('a', 'b', 'c', '\u0161', 'é', '😀'), { minLength: min, maxLength: max }).map((a) => a.join(''));
    // texts are made of needles and a little else, so that long needles do occur, anywhere
    const setup = fc.array(chars(1, 14), { minLength: 1, maxLength: 30 }).chain((needles) =>
      fc.tuple(fc.constant(needles), fc.array(fc.array(fc.oneof(fc.constantFrom(...needles), chars(0, 3)), { maxLength: 8 }).map((a) => a.join('')), { minLength: 1, maxLength: 3 })),
    );
    fc.assert(
      fc.property(setup, ([needles, texts]) => {
        const sc = new NeedleScanner(needles);
        for (const text of texts) {
          const found = new Set<number>();
          sc.scan(text, (id) => found.add(id));
          const want = new Set(needles.map((n, i) => (text.includes(n) ? i : -1)).filter((i) => i >= 0));
          assert.deepEqual([...found].sort((a, b) => a - b), [...want].sort((a, b) => a - b));
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('NeedleScanner, short needles', () => {
  it('finds exactly the 1-3 character needles that occur, ASCII ones by window and others by their first non-ASCII character (property)', () => {
    // many ASCII characters so the hashed filter of triples collides; non-ASCII ones (a surrogate
    // pair among them) between ASCII ones, where a window must not span them
    const alphabet = [...'abcdefghijklmnopqrst -\\/"', 'é', '😀', '\u212a'];
    const chars = (min: number, max: number) => fc.array(fc.constantFrom(...alphabet), { minLength: min, maxLength: max }).map((a) => a.join('').slice(0, max));
    fc.assert(
      fc.property(fc.array(chars(1, 3), { minLength: 1, maxLength: 200 }), fc.array(chars(0, 40), { minLength: 1, maxLength: 4 }), (needles, texts) => {
        const sc = new NeedleScanner(needles);
        for (const text of texts) {
          const found = new Set<number>();
          sc.scan(text, (id) => found.add(id));
          const want = new Set(needles.map((n, i) => (text.includes(n) ? i : -1)).filter((i) => i >= 0));
          assert.deepEqual([...found].sort((a, b) => a - b), [...want].sort((a, b) => a - b), JSON.stringify(text));
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('CharFilter', () => {
  it('rules a text out only when no needle occurs in it (property)', () => {
    // digits, hex, GUID punctuation, rare letters and non-ASCII: every commonness class
    const chars = (min: number, max: number) => fc.array(fc.constantFrom('0', '7', 'a', 'f', '-', '{', 't', 'z', 'q', 'm', '#', 'é', '😀'), { minLength: min, maxLength: max }).map((a) => a.join(''));
    fc.assert(
      fc.property(fc.array(chars(0, 6), { minLength: 1, maxLength: 8 }), fc.array(chars(0, 12), { minLength: 1, maxLength: 4 }), (needles, texts) => {
        const f = new CharFilter(needles);
        for (const text of texts) if (needles.some((n) => text.includes(n))) assert.ok(f.mayContain(text), `${JSON.stringify(needles)} in ${JSON.stringify(text)}`);
      }),
      { numRuns: 5000 },
    );
    // raw: on texts before folding, against needles folded as the witness index folds them
    const rawChars = (min: number, max: number) => fc.array(fc.constantFrom('0', 'a', 'A', 'F', 'k', 'K', 'S', 'i', 'I', '\u212a', '\u017f', '\u0130', '\u0131', '-', 'Q', 'é', 'É'), { minLength: min, maxLength: max }).map((a) => a.join(''));
    fc.assert(
      fc.property(fc.array(rawChars(0, 5), { minLength: 1, maxLength: 8 }), fc.array(rawChars(0, 12), { minLength: 1, maxLength: 4 }), (raw, texts) => {
        const needles = raw.map(witnessFold);
        const f = new CharFilter(needles, true);
        for (const text of texts) if (needles.some((n) => witnessFold(text).includes(n))) assert.ok(f.mayContain(text), `${JSON.stringify(needles)} in fold of ${JSON.stringify(text)}`);
      }),
      { numRuns: 5000 },
    );
    assert.equal(new CharFilter(['/tmp/', 'chmod +x'], true).mayContain('{2229C9FC-01AB-FE7B-2420-3C3D032B0C96}'), false);
    // and it does rule out: word needles against a GUID
    assert.equal(new CharFilter(['/tmp/', 'chmod +x']).mayContain('{2229c9fc-01ab-fe7b-2420-3c3d032b0c96}'), false);
  });
});

describe('TrigramFilter', () => {
  it('rules a raw text out only when no needle occurs in its fold (property)', () => {
    // folded needles of every length, windows of common and rare characters, and raw texts with
    // upper case, the four characters witnessFold maps to ASCII and other non-ASCII ones
    const rawChars = (min: number, max: number) =>
      fc.array(fc.constantFrom('0', 'a', 'A', 'F', 'k', 'K', 'S', 's', 'i', 'I', 'q', 'Z', '\u212a', '\u017f', '\u0130', '\u0131', '-', ' ', '/', 'é', 'É', '😀'), { minLength: min, maxLength: max }).map((a) => a.join(''));
    fc.assert(
      fc.property(fc.array(rawChars(0, 6), { minLength: 1, maxLength: 10 }), fc.array(rawChars(0, 14), { minLength: 1, maxLength: 4 }), (raw, texts) => {
        const needles = raw.map(witnessFold);
        const f = new TrigramFilter(needles);
        for (const text of texts) if (needles.some((n) => witnessFold(text).includes(n))) assert.ok(f.mayContain(text), `${JSON.stringify(needles)} in fold of ${JSON.stringify(text)}`);
      }),
      { numRuns: 10000 },
    );
  });

  it('rules out words that CharFilter lets through', () => {
    const needles = ['/tmp/', 'chmod +x', 'select ', 'sh_history', 'rootkit', 'webshell'];
    const chars = new CharFilter(needles, true);
    const tri = new TrigramFilter(needles);
    for (const t of ['ws-0115.corp.example', 'Microsoft-Windows-Sysmon', 'query', '"C:\\Windows\\System32\\reg.exe"', 'NT AUTHORITY']) {
      assert.equal(chars.mayContain(t), true, t);
      assert.equal(tri.mayContain(t), false, t);
    }
    // and lets through what it must: a needle in another case, a needle of one or two characters
    assert.equal(tri.mayContain('x /TMP/ y'), true);
    assert.equal(new TrigramFilter(['q']).mayContain('Q'), true);
    assert.equal(new TrigramFilter(['zq']).mayContain('aZQ'), true);
    assert.equal(new TrigramFilter(['']).mayContain('anything'), true);
  });
});
