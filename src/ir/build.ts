/**
 * Rule model + pipeline -> IR. This is where every modifier takes effect and every
 * expansion is done; nothing downstream interprets Sigma again.
 */
import { SigmaEsError } from '../errors';
import type { ConditionAst } from '../sigma/condition';
import { selectIdentifiers } from '../sigma/condition';
import type { Detection, DetectionGroup, DetectionItem, SigmaFilter, SigmaRule } from '../sigma/model';
import { MODIFIERS, base64, base64offset, utf16, windash } from '../sigma/modifiers';
import { addWildcards, hasWildcards, mapLiterals, normalizePattern, parseSigmaString, patternText } from '../sigma/strings';
import { parseCidr } from './ip';
import { parseSigmaRegex, renderLuceneRegex } from './regex';
import { luceneDeterminizeEffort } from './regex/lucene-cost';
import type { CompareOp, IrNode, IrRule, Leaf, LeafOrigin, PatternPart, TimePart } from './types';

/** What the IR builder needs from the applied pipelines (see src/pipeline). */
export interface FieldResolver {
  conditions: Array<{ field: string; values: Array<string | number> }>;
  mapField(field: string): string[];
  placeholder(name: string): string[] | undefined;
  /** Why an item on this Sigma field (and value) cannot be translated exactly under the pipeline. */
  fieldError?(field: string, value?: string | number | boolean | null): string | undefined;
  /** The value after the pipeline's value rewrites (e.g. ecs_windows `Initiated: true` -> `egress`). */
  mapValue?(field: string, value: string | number | boolean | null): string | number | boolean | null;
}

export const IDENTITY_RESOLVER: FieldResolver = {
  conditions: [],
  mapField: (f) => [f],
  placeholder: () => undefined,
};

export interface BuildOptions {
  /**
   * `check` validates a rule as Sigma without a pipeline: an `expand` placeholder the
   * pipeline would supply is not an error there.
   */
  allowUnresolvedPlaceholders?: boolean;
}

export function and(children: IrNode[]): IrNode {
  // one pass, no closures: the builder calls this for every group and item of a corpus
  const flat: IrNode[] = [];
  for (const c of children) {
    if (c.kind === 'and') {
      for (const g of c.children) {
        if (g.kind === 'const' && !g.value) return { kind: 'const', value: false };
        flat.push(g);
      }
    } else if (c.kind === 'const') {
      if (!c.value) return { kind: 'const', value: false };
    } else flat.push(c);
  }
  if (flat.length === 0) return { kind: 'const', value: true };
  return flat.length === 1 ? flat[0] : { kind: 'and', children: flat };
}

export function or(children: IrNode[]): IrNode {
  const flat: IrNode[] = [];
  for (const c of children) {
    if (c.kind === 'or') {
      for (const g of c.children) {
        if (g.kind === 'const' && g.value) return { kind: 'const', value: true };
        flat.push(g);
      }
    } else if (c.kind === 'const') {
      if (c.value) return { kind: 'const', value: true };
    } else flat.push(c);
  }
  if (flat.length === 0) return { kind: 'const', value: false };
  return flat.length === 1 ? flat[0] : { kind: 'or', children: flat };
}

export function not(child: IrNode): IrNode {
  if (child.kind === 'not') return child.child;
  if (child.kind === 'const') return { kind: 'const', value: !child.value };
  return { kind: 'not', child };
}

const REGEX_FLAG: Record<string, 'i' | 'm' | 's'> = { i: 'i', ignorecase: 'i', m: 'm', multiline: 'm', s: 's', dotall: 's' };

interface Alternative {
  parts: PatternPart[];
  /** Made of bytes by wide/utf16: later base64 encodes the bytes, not their UTF-8. */
  bytes: boolean;
}

function invalid(code: string, message: string): never {
  throw new SigmaEsError(code, message);
}

/** Chains already found valid (with or without a field): a corpus uses a few dozen. */
const validChains = new Set<string>();

/** Validate the chain's order and combinations, as the spec and pySigma define them. */
function checkChain(mods: string[], field: string | null): void {
  const key = `${field === null ? '-' : '+'}${mods.join('|')}`;
  if (validChains.has(key)) return;
  checkChainOnce(mods, field);
  validChains.add(key);
}

function checkChainOnce(mods: string[], field: string | null): void {
  const kinds = mods.map((m) => MODIFIERS[m]);
  const has = (m: string): boolean => mods.includes(m);
  const typeMods = mods.filter((m) => MODIFIERS[m] === 'type');
  if (typeMods.length > 1) invalid('INVALID_MODIFIER_CHAIN', `'${typeMods.join("' and '")}' cannot be combined`);
  for (const m of ['re', 'cidr', 'exists']) {
    if (has(m) && mods[0] !== m) invalid('INVALID_MODIFIER_CHAIN', `'${m}' must be the first modifier`);
  }
  if (has('exists')) {
    if (mods.length > 1) invalid('INVALID_MODIFIER_CHAIN', "'exists' takes no other modifiers");
    if (field === null) invalid('INVALID_MODIFIER_CHAIN', "'exists' needs a field name");
  }
  if (kinds.includes('regexflag') && !has('re')) {
    invalid('INVALID_MODIFIER_CHAIN', `'${mods.find((m) => MODIFIERS[m] === 'regexflag')}' is a flag of 're' and needs it`);
  }
  if (has('re')) {
    const bad = mods.slice(1).filter((m) => !['regexflag', 'linking', 'negate'].includes(MODIFIERS[m]));
    if (bad.length) {
      invalid(
        'INVALID_MODIFIER_CHAIN',
        `'${bad[0]}' cannot follow 're' (a Sigma regex is already an unanchored search; anchor with ^ and $ or add flags i, m, s)`,
      );
    }
  }
  if (has('cidr')) {
    const bad = mods.slice(1).filter((m) => !['linking', 'negate'].includes(MODIFIERS[m]));
    if (bad.length) invalid('INVALID_MODIFIER_CHAIN', `'${bad[0]}' cannot follow 'cidr'`);
  }
  const compareIdx = mods.findIndex((m) => MODIFIERS[m] === 'compare');
  const compares = mods.filter((m) => MODIFIERS[m] === 'compare');
  if (compares.length > 1) invalid('INVALID_MODIFIER_CHAIN', `only one of gt, gte, lt, lte may be used, got '${compares.join("' and '")}'`);
  const timeparts = mods.filter((m) => MODIFIERS[m] === 'timepart');
  if (timeparts.length > 1) invalid('INVALID_MODIFIER_CHAIN', `only one time-part modifier may be used, got '${timeparts.join("' and '")}'`);
  if (compareIdx >= 0 || timeparts.length) {
    const bad = mods.filter((m) => !['compare', 'timepart', 'linking', 'negate'].includes(MODIFIERS[m]));
    if (bad.length) invalid('INVALID_MODIFIER_CHAIN', `'${bad[0]}' cannot be combined with '${[...timeparts, ...compares][0]}'`);
    if (timeparts.length && compareIdx >= 0 && mods.indexOf(timeparts[0]) > compareIdx) {
      invalid('INVALID_MODIFIER_CHAIN', `the time-part modifier '${timeparts[0]}' must come before '${compares[0]}'`);
    }
  }
  if (has('fieldref')) {
    if (mods[0] !== 'fieldref') invalid('INVALID_MODIFIER_CHAIN', "'fieldref' must be the first modifier");
    const bad = mods.slice(1).filter((m) => !['position', 'linking', 'negate', 'case'].includes(MODIFIERS[m]));
    if (bad.length) invalid('INVALID_MODIFIER_CHAIN', `'${bad[0]}' cannot follow 'fieldref'`);
    if (field === null) invalid('INVALID_MODIFIER_CHAIN', "'fieldref' needs a field name");
  }
  const positions = mods.filter((m) => MODIFIERS[m] === 'position');
  if (positions.length > 1) invalid('INVALID_MODIFIER_CHAIN', `'${positions.join("' and '")}' cannot be combined`);
  for (const m of ['all', 'neq', 'cased', 'windash', 'expand']) {
    if (mods.filter((x) => x === m).length > 1) invalid('INVALID_MODIFIER_CHAIN', `'${m}' is given twice`);
  }
  if ((has('cidr') || compareIdx >= 0 || timeparts.length || has('fieldref')) && field === null) {
    invalid('INVALID_MODIFIER_CHAIN', `'${mods[0]}' needs a field name`);
  }
}

/** What a modifier chain says, worked out once per detection item rather than per value. */
interface ChainFacts {
  /** The modifiers other than linking (`all`) and negation (`neq`). */
  stringMods: string[];
  compare?: CompareOp;
  timepart?: TimePart;
}

function chainFacts(mods: string[]): ChainFacts {
  return {
    stringMods: mods.filter((m) => MODIFIERS[m] !== 'linking' && MODIFIERS[m] !== 'negate'),
    compare: mods.find((m) => MODIFIERS[m] === 'compare') as CompareOp | undefined,
    timepart: mods.find((m) => MODIFIERS[m] === 'timepart') as TimePart | undefined,
  };
}

class RuleBuilder {
  private readonly fieldCache = new Map<string, string[]>();

  constructor(
    private readonly resolver: FieldResolver,
    private readonly options: BuildOptions,
  ) {}

  private mapField(field: string): string[] {
    let m = this.fieldCache.get(field);
    if (!m) {
      m = this.resolver.mapField(field);
      if (m.length === 0) m = [field];
      this.fieldCache.set(field, m);
    }
    return m;
  }

  /** One leaf per mapped field (a one-to-many mapping ORs the fields). */
  private perField(field: string | null, make: (f: string | null) => Leaf): IrNode {
    if (field === null) return make(null);
    const fields = this.mapField(field);
    // most fields map to one: no array, no `or`
    return fields.length === 1 ? make(fields[0]) : or(fields.map((f) => make(f)));
  }

  private resolvePlaceholders(alt: Alternative): Alternative[] {
    // `%name%` inside literal text; `\%` stands for a plain percent sign.
    let results: PatternPart[][] = [[]];
    for (const p of alt.parts) {
      if (p.t !== 'lit') {
        results = results.map((r) => [...r, p]);
        continue;
      }
      const re = /\\%|%([^%\\]+)%/g;
      let last = 0;
      let m: RegExpExecArray | null;
      const segments: Array<PatternPart[][]> = [];
      while ((m = re.exec(p.v)) !== null) {
        segments.push([[{ t: 'lit', v: p.v.slice(last, m.index) }]]);
        if (m[0] === '\\%') segments.push([[{ t: 'lit', v: '%' }]]);
        else {
          const values = this.resolver.placeholder(m[1]);
          if (values === undefined || values.length === 0) {
            if (this.options.allowUnresolvedPlaceholders) segments.push([[{ t: 'lit', v: m[0] }]]);
            else
              invalid(
                'UNRESOLVED_PLACEHOLDER',
                `placeholder '%${m[1]}%' has no values: give them in a pipeline's vars or a placeholder file (-p file.yml)`,
              );
          } else segments.push(values.map((v) => parseSigmaString(v)));
        }
        last = m.index + m[0].length;
      }
      segments.push([[{ t: 'lit', v: p.v.slice(last) }]]);
      for (const seg of segments) {
        const next: PatternPart[][] = [];
        for (const r of results) for (const s of seg) next.push([...r, ...s]);
        results = next;
      }
    }
    return results.map((parts) => ({ parts: normalizePattern(parts), bytes: alt.bytes }));
  }

  buildItem(item: DetectionItem): IrNode {
    const mods = item.modifiers;
    checkChain(mods, item.field);
    const origin = (value: unknown): LeafOrigin => ({
      identifier: item.identifier,
      sigmaField: item.field,
      modifiers: mods,
      value: value === null ? 'null' : String(value),
    });
    const field = item.field;
    const linkAll = mods.includes('all');
    const negate = mods.includes('neq');

    if (mods.includes('exists')) {
      const reason = field !== null ? this.resolver.fieldError?.(field) : undefined;
      if (reason) invalid('PIPELINE_UNSUPPORTED', `field '${field}': ${reason}`);
      if (item.values.length !== 1 || typeof item.values[0] !== 'boolean') {
        invalid('INVALID_VALUE', "'exists' takes exactly one value, true or false");
      }
      const node = this.perField(field, (f) => ({ kind: 'exists', field: f!, origin: origin(item.values[0]) }));
      return item.values[0] ? node : not(node);
    }
    // pySigma tolerates null inside a list (the spec does not); it reads as "or the field is missing".
    const chain = chainFacts(mods);
    const nodes = item.values.map((v) => this.buildValue(item, chain, v, origin(v)));
    let node = linkAll ? and(nodes) : or(nodes);
    if (negate) node = not(node);
    return node;
  }

  private buildValue(item: DetectionItem, chain: ChainFacts, written: string | number | boolean | null, origin: LeafOrigin): IrNode {
    const mods = item.modifiers;
    const field = item.field;
    let value = written;
    if (field !== null) {
      const reason = this.resolver.fieldError?.(field, written);
      if (reason) invalid('PIPELINE_UNSUPPORTED', `field '${field}': ${reason}`);
      if (this.resolver.mapValue) value = this.resolver.mapValue(field, written);
    }
    const { stringMods, compare, timepart } = chain;

    if (value === null) {
      if (stringMods.length) invalid('INVALID_VALUE', `null cannot be used with '${stringMods[0]}'`);
      if (field === null) invalid('INVALID_VALUE', 'a keyword cannot be null');
      return not(this.perField(field, (f) => ({ kind: 'exists', field: f!, origin })));
    }

    if (mods[0] === 're') {
      if (typeof value !== 'string') invalid('INVALID_VALUE', "'re' needs a string value");
      const flags = { i: false, m: false, s: false };
      for (const m of mods) if (REGEX_FLAG[m]) flags[REGEX_FLAG[m]] = true;
      const ast = parseSigmaRegex(value, flags);
      // Decided here so the translator and the evaluator refuse the same rules: Elasticsearch
      // rejects at query time a regexp whose automaton is too costly to determinize.
      let rendered: { pattern: string; caseInsensitive: boolean } | null = null;
      try { rendered = renderLuceneRegex(ast, flags); } catch { /* the backend reports render failures */ }
      if (rendered && luceneDeterminizeEffort(rendered.pattern, rendered.caseInsensitive, 10000).exceeds) {
        invalid('REGEX_UNSUPPORTED', `regex /${value}/ needs more than 10,000 determinization effort in Lucene (max_determinized_states, the limit of the Elasticsearch regexp query), Elasticsearch would refuse the query; simplify the regex (bounded repeats after a wildcard multiply states)`);
      }
      return this.perField(field, (f) => ({ kind: 'regex', field: f, source: value, ast, flags: { ...flags }, origin }));
    }
    if (mods[0] === 'cidr') {
      if (typeof value !== 'string') invalid('INVALID_VALUE', "'cidr' needs a network such as 10.0.0.0/8");
      const net = parseCidr(value);
      if (typeof net === 'string') invalid('INVALID_CIDR', net);
      return this.perField(field, (f) => ({ kind: 'cidr', field: f!, cidr: net.text, version: net.version, origin }));
    }
    if (compare || timepart) {
      if (typeof value !== 'number') invalid('INVALID_VALUE', `'${compare ?? timepart}' needs a number, got '${String(value)}'`);
      if (timepart) return this.perField(field, (f) => ({ kind: 'timepart', field: f!, part: timepart, op: compare ?? 'eq', value, origin }));
      return this.perField(field, (f) => ({ kind: 'compare', field: f!, op: compare!, value, origin }));
    }
    if (mods[0] === 'fieldref') {
      if (typeof value !== 'string' || value === '') invalid('INVALID_VALUE', "'fieldref' needs the name of another field");
      if (hasWildcards(parseSigmaString(value))) invalid('INVALID_VALUE', "'fieldref' takes a field name, not a pattern");
      const position = mods.find((m) => MODIFIERS[m] === 'position') as 'contains' | 'startswith' | 'endswith' | undefined;
      const refs = this.mapField(value);
      return or(
        refs.map((ref) =>
          this.perField(field, (f) => ({ kind: 'fieldref', field: f!, ref, mode: position ?? 'eq', caseSensitive: mods.includes('cased'), origin })),
        ),
      );
    }

    if (typeof value !== 'string' && stringMods.length === 0) {
      return this.perField(field, (f) => ({ kind: 'scalar', field: f, value, origin }));
    }

    // A string value (numbers and booleans under string modifiers are read as their text).
    let alts: Alternative[] = [{ parts: normalizePattern(parseSigmaString(String(value))), bytes: false }];
    let caseSensitive = false;
    for (const m of mods) {
      switch (m) {
        case 'contains':
        case 'startswith':
        case 'endswith':
          alts = alts.map((a) => ({ parts: addWildcards(a.parts, m !== 'startswith', m !== 'endswith'), bytes: a.bytes }));
          break;
        case 'cased':
          caseSensitive = true;
          break;
        case 'windash':
          alts = alts.flatMap((a) => windash(a.parts).map((parts) => ({ parts, bytes: a.bytes })));
          break;
        case 'expand':
          alts = alts.flatMap((a) => this.resolvePlaceholders(a));
          break;
        case 'wide':
        case 'utf16le':
        case 'utf16be':
        case 'utf16':
          alts = alts.map((a) => {
            if (a.bytes) invalid('INVALID_MODIFIER_CHAIN', `'${m}' cannot encode a value that is already encoded`);
            const variant = m === 'utf16be' ? 'be' : m === 'utf16' ? 'bom' : 'le';
            let first = true;
            const parts = mapLiterals(a.parts, (s) => {
              // The byte-order mark belongs only at the very start of the value.
              const bom = variant === 'bom' && first;
              first = false;
              return bom ? utf16(s, 'bom') : utf16(s, variant === 'bom' ? 'le' : variant);
            });
            return { parts, bytes: true };
          });
          break;
        case 'base64':
        case 'base64offset':
          caseSensitive = true;
          alts = alts.flatMap((a) => {
            if (hasWildcards(a.parts)) invalid('INVALID_VALUE', `'${m}' cannot encode wildcards; put 'contains' after it`);
            const text = patternText(a.parts);
            const encoded = m === 'base64' ? [base64(text, a.bytes)] : base64offset(text, a.bytes);
            return encoded.map((v) => ({ parts: normalizePattern([{ t: 'lit', v }]), bytes: false }));
          });
          break;
        default:
          break;
      }
    }
    if (alts.length === 1) {
      const parts = alts[0].parts;
      return this.perField(field, (f) => ({ kind: 'string', field: f, pattern: parts, caseSensitive, origin }));
    }
    const seen = new Set<string>();
    const leaves: IrNode[] = [];
    for (const a of alts) {
      const key = JSON.stringify(a.parts);
      if (seen.has(key)) continue;
      seen.add(key);
      leaves.push(this.perField(field, (f) => ({ kind: 'string', field: f, pattern: a.parts, caseSensitive, origin })));
    }
    return or(leaves);
  }

  buildGroup(g: DetectionGroup): IrNode {
    const children = g.items.map((it) => (it.t === 'item' ? this.wrapItem(it) : this.buildGroup(it)));
    return g.t === 'and' ? and(children) : or(children);
  }

  private wrapItem(item: DetectionItem): IrNode {
    try {
      return this.buildItem(item);
    } catch (e) {
      if (e instanceof SigmaEsError) {
        throw e.at({ item: item.key ? `${item.identifier}.${item.key}` : item.identifier, line: item.position?.line, column: item.position?.column });
      }
      throw e;
    }
  }

  /** Condition AST -> IR; `x of` selectors that name no identifier vanish as in pySigma (reported as warnings). */
  buildCondition(ast: ConditionAst, det: Detection, built: Map<string, IrNode>, warnings: string[]): IrNode | null {
    const names = [...det.identifiers.keys()];
    const get = (name: string): IrNode => {
      const n = built.get(name);
      if (!n) invalid('UNKNOWN_IDENTIFIER', `the condition names '${name}', which the detection does not define`);
      return n;
    };
    const walk = (a: ConditionAst): IrNode | null => {
      switch (a.t) {
        case 'id':
          return get(a.name);
        case 'not': {
          const x = walk(a.item);
          return x === null ? null : not(x);
        }
        case 'and':
        case 'or': {
          const xs = a.items.map(walk).filter((x): x is IrNode => x !== null);
          if (xs.length === 0) return null;
          return a.t === 'and' ? and(xs) : or(xs);
        }
        case 'of': {
          const sel = selectIdentifiers(a.pattern, names);
          if (sel.length === 0) {
            warnings.push(`'${a.quantifier === 'all' ? 'all' : '1'} of ${a.pattern}' selects no search identifier and is ignored`);
            return null;
          }
          const xs = sel.map(get);
          return a.quantifier === 'all' ? and(xs) : or(xs);
        }
      }
    };
    return walk(ast);
  }

  buildDetection(det: Detection, warnings: string[]): IrNode {
    const built = new Map<string, IrNode>();
    for (const [name, g] of det.identifiers) built.set(name, this.buildGroup(g));
    const conds = det.conditions.map((c, i) => {
      const n = this.buildCondition(c, det, built, warnings);
      if (n === null) invalid('CONDITION_SYNTAX', `condition '${det.conditionText[i]}' selects nothing`);
      return n;
    });
    return or(conds);
  }
}

function logsourceContains(filter: SigmaFilter['logsource'], rule: SigmaRule['meta']['logsource']): boolean {
  return (['category', 'product', 'service'] as const).every((k) => filter[k] === undefined || filter[k] === rule[k]);
}

export function filterApplies(filter: SigmaFilter, rule: SigmaRule): boolean {
  if (!logsourceContains(filter.logsource, rule.meta.logsource)) return false;
  if (filter.rules === 'any') return true;
  return filter.rules.some((r) => r === rule.meta.id || r === rule.meta.name);
}

export interface BuiltRule {
  rule: IrRule;
  warnings: string[];
}

export function buildRule(rule: SigmaRule, resolver: FieldResolver, filters: SigmaFilter[] = [], options: BuildOptions = {}): BuiltRule {
  const b = new RuleBuilder(resolver, options);
  const warnings: string[] = [];
  let query: IrNode;
  try {
    query = b.buildDetection(rule.detection, warnings);
  } catch (e) {
    if (e instanceof SigmaEsError) {
      const cpos = e.code === 'CONDITION_SYNTAX' || e.code === 'UNKNOWN_IDENTIFIER' ? rule.position : undefined;
      throw e.at({ file: rule.file, rule: rule.meta.id ?? rule.meta.title, line: cpos?.line, column: cpos?.column });
    }
    throw e;
  }
  // A filter is `rule and (filter condition)`: a filter that excludes says `not selection`.
  for (const f of filters) {
    if (!filterApplies(f, rule)) continue;
    try {
      query = and([query, b.buildDetection(f.detection, warnings)]);
    } catch (e) {
      if (e instanceof SigmaEsError) throw e.at({ file: f.file, rule: f.id ?? f.title });
      throw e;
    }
  }
  const conditions = resolver.conditions.map((c) =>
    or(
      c.values.map((v): IrNode => {
        const origin: LeafOrigin = { identifier: '(pipeline)', sigmaField: c.field, modifiers: [], value: String(v) };
        return typeof v === 'number'
          ? { kind: 'scalar', field: c.field, value: v, origin }
          : { kind: 'string', field: c.field, pattern: normalizePattern(parseSigmaString(v)), caseSensitive: false, origin };
      }),
    ),
  );
  const outputFields = rule.meta.fields.flatMap((f) => resolver.mapField(f));
  return {
    rule: { kind: 'rule', meta: rule.meta, file: rule.file, query: and([...conditions, query]), outputFields },
    warnings,
  };
}
