/**
 * Generated Sigma rules, as the YAML a detection engineer would write, so that the parser,
 * the condition grammar, the modifier chains and the IR builder are fuzzed together with the
 * backends and the evaluator. The rule is kept as a plain object (what `js-yaml` dumps) so
 * the shrinker can take it apart item by item.
 *
 * Fields come from one small schema on the `sysmon` profile without a pipeline (the Sigma
 * field name is the index field name), covering every field kind the profile has: keyword
 * (plain, dotted/nested, numbers-as-text, address-as-text), ip and long.
 */
import fc from 'fast-check';
import * as jsyaml from 'js-yaml';

export const FUZZ_PROFILE = 'sysmon';

/** Keyword fields (unlisted in the profile). `Obj.Name` is written nested, dotted or as an array of objects. */
export const KEYWORD_FIELDS = ['CommandLine', 'Image', 'User', 'Obj.Name', 'EventID', 'IpAddress'] as const;
export const IP_FIELDS = ['SourceIp'] as const;
export const LONG_FIELDS = ['ProcessId', 'DestinationPort'] as const;
export const ALL_FIELDS: readonly string[] = [...KEYWORD_FIELDS, ...IP_FIELDS, ...LONG_FIELDS];

/**
 * Characters that break escaping in one target or another (Lucene syntax, wildcard and regex
 * operators, YAML, JSON), and the Unicode letters whose case folding differs between
 * Elasticsearch's `case_insensitive` (ASCII only), Lucene's regexp folding and JavaScript's.
 */
export const SPECIAL_CHARS = ['*', '?', '\\', '"', ':', '/', '(', ')', '[', ']', '{', '}', '<', '>', '~', '@', '&', '#', '|', ' ', '\n', '\t', '\r', '+', '-', '=', '!', '^', '%', ',', "'", '.', '$'];
export const FOLD_CHARS = ['ß', 'ẞ', 'İ', 'ı', 'i', 'I', 'ǅ', 'Ǆ', 'ǆ', '\u212a', 'k', 'K', 'ς', 'σ', 'Σ', 'ſ', 's', 'S', 'ａ', 'Ａ', 'é', 'É', '😀', 'ﬀ'];
const PLAIN_CHARS = ['a', 'b', 'c', 'A', 'B', 'C', 'x', 'X', 'e', 'E', '0', '1', '9', '_'];

const charArb = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...PLAIN_CHARS) },
  { weight: 3, arbitrary: fc.constantFrom(...SPECIAL_CHARS) },
  { weight: 3, arbitrary: fc.constantFrom(...FOLD_CHARS) },
);

/** Plain text (no Sigma escaping applied yet). */
export const textArb = fc.array(charArb, { minLength: 0, maxLength: 6 }).map((xs) => xs.join(''));
const nonEmptyTextArb = fc.array(charArb, { minLength: 1, maxLength: 6 }).map((xs) => xs.join(''));

/** Sigma string escaping: `*`, `?` and `\` are escaped; a `\` before anything else may stay lone (pySigma keeps it). */
function sigmaEscape(text: string, loneBackslash: boolean): string {
  let out = '';
  const cs = Array.from(text);
  cs.forEach((c, i) => {
    if (c === '*' || c === '?') out += `\\${c}`;
    else if (c === '\\') {
      const next = cs[i + 1];
      out += loneBackslash && next !== undefined && next !== '*' && next !== '?' && next !== '\\' ? '\\' : '\\\\';
    } else out += c;
  });
  return out;
}

/** A Sigma string value: literal runs (escaped) and `*`/`?` wildcards. */
export const sigmaStringArb: fc.Arbitrary<string> = fc
  .tuple(
    fc.array(
      fc.oneof(
        { weight: 4, arbitrary: fc.tuple(nonEmptyTextArb, fc.boolean()).map(([t, lone]) => sigmaEscape(t, lone)) },
        { weight: 1, arbitrary: fc.constantFrom('*', '?') },
      ),
      { minLength: 0, maxLength: 4 },
    ),
    fc.constantFrom('', '', '', '', '\\'),
  )
  .map(([xs, tail]) => xs.join('') + (xs.length && !xs[xs.length - 1].endsWith('\\') ? tail : ''));

const literalArb = fc.tuple(nonEmptyTextArb, fc.boolean()).map(([t, lone]) => sigmaEscape(t, lone));

// Regexes in the supported dialect (docs/regex.md), with the characters Lucene treats as operators.
const REGEX_ATOMS = ['a', 'b', 'A', 'K', 'k', 'ß', 'ſ', '\u212a', 'Σ', 'σ', 'ς', 'İ', 'ı', 'ǅ', 'ａ', '😀', '.', '\\.', '\\n', '@', '&', '<', '>', '#', '~', '"', '-', '\\\\',
  '/', ':', ' ', '\\d', '\\w', '\\s', '\\S', '\\W', '\\D', '[a-c]', '[^a]', '[a-zA-Z]', '[\\w.-]', '[^\\n]', '[k-s]', '[\\]x]', '[ -/]', '[\\s\\d]', '\\*', '\\?', '\\(', '\\[', '\\{', '\\|', '\\+', '\\$', '\\^'];

export const regexArb: fc.Arbitrary<string> = fc
  .letrec<{ node: string; seq: string; alt: string }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'xsmall', withCrossShrink: true },
      fc.constantFrom(...REGEX_ATOMS),
      fc.tuple(tie('alt'), fc.constantFrom('(', '(?:', '(?P<n>')).map(([a, g]) => `${g}${a})`),
      fc
        .tuple(tie('node'), fc.constantFrom('*', '+', '?', '{2}', '{1,3}', '{0,2}', '{2,}', '*?', '+?', '{,2}'))
        .map(([n, q]) => (/[*+?}]$/.test(n) ? `(?:${n})${q}` : n + q)),
    ),
    seq: fc.array(tie('node'), { minLength: 0, maxLength: 3 }).map((xs) => xs.join('')),
    alt: fc.array(tie('seq'), { minLength: 1, maxLength: 2 }).map((xs) => xs.join('|')),
  }))
  .alt.chain((body) =>
    fc
      .tuple(fc.constantFrom('', '', '', '^', '\\A', '(?:^|x)', '(?i)', '(?s)', '(?m)^'), fc.constantFrom('', '', '', '$', '\\Z', '$', '(?:$|y)'))
      .map(([s, e]) => {
        const flagGroup = s.startsWith('(?') && !s.startsWith('(?:') ? s.slice(0, 4) : '';
        const anchor = s.slice(flagGroup.length);
        return flagGroup + anchor + (anchor || e ? `(?:${body})` : body) + e;
      }),
  );

const v4Arb = fc.oneof(
  fc.constantFrom('10.0.0.0', '10.1.2.3', '192.168.1.0', '172.16.0.0', '0.0.0.0', '255.255.255.255', '127.0.0.1', '100.64.0.1'),
  fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.')),
);
const v6Arb = fc.constantFrom('fe80::', '::', '2001:db8::', '::ffff:0:0', 'ff02::1', '2001:db8:0:1::', '::1', 'fe80::abcd');
/** Lowest prefix length that keeps no host bits set in each IPv6 base above (Sigma networks must be network addresses). */
const V6_MIN_PREFIX: Record<string, number> = { 'fe80::': 10, '::': 0, '2001:db8::': 29, '::ffff:0:0': 96, 'ff02::1': 128, '2001:db8:0:1::': 64, '::1': 128, 'fe80::abcd': 128 };

function v4Network(addr: string, len: number): string {
  const n = addr.split('.').reduce((a, o) => a * 256 + Number(o), 0);
  const size = 2 ** (32 - len);
  const base = Math.floor(n / size) * size;
  return `${[24, 16, 8, 0].map((s) => Math.floor(base / 2 ** s) % 256).join('.')}/${len}`;
}

export const cidrArb = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(v4Arb, fc.integer({ min: 0, max: 32 })).map(([a, p]) => v4Network(a, p)) },
  { weight: 2, arbitrary: fc.tuple(v6Arb, fc.integer({ min: 0, max: 128 })).map(([a, p]) => `${a}/${Math.max(p, V6_MIN_PREFIX[a])}`) },
  // Host bits set: rejected by the builder (INVALID_CIDR), kept rare so the rejection path stays covered.
  { weight: 1, arbitrary: fc.constantFrom('10.1.2.3/8', 'fe80::1/10') },
);
export const addressArb = fc.oneof(v4Arb, v6Arb, fc.constantFrom('::ffff:10.0.0.1', 'FE80::1', '0:0:0:0:0:0:0:1'));

const NUMBERS = [-1, 0, 1, 4, 5, 99, 100, 1024, 4688, 65535, 4.5, -0.5, 2 ** 53];
const numberArb = fc.oneof(fc.constantFrom(...NUMBERS), fc.integer({ min: -5, max: 200 }));

export type RuleValue = string | number | boolean | null;
export interface RuleItem {
  key: string;
  value: RuleValue | RuleValue[];
}

const one = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | T[]> =>
  fc.oneof({ weight: 3, arbitrary: a }, { weight: 1, arbitrary: fc.array(a, { minLength: 1, maxLength: 3 }) });

function key(field: string, mods: string[]): string {
  return [field, ...mods].join('|');
}

const keywordField = fc.constantFrom(...KEYWORD_FIELDS);
const anyField = fc.constantFrom(...ALL_FIELDS);
const tail = fc.subarray(['cased', 'windash', 'neq'], { minLength: 0, maxLength: 2 });

/** Plain string matching on keyword fields: every position modifier, `cased`, `windash`, `all`, `neq`. */
const stringItem: fc.Arbitrary<RuleItem> = fc
  .tuple(keywordField, fc.constantFrom('', 'contains', 'startswith', 'endswith'), tail, fc.array(sigmaStringArb, { minLength: 1, maxLength: 3 }), fc.boolean(), fc.boolean())
  .map(([f, pos, extra, values, all, order]) => {
    const mods = [...(pos ? [pos] : []), ...extra];
    if (order) mods.reverse();
    if (all && values.length > 1) mods.push('all');
    return { key: key(f, mods), value: values.length === 1 ? values[0] : values };
  });

/** Encodings: base64/base64offset, optionally over wide/utf16 bytes, then a position (pySigma's usual chains). */
const encodedItem: fc.Arbitrary<RuleItem> = fc
  .tuple(
    keywordField,
    fc.constantFrom(['base64'], ['base64', 'contains'], ['base64offset', 'contains'], ['wide', 'base64offset', 'contains'], ['utf16le', 'base64'],
      ['utf16be', 'base64offset', 'contains'], ['utf16', 'base64offset', 'contains'], ['wide', 'base64'], ['base64', 'startswith'], ['base64', 'endswith']),
    one(literalArb),
  )
  .map(([f, mods, value]) => ({ key: key(f, [...mods]), value }));

const regexItem: fc.Arbitrary<RuleItem> = fc
  .tuple(keywordField, fc.subarray(['i', 'm', 's', 'ignorecase', 'multiline', 'dotall']), fc.constantFrom([], [], ['neq']), one(regexArb), fc.boolean())
  .map(([f, flags, neg, value, all]) => ({ key: key(f, ['re', ...flags, ...neg, ...(all && Array.isArray(value) && value.length > 1 ? ['all'] : [])]), value }));

const cidrItem: fc.Arbitrary<RuleItem> = fc
  .tuple(fc.constantFrom('SourceIp', 'IpAddress'), one(cidrArb), fc.constantFrom([], [], ['neq']))
  .map(([f, value, neg]) => ({ key: key(f, ['cidr', ...neg]), value }));

const existsItem: fc.Arbitrary<RuleItem> = fc.tuple(anyField, fc.boolean()).map(([f, b]) => ({ key: `${f}|exists`, value: b }));
const nullItem: fc.Arbitrary<RuleItem> = anyField.map((f) => ({ key: f, value: null }));

/** Numbers on numeric fields: equality (as YAML numbers and as strings) and comparisons. */
const numericItem: fc.Arbitrary<RuleItem> = fc.oneof(
  fc.tuple(fc.constantFrom(...LONG_FIELDS), one(numberArb)).map(([f, value]) => ({ key: f, value })),
  fc.tuple(fc.constantFrom(...LONG_FIELDS), one(fc.oneof(numberArb.map(String), fc.constantFrom('4.0', '04', '1e2', '+4', ' 4', 'abc', '0x10', '-0'))))
    .map(([f, value]) => ({ key: f, value })),
  fc.tuple(fc.constantFrom(...LONG_FIELDS), fc.constantFrom('gt', 'gte', 'lt', 'lte'), numberArb, fc.constantFrom([], ['neq']))
    .map(([f, op, value, neg]) => ({ key: key(f, [op, ...neg]), value })),
);

/** Numbers and booleans on keyword fields: matched as the text JSON writes them. */
const scalarOnKeyword: fc.Arbitrary<RuleItem> = fc
  .tuple(fc.constantFrom('EventID', 'User', 'CommandLine'), one(fc.oneof(numberArb, fc.boolean())))
  .map(([f, value]) => ({ key: f, value }));

/** Strings on the ip field: whole addresses, IPv4 text prefixes, `*`, and text no address contains. */
const ipStringItem: fc.Arbitrary<RuleItem> = fc
  .tuple(fc.constantFrom(...IP_FIELDS), one(fc.oneof(addressArb, fc.constantFrom('10.*', '192.168.1*', '1*', '*', '10.0.0.*', 'abc', '*-*', '172.16.*', 'fe80::*'))))
  .map(([f, value]) => ({ key: f, value }));

export const itemArb: fc.Arbitrary<RuleItem> = fc.oneof(
  { weight: 10, arbitrary: stringItem },
  { weight: 2, arbitrary: encodedItem },
  { weight: 3, arbitrary: regexItem },
  { weight: 2, arbitrary: cidrItem },
  { weight: 2, arbitrary: existsItem },
  { weight: 1, arbitrary: nullItem },
  { weight: 3, arbitrary: numericItem },
  { weight: 1, arbitrary: scalarOnKeyword },
  { weight: 1, arbitrary: ipStringItem },
);

export type Selection =
  | { t: 'map'; items: RuleItem[] }
  | { t: 'list'; maps: RuleItem[][] }
  | { t: 'keywords'; values: string[] };

const mapArb = fc.uniqueArray(itemArb, { minLength: 1, maxLength: 2, selector: (i) => i.key });
export const selectionArb: fc.Arbitrary<Selection> = fc.oneof(
  { weight: 6, arbitrary: mapArb.map((items): Selection => ({ t: 'map', items })) },
  { weight: 2, arbitrary: fc.array(mapArb, { minLength: 2, maxLength: 3 }).map((maps): Selection => ({ t: 'list', maps })) },
  { weight: 1, arbitrary: fc.array(sigmaStringArb, { minLength: 1, maxLength: 3 }).map((values): Selection => ({ t: 'keywords', values })) },
);

/** A condition as a tree, so the shrinker can replace any node by one of its operands. */
export type Cond =
  | { t: 'id'; name: string }
  | { t: 'of'; text: string }
  | { t: 'not'; x: Cond }
  | { t: 'bin'; op: 'and' | 'or'; a: Cond; b: Cond };

export function conditionText(c: Cond, top = true): string {
  switch (c.t) {
    case 'id':
      return c.name;
    case 'of':
      return c.text;
    case 'not':
      return `not ${conditionText(c.x, false)}`;
    case 'bin': {
      const s = `${conditionText(c.a, false)} ${c.op} ${conditionText(c.b, false)}`;
      return top ? s : `(${s})`;
    }
  }
}

export interface GenRule {
  title: string;
  id: string;
  /** Identifier -> selection; names chosen so that `1 of sel*` / `all of filter*` select subsets. */
  detection: Record<string, Selection>;
  condition: Cond;
}

const NAMES = ['sel1', 'sel2', 'filter1', 'sel3', 'filter2'];

/** Conditions over the identifiers: and/or/not, parentheses, `1 of`/`all of` with patterns and `them`. */
function conditionArb(names: string[]): fc.Arbitrary<Cond> {
  const leaf = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...names).map((name): Cond => ({ t: 'id', name })) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('1 of sel*', 'all of sel*', '1 of filter*', 'all of filter*', '1 of them', 'all of them')
        .filter((text) => /them/.test(text) || names.some((n) => n.startsWith(text.split(' ')[2].replace('*', ''))))
        .map((text): Cond => ({ t: 'of', text })),
    },
  );
  const { expr } = fc.letrec<{ expr: Cond }>((tie) => ({
    expr: fc.oneof(
      { depthSize: 'xsmall', withCrossShrink: true },
      leaf,
      fc.tuple(tie('expr'), fc.constantFrom('and' as const, 'or' as const), tie('expr')).map(([a, op, b]): Cond => ({ t: 'bin', op, a, b })),
      tie('expr').map((x): Cond => ({ t: 'not', x })),
    ),
  }));
  return expr;
}

export const ruleArb: fc.Arbitrary<GenRule> = fc
  .constantFrom(1, 1, 2, 2, 3, 4)
  .chain((n) => {
    const names = NAMES.slice(0, n);
    return fc.tuple(fc.tuple(...names.map(() => selectionArb)), conditionArb(names)).map(([sels, condition]) => {
      const detection: Record<string, Selection> = {};
      names.forEach((nm, i) => (detection[nm] = sels[i]));
      return { title: 'generated', id: '', detection, condition };
    });
  });

function itemsObject(items: RuleItem[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const it of items) o[it.key] = it.value;
  return o;
}

/** The Sigma document (a plain object) for a generated rule. */
export function ruleDocument(r: GenRule): Record<string, unknown> {
  const detection: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(r.detection)) {
    detection[name] = s.t === 'map' ? itemsObject(s.items) : s.t === 'list' ? s.maps.map(itemsObject) : s.values;
  }
  detection.condition = conditionText(r.condition);
  return {
    title: r.title,
    id: r.id,
    status: 'test',
    logsource: { product: 'windows', category: 'process_creation' },
    detection,
    level: 'low',
  };
}

export function ruleYaml(r: GenRule): string {
  return jsyaml.dump(ruleDocument(r), { lineWidth: -1, noRefs: true, quotingType: '"' });
}
