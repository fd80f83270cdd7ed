import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { SigmaEsError } from '../../src/errors';
import { EngineClient, readStates, stopProcessGroup, type Flavour } from '../../src/engine';
import { getProfile, indexBody, profileNames } from '../../src/mapping/profile';
import { useEngine } from './hooks';

const EVENTS = [
  { Image: 'C:\\Windows\\System32\\wbem\\WMIC.exe', CommandLine: 'wmic /node:host process call create calc', EventID: 1 },
  { Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'cmd /c whoami', EventID: 1 },
  { Image: 'c:\\windows\\system32\\wbem\\wmic.EXE', CommandLine: 'WMIC os get caption', EventID: 1 },
  { Image: 'C:\\Tools\\notwmic.exe.bak', EventID: 3, SourceIp: '10.1.2.3' },
];

for (const flavour of ['elasticsearch', 'opensearch'] as Flavour[]) {
  describe(`engine: embedded ${flavour}`, function () {
    const engine = useEngine(flavour);
    const index = `sigma-es-engine-test-${process.pid}`;

    after(async function () {
      try {
        await engine().client.deleteIndex(index);
        for (const p of profileNames()) await engine().client.deleteIndex(`${index}-${p}`);
      } catch {
        // no engine: nothing to clean
      }
    });

    it('is healthy (yellow or green) and reports its flavour and version', async () => {
      const e = engine();
      const h = await e.client.health('yellow', 10);
      assert.ok(h.status === 'yellow' || h.status === 'green', `health ${h.status}`);
      const id = await e.client.identify();
      assert.equal(id.flavour, flavour);
      assert.match(id.version, /^\d+\.\d+\.\d+/);
      assert.equal(e.flavour, flavour);
    });

    it('accepts the index body of every mapping profile', async () => {
      for (const name of profileNames()) {
        const idx = `${index}-${name}`;
        await engine().client.deleteIndex(idx);
        await engine().client.createIndex(idx, indexBody(getProfile(name)!));
        assert.ok(await engine().client.indexExists(idx));
      }
    });

    it('bulk-loads events and finds them case-insensitively with term/wildcard', async () => {
      const c = engine().client;
      await c.deleteIndex(index);
      await c.createIndex(index, indexBody(getProfile('sysmon')!));
      const r = await c.bulk(index, EVENTS, { ids: EVENTS.map((_, i) => `e${i}`) });
      assert.deepEqual(r.errors, []);
      assert.equal(r.indexed, EVENTS.length);
      assert.equal(await c.count(index), EVENTS.length);

      const term = await c.searchIds(index, { term: { Image: { value: 'C:\\WINDOWS\\SYSTEM32\\WBEM\\WMIC.EXE', case_insensitive: true } } });
      assert.deepEqual(term.sort(), ['e0', 'e2']);
      const wildcard = await c.searchIds(index, { wildcard: { Image: { value: '*\\\\wmic.exe', case_insensitive: true } } });
      assert.deepEqual(wildcard.sort(), ['e0', 'e2']);
      // Unbound (keyword) search goes through the copy_to catch-all field.
      const kw = await c.searchIds(index, { wildcard: { sigma_keywords: { value: '*whoami*', case_insensitive: true } } });
      assert.deepEqual(kw, ['e1']);
      const cidr = await c.searchIds(index, { term: { SourceIp: '10.0.0.0/8' } });
      assert.deepEqual(cidr, ['e3']);
    });

    it('reports rejected documents per item instead of failing the whole bulk', async () => {
      const c = engine().client;
      const r = await c.bulk(index, [{ ProcessId: 'not a number' }, { Image: 'ok.exe' }], { ids: ['bad', 'good'] });
      assert.equal(r.indexed, 1);
      assert.equal(r.errors.length, 1);
      assert.equal(r.errors[0].index, 0);
      assert.equal(r.errors[0].id, 'bad');
      assert.match(r.errors[0].type, /parsing_exception/);
    });

    it('runs _msearch with per-item errors', async () => {
      const res = await engine().client.msearch([
        { index, body: { query: { term: { EventID: '3' } } } },
        { index: 'sigma-es-no-such-index', body: { query: { match_all: {} } } },
      ]);
      assert.equal(res.length, 2);
      assert.ok(res[0].ok && res[0].response.hits.hits.map((h) => h._id).includes('e3'));
      assert.ok(!res[1].ok && res[1].type === 'index_not_found_exception');
    });

    it('throws ENGINE_QUERY_FAILED with the engine reason for a bad query', async () => {
      await assert.rejects(
        () => engine().client.search(index, { query: { no_such_query: {} } }),
        (e: unknown) => e instanceof SigmaEsError && e.code === 'ENGINE_QUERY_FAILED' && /no_such_query/.test(e.message),
      );
    });

    it('has no EQL or ES|QL endpoint (integ-test distribution / OpenSearch)', async () => {
      const c = engine().client;
      assert.equal(await c.supports('eql'), false);
      assert.equal(await c.supports('esql'), false);
      await assert.rejects(() => c.eql(index, { query: 'any where true' }), (e: unknown) => e instanceof SigmaEsError && e.code === 'ENGINE_QUERY_FAILED');
    });

    it('records itself in the state file when embedded', () => {
      const e = engine();
      if (e.provider !== 'embedded') return;
      const s = readStates(flavour).find((st) => st.pid === e.pid);
      assert.ok(s, 'state file written');
      assert.equal(s.url, e.url);
    });
  });
}

describe('engine: client and lifecycle without an engine', () => {
  it('fails with ENGINE_UNREACHABLE and no credentials in the message', async () => {
    const c = new EngineClient({ url: 'http://user:s3cret@127.0.0.1:1', timeoutMs: 2000 });
    await assert.rejects(
      () => c.health(),
      (e: unknown) => e instanceof SigmaEsError && e.code === 'ENGINE_UNREACHABLE' && !e.message.includes('s3cret'),
    );
  });

  it('stopProcessGroup ends every process of a group', async () => {
    const child = spawn('bash', ['-c', 'sleep 60 & sleep 60 & wait'], { detached: true, stdio: 'ignore' });
    const pid = child.pid!;
    await new Promise((r) => setTimeout(r, 200));
    await stopProcessGroup(pid, 5000);
    assert.throws(() => process.kill(-pid, 0), /ESRCH/);
  });
});
