/**
 * The embedded engines: a real Elasticsearch distribution and an in-process OpenSearch node,
 * both provisioned from Maven Central by scripts/engine/provision.sh and run as child
 * processes of this machine.
 *
 * Each engine runs in its own process group (spawned detached), so stopping it signals the
 * whole group: Elasticsearch's launcher JVM and the server JVM it forks both go. A state
 * file records pid, port and owner so later CLI invocations and test runs reuse it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync, chownSync, readdirSync, lstatSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { SigmaEsError } from '../errors';
import { EngineClient, type Flavour } from './client';
import { cacheDir, provisionScript, readManifest, runDir, stateFile, stateFiles, type Manifest } from './paths';

/** Unprivileged account that runs Elasticsearch when we are root (it refuses to run as root). */
export const ES_USER = 'sigma-es';

/**
 * 1 GiB heap: test indices are small, but compiling SigmaHQ's large regexes (bounded repeats
 * such as `[^\\]{1,256}`) needs more than the request circuit breaker allows on 512 MiB (60 %
 * of the heap), and long fuzz campaigns ran out of memory there. ES, OpenSearch and the test
 * process still fit together on a CI machine. ES would otherwise size its heap from the
 * machine's memory (half of it, up to 31 GiB).
 */
export const DEFAULT_HEAP = '1g';

export interface EngineState {
  provider: 'embedded';
  flavour: Flavour;
  version: string;
  url: string;
  port: number;
  /** Process-group leader; the group is what gets signalled. */
  pid: number;
  /** Folder with data, logs and the console log of this instance. */
  home: string;
  log: string;
  startedAt: string;
  /** `cli`: started by `sigma-es engine start`, lives until `engine stop`. `process`: owned by `ownerPid`. */
  owner: 'cli' | 'process';
  ownerPid?: number;
}

export interface StartOptions {
  /** HTTP port; default: the first free port in 9200-9249 (ES) or 9250-9299 (OpenSearch). */
  port?: number;
  heap?: string;
  /** Time allowed from spawn to yellow health. */
  timeoutMs?: number;
  owner?: 'cli' | 'process';
  /** Run provision.sh when the engine is not provisioned yet (it can take a minute or two). */
  provision?: boolean;
  /** Called with progress lines meant for a person. */
  onProgress?: (line: string) => void;
}

const children = new Map<number, ChildProcess>();

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readStateFile(file: string): EngineState | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as EngineState;
  } catch {
    return undefined;
  }
}

/** Every recorded instance of a flavour, newest first; files of dead processes are removed. */
export function readStates(flavour: Flavour): EngineState[] {
  const out: EngineState[] = [];
  for (const f of stateFiles(flavour)) {
    const s = readStateFile(f);
    if (s && isAlive(s.pid)) out.push(s);
    else rmSync(f, { force: true });
  }
  return out.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

/** The instance to show or reuse: one started by `engine start` first, then the newest. */
export function readState(flavour: Flavour): EngineState | undefined {
  const all = readStates(flavour);
  return all.find((s) => s.owner === 'cli') ?? all[0];
}

export function writeState(state: EngineState): void {
  mkdirSync(runDir(), { recursive: true });
  writeFileSync(stateFile(state.flavour, state.pid), JSON.stringify(state, null, 2) + '\n');
}

export function clearState(flavour: Flavour, pid: number): void {
  rmSync(stateFile(flavour, pid), { force: true });
}

/** Last `lines` lines of a log file, for error messages. */
export function logTail(file: string, lines = 30): string {
  if (!existsSync(file)) return '(no log written)';
  const size = statSync(file).size;
  const len = Math.min(size, 64 * 1024);
  const buf = Buffer.alloc(len);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buf, 0, len, size - len);
  } finally {
    closeSync(fd);
  }
  return buf.toString('utf8').split('\n').slice(-lines - 1).join('\n').trimEnd();
}

function portFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const srv = createServer();
    srv.once('error', () => res(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => res(true)));
  });
}

/**
 * Port ranges, not single ports: the engine binds the first free one itself, so two test
 * runs starting at the same moment cannot both pick the same port. The bound port is read
 * back from the engine's log.
 */
const PORTS: Record<Flavour, { http: string; transport: string }> = {
  elasticsearch: { http: '9200-9249', transport: '9300-9349' },
  opensearch: { http: '9250-9299', transport: '9350-9399' },
};

/** The HTTP port the engine reports having bound, from its console log. */
function boundPort(flavour: Flavour, log: string): number | undefined {
  const text = logTail(log, 400);
  const m =
    flavour === 'elasticsearch'
      ? /HttpServerTransport\s*\][^\n]*publish_address \{[^}]*:(\d+)\}/.exec(text)
      : /ENGINE_READY http:\/\/[^\s]*:(\d+)/.exec(text);
  return m ? Number(m[1]) : undefined;
}

function provision(flavour: Flavour, onProgress?: (l: string) => void): Manifest {
  const script = provisionScript();
  if (!existsSync(script)) {
    throw new SigmaEsError('ENGINE_NOT_PROVISIONED', `the ${flavour} engine is not provisioned and ${script} is missing`);
  }
  onProgress?.(`provisioning ${flavour} from Maven Central (first time only; this can take a few minutes)…`);
  const r = spawnSync('bash', [script], {
    env: { ...process.env, SIGMA_ES_ONLY: flavour, SIGMA_ES_CACHE: cacheDir() },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 15 * 60_000,
  });
  const m = readManifest(flavour);
  if (r.status !== 0 || !m) {
    // eslint-disable-next-line no-control-regex
    const all = `${r.stdout ?? ''}${r.stderr ?? ''}`.replace(/\x1b\[[0-9;]*m/g, '').trim().split('\n');
    // Maven's own output is long; its first error and the script's own lines say what failed.
    const firstError = all.find((l) => l.startsWith('[ERROR]'));
    const ours = all.filter((l) => l.startsWith('provision:'));
    const out = (ours.length ? [...(firstError ? [firstError] : []), ...ours] : all.slice(-20)).join('\n');
    throw new SigmaEsError(
      'ENGINE_NOT_PROVISIONED',
      `provisioning ${flavour} failed (bash scripts/engine/provision.sh exited ${r.status ?? r.signal}); it needs Java, Maven and access to Maven Central:\n${out}`,
    );
  }
  return m;
}

function userIds(user: string): { uid: number; gid: number } | undefined {
  const r = spawnSync('id', ['-u', user], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  const g = spawnSync('id', ['-g', user], { encoding: 'utf8' });
  return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

function ensureUser(): { uid: number; gid: number } {
  let ids = userIds(ES_USER);
  if (!ids) {
    const r = spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', ES_USER], { encoding: 'utf8' });
    ids = userIds(ES_USER);
    if (!ids) {
      throw new SigmaEsError(
        'ENGINE_START_FAILED',
        `Elasticsearch refuses to run as root and the user '${ES_USER}' could not be created: ${(r.stderr || r.error?.message || '').trim()}`,
      );
    }
  }
  return ids;
}

function chownTree(path: string, uid: number, gid: number): void {
  const st = lstatSync(path);
  if (st.uid === uid && !st.isDirectory()) return;
  chownSync(path, uid, gid);
  if (st.isDirectory()) for (const e of readdirSync(path)) chownTree(join(path, e), uid, gid);
}

function traversableByOthers(path: string): boolean {
  for (let dir = path; ; dir = join(dir, '..')) {
    try {
      if ((statSync(dir).mode & 0o001) === 0) return false;
    } catch {
      return false;
    }
    if (dir === '/') return true;
  }
}

/**
 * Where Elasticsearch instance folders go. They must be reachable by the unprivileged user;
 * a checkout under /root is not, so root falls back to a world-traversable folder.
 */
function esRunBase(): string {
  mkdirSync(runDir(), { recursive: true });
  if (process.getuid?.() !== 0 || traversableByOthers(runDir())) return runDir();
  const base = '/var/tmp/sigma-es-engines/run';
  mkdirSync(base, { recursive: true, mode: 0o755 });
  return base;
}

/** Every parent folder must be enterable by the unprivileged user, or ES cannot read its own files. */
function checkTraversable(path: string): void {
  let dir = path;
  for (;;) {
    const parent = join(dir, '..');
    if (parent === dir) break;
    const mode = statSync(parent).mode;
    if ((mode & 0o001) === 0) {
      throw new SigmaEsError(
        'ENGINE_START_FAILED',
        `Elasticsearch runs as '${ES_USER}', which cannot enter ${parent}; set SIGMA_ES_CACHE to a folder outside it (e.g. /var/tmp/sigma-es-engines) and provision again`,
      );
    }
    dir = parent;
  }
}

interface Launch {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

function elasticsearchLaunch(m: Manifest, home: string, port: string, transportPort: string, heap: string): Launch {
  const esHome = m.home!;
  const args = [
    join(esHome, 'bin', 'elasticsearch'),
    '-E', `http.port=${port}`,
    '-E', `transport.port=${transportPort}`,
    '-E', `path.data=${join(home, 'data')}`,
    '-E', `path.logs=${join(home, 'logs')}`,
  ];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ES_JAVA_HOME: m.javaHome,
    ES_JAVA_OPTS: `-Xms${heap} -Xmx${heap}`,
    HOME: home,
  };
  delete env.JAVA_HOME;
  if (process.getuid?.() === 0) {
    const { uid, gid } = ensureUser();
    checkTraversable(esHome);
    // ES writes its keystore into config/ and temp files next to itself on first start.
    if (statSync(esHome).uid !== uid) chownTree(esHome, uid, gid);
    chownTree(home, uid, gid);
    // setpriv execs in place (no extra process), so the group leader is the ES launcher itself.
    return { command: 'setpriv', args: [`--reuid=${uid}`, `--regid=${gid}`, '--init-groups', '--', ...args], env };
  }
  return { command: args[0], args: args.slice(1), env };
}

function opensearchLaunch(m: Manifest, home: string, port: string, transportPort: string, heap: string): Launch {
  const cp = `${m.classes}:${readFileSync(m.classpathFile!, 'utf8').trim()}`;
  return {
    command: join(m.javaHome, 'bin', 'java'),
    args: [
      `-Xms${heap}`,
      `-Xmx${heap}`,
      // The same JVM flags the OpenSearch distribution sets, minus the ones for its own launcher.
      '-XX:+UseG1GC',
      '-Dio.netty.allocator.numDirectArenas=0',
      '-Dlog4j2.formatMsgNoLookups=true',
      '-Djava.io.tmpdir=' + join(home, 'tmp'),
      '-cp',
      cp,
      'sigmaes.engine.EmbeddedOpenSearch',
      home,
      port,
      transportPort,
    ],
    env: { ...process.env },
  };
}

/**
 * Starts an embedded engine and waits for yellow health. Throws ENGINE_NOT_PROVISIONED or
 * ENGINE_START_FAILED (with the tail of the engine's log).
 */
export async function startEmbedded(flavour: Flavour, opts: StartOptions = {}): Promise<EngineState> {
  let manifest = readManifest(flavour);
  if (!manifest) {
    if (opts.provision === false) {
      throw new SigmaEsError('ENGINE_NOT_PROVISIONED', `the ${flavour} engine is not provisioned: run 'bash scripts/engine/provision.sh' first`);
    }
    manifest = provision(flavour, opts.onProgress);
  }
  const heap = opts.heap ?? DEFAULT_HEAP;
  if (opts.port !== undefined && !(await portFree(opts.port))) {
    throw new SigmaEsError('ENGINE_START_FAILED', `port ${opts.port} is already in use on 127.0.0.1`);
  }
  const httpPorts = opts.port !== undefined ? String(opts.port) : PORTS[flavour].http;
  const transportPorts = PORTS[flavour].transport;
  // A folder of its own per start, so concurrent runs never share a data path (node lock).
  mkdirSync(runDir(), { recursive: true });
  pruneHomes();
  const home = mkdtempSync(join(flavour === 'elasticsearch' ? esRunBase() : runDir(), `${flavour}-`));
  for (const d of ['data', 'logs', 'tmp']) mkdirSync(join(home, d), { recursive: true });
  const log = join(home, 'console.log');

  const launch =
    flavour === 'elasticsearch'
      ? elasticsearchLaunch(manifest, home, httpPorts, transportPorts, heap)
      : opensearchLaunch(manifest, home, httpPorts, transportPorts, heap);
  const out = openSync(log, 'a');
  let child: ChildProcess;
  try {
    child = spawn(launch.command, launch.args, { env: launch.env, cwd: home, detached: true, stdio: ['ignore', out, out] });
  } finally {
    closeSync(out);
  }
  const spawnError = new Promise<Error>((res) => child.once('error', res));
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  child.once('exit', (code, signal) => (exited = { code, signal }));
  if (child.pid === undefined) {
    const e = await spawnError;
    throw new SigmaEsError('ENGINE_START_FAILED', `could not run ${launch.command}: ${e.message}`);
  }
  const pid = child.pid;
  const owner = opts.owner ?? 'process';
  if (owner === 'process') {
    children.set(pid, child);
    registerExitHook();
  } else {
    child.unref();
  }
  opts.onProgress?.(`starting ${flavour} ${manifest.version} (ports ${httpPorts}, log: ${log})`);

  const timeoutMs = opts.timeoutMs ?? 180_000;
  const deadline = Date.now() + timeoutMs;
  const failIfExited = () => {
    if (!exited) return;
    children.delete(pid);
    throw new SigmaEsError(
      'ENGINE_START_FAILED',
      `${flavour} exited during startup (${exited.code !== null ? `exit code ${exited.code}` : `signal ${exited.signal}`}); last lines of ${log}:\n${logTail(log)}`,
    );
  };
  const failIfLate = async (what: string) => {
    if (Date.now() <= deadline) return;
    await stopProcessGroup(pid);
    throw new SigmaEsError('ENGINE_START_FAILED', `${flavour} did not ${what} within ${Math.round(timeoutMs / 1000)} s; last lines of ${log}:\n${logTail(log)}`);
  };
  let port: number | undefined;
  while ((port = boundPort(flavour, log)) === undefined) {
    failIfExited();
    await failIfLate('bind its HTTP port');
    await sleep(250);
  }
  const url = `http://127.0.0.1:${port}`;
  const state: EngineState = {
    provider: 'embedded',
    flavour,
    version: manifest.version,
    url,
    port,
    pid,
    home,
    log,
    startedAt: new Date().toISOString(),
    owner,
    ...(owner === 'process' ? { ownerPid: process.pid } : {}),
  };
  // Recorded before it is healthy, so `engine stop` can find an engine that hangs in startup.
  writeState(state);

  const client = new EngineClient({ url, timeoutMs: 5000 });
  for (;;) {
    try {
      failIfExited();
      const h = await client.health();
      if (h.status === 'yellow' || h.status === 'green') break;
    } catch (e) {
      if (e instanceof SigmaEsError && e.code === 'ENGINE_START_FAILED') {
        clearState(flavour, pid);
        throw e;
      }
      // not answering yet
    }
    try {
      await failIfLate('reach yellow health');
    } catch (e) {
      clearState(flavour, pid);
      throw e;
    }
    await sleep(300);
  }
  try {
    const id = await client.identify();
    state.version = id.version;
  } catch {
    // the manifest's version is good enough
  }
  writeState(state);
  return state;
}

/** SIGTERM the group, wait for it to go (JVM shutdown hooks close the node), SIGKILL after `graceMs`. */
export async function stopProcessGroup(pid: number, graceMs = 30_000): Promise<void> {
  const child = children.get(pid);
  const leaderGone = () => !child || child.exitCode !== null || child.signalCode !== null;
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    // already gone
  }
  const deadline = Date.now() + graceMs;
  while ((!leaderGone() || groupAlive(pid)) && Date.now() < deadline) await sleep(100);
  if (!leaderGone() || groupAlive(pid)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // raced with its exit
    }
    const killDeadline = Date.now() + 5000;
    while ((!leaderGone() || groupAlive(pid)) && Date.now() < killDeadline) await sleep(100);
  }
  children.delete(pid);
}

export async function stopEmbedded(state: EngineState): Promise<void> {
  await stopProcessGroup(state.pid);
  clearState(state.flavour, state.pid);
  // Data of a test engine is disposable; the logs stay for post-mortems until pruned.
  rmSync(join(state.home, 'data'), { recursive: true, force: true });
  rmSync(join(state.home, 'tmp'), { recursive: true, force: true });
}

/** Removes run folders of engines that are gone, once they are a day old. */
export function pruneHomes(maxAgeMs = 24 * 3600_000): void {
  const live = new Set<string>();
  for (const f of ['elasticsearch', 'opensearch'] as Flavour[]) for (const s of readStates(f)) live.add(s.home);
  for (const base of [runDir(), '/var/tmp/sigma-es-engines/run']) if (existsSync(base)) pruneIn(base, live, maxAgeMs);
}

function pruneIn(base: string, live: Set<string>, maxAgeMs: number): void {
  for (const name of readdirSync(base)) {
    const dir = join(base, name);
    if (!/^(elasticsearch|opensearch)-/.test(name) || live.has(dir)) continue;
    try {
      if (Date.now() - statSync(dir).mtimeMs > maxAgeMs) rmSync(dir, { recursive: true, force: true });
    } catch {
      // another process pruned it
    }
  }
}

let exitHookRegistered = false;
function registerExitHook(): void {
  if (exitHookRegistered) return;
  exitHookRegistered = true;
  // If the owning process ends without stopping its engines (a crash, Ctrl-C in mocha), the
  // engines must not outlive it: 'exit' handlers run synchronously, so only a signal fits here.
  process.on('exit', () => {
    for (const pid of children.keys()) {
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        // gone
      }
    }
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Whether this process started (and so must stop) the engine with this pid. */
export function ownsProcess(pid: number): boolean {
  return children.has(pid);
}
