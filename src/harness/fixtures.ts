/**
 * Fixture sets: labelled events with the verdict each rule must give (format: docs/fixtures.md).
 * The harness seeds a set's events into one index and compares engine, evaluator and labels.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as jsyaml from 'js-yaml';
import { SigmaEsError } from '../errors';
import { getProfile, profileNames, type MappingProfile } from '../mapping/profile';

export type Verdict = 'match' | 'nomatch';

export interface FixtureCase {
  id: string;
  /** Verdict for every rule of the set, or per rule id. */
  expect: Verdict | Record<string, Verdict>;
  /** What the original (non-Sigma) query returns, when the set documents a port. */
  kql?: Verdict;
  reason: string;
  event: Record<string, unknown>;
}

/** A correlation alert a fixture expects: the rule, the window start and the group. */
export interface ExpectedAlert {
  rule: string;
  /** Window start (ISO 8601). */
  window: string;
  group: Record<string, string>;
}

export interface FixtureSet {
  file: string;
  name: string;
  description: string;
  profile: MappingProfile;
  pipelines: string[];
  /** Rule files, resolved against the fixture file's folder. */
  rules: string[];
  cases: FixtureCase[];
  /** Every correlation alert the set's correlation rules must raise, no more, no fewer (optional). */
  alerts?: ExpectedAlert[];
}

const FIXTURE_RE = /\.fixture\.ya?ml$/;

export function findFixtureFiles(paths: string[]): string[] {
  const out: string[] = [];
  const walk = (p: string): void => {
    const st = fs.statSync(p, { throwIfNoEntry: false });
    if (!st) throw new SigmaEsError('FILE_NOT_FOUND', `no such fixture file or folder: ${p}`, { file: p });
    if (st.isDirectory()) for (const n of fs.readdirSync(p).sort()) walk(path.join(p, n));
    else if (FIXTURE_RE.test(p) || paths.includes(p)) out.push(p);
  };
  paths.forEach(walk);
  return out;
}

function isVerdict(v: unknown): v is Verdict {
  return v === 'match' || v === 'nomatch';
}

export function loadFixtureSet(file: string): FixtureSet {
  const fail = (msg: string): never => {
    throw new SigmaEsError('FIXTURE_INVALID', msg, { file });
  };
  let raw: unknown;
  try {
    raw = jsyaml.load(fs.readFileSync(file, 'utf8'), { schema: jsyaml.CORE_SCHEMA, filename: file });
  } catch (e) {
    if (e instanceof jsyaml.YAMLException) {
      throw new SigmaEsError('YAML_SYNTAX', `invalid YAML: ${e.reason}`, { file, line: (e.mark?.line ?? 0) + 1, column: (e.mark?.column ?? 0) + 1 });
    }
    throw new SigmaEsError('FILE_UNREADABLE', `cannot read fixture: ${(e as Error).message}`, { file });
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return fail('a fixture file must be a map with name, profile, rules and cases');
  const r = raw as Record<string, unknown>;
  if (typeof r.name !== 'string' || r.name === '') fail("'name' must be a non-empty string");
  const profile = typeof r.profile === 'string' ? getProfile(r.profile) : undefined;
  if (!profile) fail(`'profile' must be one of ${profileNames().join(', ')}`);
  const pipelines = r.pipelines ?? [];
  if (!Array.isArray(pipelines) || !pipelines.every((p) => typeof p === 'string')) fail("'pipelines' must be a list of pipeline names or files");
  if (!Array.isArray(r.rules) || r.rules.length === 0 || !r.rules.every((x) => typeof x === 'string')) fail("'rules' must list rule files");
  if (!Array.isArray(r.cases) || r.cases.length === 0) fail("'cases' must be a non-empty list");
  const dir = path.dirname(file);
  const ids = new Set<string>();
  const cases = (r.cases as unknown[]).map((c, i): FixtureCase => {
    const where = `case ${i + 1}`;
    if (!c || typeof c !== 'object' || Array.isArray(c)) return fail(`${where} must be a map with id, expect, reason and event`);
    const cc = c as Record<string, unknown>;
    if (typeof cc.id !== 'string' || cc.id === '') fail(`${where} needs a string 'id'`);
    if (ids.has(cc.id as string)) fail(`${where}: id '${cc.id}' is used twice`);
    ids.add(cc.id as string);
    const expect = cc.expect;
    const okExpect = isVerdict(expect) || (expect !== null && typeof expect === 'object' && !Array.isArray(expect) && Object.values(expect).every(isVerdict));
    if (!okExpect) fail(`${where} (${cc.id}): 'expect' must be match, nomatch, or a map of rule id to match/nomatch`);
    if (cc.kql !== undefined && !isVerdict(cc.kql)) fail(`${where} (${cc.id}): 'kql' must be match or nomatch`);
    if (typeof cc.reason !== 'string' || cc.reason === '') fail(`${where} (${cc.id}): every case needs a one-line 'reason'`);
    if (!cc.event || typeof cc.event !== 'object' || Array.isArray(cc.event)) fail(`${where} (${cc.id}): 'event' must be a JSON object`);
    if ('_id' in (cc.event as object)) fail(`${where} (${cc.id}): the event must not carry '_id'; the case id is its document id`);
    return { id: cc.id as string, expect: expect as FixtureCase['expect'], kql: cc.kql as Verdict | undefined, reason: cc.reason as string, event: cc.event as Record<string, unknown> };
  });
  let alerts: ExpectedAlert[] | undefined;
  if (r.alerts !== undefined) {
    if (!Array.isArray(r.alerts)) fail("'alerts' must be a list of {rule, window, group}");
    alerts = (r.alerts as unknown[]).map((a, i) => {
      const aa = a as Record<string, unknown>;
      const okGroup = aa && typeof aa.group === 'object' && aa.group !== null && Object.values(aa.group).every((v) => typeof v === 'string');
      if (!aa || typeof aa.rule !== 'string' || typeof aa.window !== 'string' || Number.isNaN(Date.parse(aa.window)) || !okGroup) {
        fail(`alert ${i + 1} needs 'rule' (id), 'window' (ISO time) and 'group' (field: value strings)`);
      }
      return { rule: aa.rule as string, window: new Date(aa.window as string).toISOString(), group: aa.group as Record<string, string> };
    });
  }
  return {
    alerts,
    file,
    name: r.name as string,
    description: typeof r.description === 'string' ? r.description : '',
    profile: profile!,
    pipelines: pipelines as string[],
    rules: (r.rules as string[]).map((p) => path.resolve(dir, p)),
    cases,
  };
}

/** The verdict a case expects from one rule (by id, else the set-wide verdict). */
export function expectedVerdict(c: FixtureCase, ruleId: string | undefined): Verdict | undefined {
  if (typeof c.expect === 'string') return c.expect;
  return ruleId ? c.expect[ruleId] : undefined;
}
