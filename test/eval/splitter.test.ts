/**
 * RecordSplitter on long records: the same records and line numbers whatever the chunking,
 * and each character searched once (the splitter used to append every chunk to one buffer
 * and search it again from its start, quadratic in a record's length).
 */
import { strict as assert } from 'node:assert';
import { RecordSplitter, type EventRecord } from '../../src/eval/json';

function split(text: string, chunk: number): EventRecord[] {
  const s = new RecordSplitter();
  const out: EventRecord[] = [];
  for (let i = 0; i < text.length; i += chunk) out.push(...s.push(text.slice(i, i + chunk)));
  out.push(...s.end());
  return out;
}

const summary = (rs: EventRecord[]) =>
  rs.map((r) => ('error' in r ? { index: r.index, line: r.line, error: r.error } : { index: r.index, line: r.line, keys: Object.keys(r.event), len: r.text.length }));

/** Characters String.prototype.indexOf searched while `f` ran (the splitter finds newlines with it). */
function indexOfWork(f: () => void): number {
  const orig = String.prototype.indexOf;
  let work = 0;
  String.prototype.indexOf = function (this: string, search: string, from?: number): number {
    const r = orig.call(this, search, from);
    work += (r < 0 ? this.length : r + search.length) - Math.max(0, from ?? 0);
    return r;
  };
  try {
    f();
  } finally {
    String.prototype.indexOf = orig;
  }
  return work;
}

describe('RecordSplitter on long records', () => {
  const long = 'x'.repeat(3_000_000);
  const first = JSON.stringify({ CommandLine: long, Image: 'C:\\a.exe' });
  const short = JSON.stringify({ Image: 'C:\\b.exe' });
  const inputs: Record<string, string> = {
    'NDJSON, long first line': `${first}\n${short}\n\n${short}`,
    'NDJSON, long later line': `${short}\r\n${first}\r\n${short}\n`,
    'JSON array': `\n[\n${first},\n ${short}\n]\n`,
    'pretty-printed objects': `{\n "a": 1\n}\n${first}\n{"s": "}\\"{"}\n`,
    'unterminated': `${short}\n${first.slice(0, -1)}`,
    'unclosed array': `[${first}, ${short}`,
  };
  for (const [name, text] of Object.entries(inputs)) {
    it(`${name}: the same records and lines in chunks of 64 KiB, 1 MiB, 999,983 characters and whole`, () => {
      const whole = summary(split(text, text.length));
      assert.ok(whole.length >= 2);
      assert.ok(whole.some((r) => 'len' in r && r.len >= long.length) || name.startsWith('un'));
      for (const chunk of [65_536, 1 << 20, 999_983]) {
        assert.deepEqual(summary(split(text, chunk)), whole, `chunk ${chunk}`);
      }
    });
  }

  it('line numbers count every line, blank ones included, across records', () => {
    const rs = split(`${short}\n\n${first}\n${short}`, 65_536);
    assert.deepEqual(rs.map((r) => r.line), [1, 3, 4]);
    const arr = split(`[\n${short},\n\n${first},\n${short}]`, 65_536);
    assert.deepEqual(arr.map((r) => r.line), [2, 4, 5]);
  });

  it('searches each character for newlines a bounded number of times, however long the record', () => {
    for (const text of [`${first}\n${short}\n`, `${short}\n${first}\n${short}\n`]) {
      const work = indexOfWork(() => split(text, 65_536));
      assert.ok(work <= 3 * text.length, `${work} characters searched for ${text.length} of input`);
    }
  });
});
