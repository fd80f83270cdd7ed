import { strict as assert } from 'node:assert';
import { base64offset, windash } from '../../src/sigma/modifiers';
import { parseSigmaString } from '../../src/sigma/strings';
import { compileYaml } from '../../src/compile';
import { SigmaEsError } from '../../src/errors';
import { query, ruleYaml, show } from './helpers';

const q = (item: string): string => show(query(`sel:\n  ${item}\ncondition: sel`));

function rejects(item: string, code: string, pattern?: RegExp): void {
  assert.throws(
    () => query(`sel:\n  ${item}\ncondition: sel`),
    (e: unknown) => {
      assert.ok(e instanceof SigmaEsError, `expected SigmaEsError, got ${String(e)}`);
      assert.equal(e.code, code, e.message);
      if (pattern) assert.match(e.message, pattern);
      assert.ok(e.location.item?.startsWith('sel.'), `item named: ${e.location.item}`);
      assert.ok(e.location.line, 'line given');
      return true;
    },
  );
}

describe('value modifiers', () => {
  it('contains / startswith / endswith', () => {
    assert.equal(q("f|contains: abc"), 'f~=*"abc"*');
    assert.equal(q("f|startswith: abc"), 'f~="abc"*');
    assert.equal(q("f|endswith: abc"), 'f~=*"abc"');
  });
  it('lists are OR, all makes them AND, neq negates the whole item', () => {
    assert.equal(q('f: [a, b]'), '(f~="a" OR f~="b")');
    assert.equal(q('f|contains|all: [a, b]'), '(f~=*"a"* AND f~=*"b"*)');
    assert.equal(q('f|neq: [a, b]'), 'NOT (f~="a" OR f~="b")');
    assert.equal(q('f|neq|all: [a, b]'), 'NOT (f~="a" AND f~="b")');
  });
  it('maps are AND', () => {
    assert.equal(show(query('sel:\n  a: 1\n  b: x\ncondition: sel')), '(a=1 AND b~="x")');
  });
  it('lists of maps are OR', () => {
    assert.equal(show(query('sel:\n  - a: 1\n  - b: x\ncondition: sel')), '(a=1 OR b~="x")');
  });
  it('cased makes a string case-sensitive', () => {
    assert.equal(q('f|cased: AbC'), 'f=="AbC"');
    assert.equal(q('f|contains|cased: AbC'), 'f==*"AbC"*');
  });
  it('numbers and booleans stay typed; under string modifiers they are text', () => {
    assert.equal(q('f: 4688'), 'f=4688');
    assert.equal(q('f: true'), 'f=true');
    assert.equal(q('f|contains: 46'), 'f~=*"46"*');
  });
  it('null and the empty list mean the field is missing', () => {
    assert.equal(q('f: null'), 'NOT exists(f)');
    assert.equal(q('f: []'), 'NOT exists(f)');
    assert.equal(q('f: [a, null]'), '(f~="a" OR NOT exists(f))');
  });
  it('exists', () => {
    assert.equal(q('f|exists: true'), 'exists(f)');
    assert.equal(q('f|exists: false'), 'NOT exists(f)');
    rejects('f|exists: yes-please', 'INVALID_VALUE');
    rejects('f|contains|exists: true', 'INVALID_MODIFIER_CHAIN', /first/);
  });
  it('base64 and base64offset are case-sensitive and byte-exact with pySigma', () => {
    assert.equal(q('f|base64: abc'), 'f=="YWJj"');
    assert.deepEqual(base64offset('IEX', false), ['SUVY', 'lFW', 'JRV']);
    assert.equal(q('f|base64offset|contains: IEX'), '(f==*"SUVY"* OR f==*"lFW"* OR f==*"JRV"*)');
    rejects("f|base64: 'a*'", 'INVALID_VALUE', /wildcards/);
  });
  it('wide / utf16le / utf16be / utf16', () => {
    assert.equal(q('f|wide: ab'), 'f~="a\\u0000b\\u0000"');
    assert.equal(q('f|utf16le: ab'), 'f~="a\\u0000b\\u0000"');
    assert.equal(q('f|utf16be: ab'), 'f~="\\u0000a\\u0000b"');
    assert.equal(q('f|utf16: ab'), 'f~="ÿþa\\u0000b\\u0000"');
    assert.equal(q('f|wide|base64offset|contains: ping'), '(f==*"cABpAG4AZw"* OR f==*"AAaQBuAGcA"* OR f==*"wAGkAbgBnA"*)');
  });
  it('windash expands each dash or slash before a word into five variants (pySigma regex \\B[-/]\\b)', () => {
    const alts = windash(parseSigmaString('-param-name')).map((p) => (p[0] as { v: string }).v);
    assert.deepEqual(alts, ['-param-name', '/param-name', '\u2013param-name', '\u2014param-name', '\u2015param-name']);
    assert.equal(windash(parseSigmaString(' -a /b')).length, 25);
    assert.equal(windash(parseSigmaString('a-b')).length, 1, 'a dash between word characters stays');
    assert.equal(q('f|windash|contains: -enc'), '(f~=*"-enc"* OR f~=*"/enc"* OR f~=*"–enc"* OR f~=*"—enc"* OR f~=*"―enc"*)');
  });
  it('windash under all stays an OR of its variants', () => {
    assert.equal(q('f|windash|contains|all: [-a, -b]').split(' AND ').length, 2);
  });
  it('cidr (IPv4 and IPv6), strictly', () => {
    assert.equal(q('f|cidr: 10.0.0.0/8'), 'f in 10.0.0.0/8');
    assert.equal(q('f|cidr: FE80::/10'), 'f in fe80::/10');
    rejects('f|cidr: 10.0.0.1/8', 'INVALID_CIDR', /host bits/);
    rejects('f|cidr: nonsense', 'INVALID_CIDR');
    rejects('f|contains|cidr: 10.0.0.0/8', 'INVALID_MODIFIER_CHAIN');
  });
  it('gt / gte / lt / lte need numbers', () => {
    assert.equal(q('f|gte: 22'), 'f gte 22');
    assert.equal(q('f|lt: 1.5'), 'f lt 1.5');
    rejects("f|gt: '5'", 'INVALID_VALUE', /number/);
    rejects('f|gt|lt: 5', 'INVALID_MODIFIER_CHAIN');
  });
  it('time parts, alone or with a comparison', () => {
    assert.equal(q('UtcTime|hour|gte: 22'), 'hour(UtcTime) gte 22');
    assert.equal(q('UtcTime|month: 12'), 'month(UtcTime) eq 12');
    rejects('UtcTime|gte|hour: 22', 'INVALID_MODIFIER_CHAIN', /before/);
  });
  it('fieldref, with position modifiers and cased', () => {
    assert.equal(q('a|fieldref: b'), 'a eq field(b)');
    assert.equal(q('a|fieldref|endswith: b'), 'a endswith field(b)');
    assert.equal(q('a|fieldref|cased: b'), 'a eq field(b) cased');
    rejects("a|fieldref: 'b*'", 'INVALID_VALUE');
  });
  it('expand resolves placeholders from the pipeline, and rejects unresolved ones', () => {
    rejects("f|expand: '%Admins%'", 'UNRESOLVED_PLACEHOLDER', /%Admins%/);
  });
  it('rejects unknown modifiers and bad chains with the item and line', () => {
    rejects('f|foo: x', 'UNKNOWN_MODIFIER');
    rejects('f|contains|startswith: x', 'INVALID_MODIFIER_CHAIN');
    rejects('f|i: x', 'INVALID_MODIFIER_CHAIN', /flag of 're'/);
    rejects('f|contains|contains: x', 'INVALID_MODIFIER_CHAIN');
  });
  it('keywords (unbound values) have no field', () => {
    assert.equal(show(query("kw:\n  - 'evil'\n  - 'bad*'\ncondition: kw")), '(<kw>~="evil" OR <kw>~="bad"*)');
    assert.equal(show(query("kw:\n  '|all':\n    - a\n    - b\ncondition: kw")), '(<kw>~="a" AND <kw>~="b")');
  });
  it('accepts the compiled YAML as a whole rule', () => {
    const docs = compileYaml(ruleYaml('sel:\n  f: x\ncondition: sel'));
    assert.equal(docs.length, 1);
  });
});
