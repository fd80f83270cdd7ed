/**
 * The one way the rest of sigma-es gets a real search engine: `ensureEngine` for the
 * harness and tests, `startEngine`/`stopEngine`/`engineStatus` for the CLI.
 *
 * Providers:
 * - `embedded` (default): a real Elasticsearch or OpenSearch from Maven Central, as a child process;
 * - `docker`: the official image through testcontainers, when a Docker runtime exists;
 * - `url`: an existing cluster (`--url` or `ES_URL`), optionally with API key, basic auth and a CA file.
 */
import { SigmaEsError } from '../errors';
import { EngineClient, credentialsFromUrl, stripCredentials, type EngineAuth, type Flavour } from './client';
import { startDocker } from './docker';
import {
  isAlive,
  ownsProcess,
  readStates,
  startEmbedded,
  stopEmbedded,
  stopProcessGroup,
  type EngineState,
  type StartOptions,
} from './embedded';

export * from './client';
export { readState, readStates, logTail, DEFAULT_HEAP, ES_USER, type EngineState } from './embedded';
export { cacheDir, readManifest, type Manifest } from './paths';
export { DOCKER_IMAGES } from './docker';

export type Provider = 'embedded' | 'docker' | 'url';
export const FLAVOURS: readonly Flavour[] = ['elasticsearch', 'opensearch'];

export interface Engine {
  readonly provider: Provider;
  readonly flavour: Flavour;
  readonly version: string;
  /** Base URL, never with credentials. */
  readonly url: string;
  readonly client: EngineClient;
  /** True when `stop()` really stops the engine (this process started or adopted it). */
  readonly owned: boolean;
  /** Embedded engines: process-group leader and console log. */
  readonly pid?: number;
  readonly log?: string;
  /** Stops the engine if owned; otherwise only forgets it. Safe to call twice. */
  stop(): Promise<void>;
}

export interface EnsureOptions {
  flavour?: Flavour;
  /** Default: `url` when a URL is given or set in the environment, else `embedded`. */
  provider?: Provider;
  url?: string;
  auth?: EngineAuth;
  caFile?: string;
  /** Embedded only. */
  port?: number;
  heap?: string;
  timeoutMs?: number;
  provision?: boolean;
  onProgress?: (line: string) => void;
}

/**
 * Environment variables naming an existing cluster. Each flavour has its own so that a test
 * run can point at an external ES and still get an embedded OpenSearch.
 */
export function envUrl(flavour: Flavour): string | undefined {
  const vars = flavour === 'elasticsearch' ? ['SIGMA_ES_URL', 'ES_URL'] : ['SIGMA_ES_OPENSEARCH_URL', 'OPENSEARCH_URL'];
  for (const v of vars) if (process.env[v]) return process.env[v];
  return undefined;
}

/** Auth from the environment: ES_API_KEY, or ES_USERNAME + ES_PASSWORD; CA from ES_CA_FILE. */
export function envAuth(): { auth?: EngineAuth; caFile?: string } {
  const e = process.env;
  const auth: EngineAuth | undefined = e.ES_API_KEY
    ? { apiKey: e.ES_API_KEY }
    : e.ES_USERNAME
      ? { username: e.ES_USERNAME, password: e.ES_PASSWORD ?? '' }
      : undefined;
  return { auth, caFile: e.ES_CA_FILE || undefined };
}

/** Connects to an existing cluster and checks it answers. */
export async function connectUrl(opts: { url: string; auth?: EngineAuth; caFile?: string; flavour?: Flavour }): Promise<Engine> {
  const auth = opts.auth ?? credentialsFromUrl(opts.url);
  const client = new EngineClient({ url: opts.url, auth, caFile: opts.caFile });
  const id = await client.identify();
  if (opts.flavour && id.flavour !== opts.flavour) {
    throw new SigmaEsError('ENGINE_CONFIG_INVALID', `${client.url} is ${id.flavour} ${id.version}, not ${opts.flavour}`);
  }
  return {
    provider: 'url',
    flavour: id.flavour,
    version: id.version,
    url: stripCredentials(opts.url),
    client,
    owned: false,
    stop: async () => {},
  };
}

function embeddedEngine(state: EngineState, owned: boolean): Engine {
  let stopped = false;
  return {
    provider: 'embedded',
    flavour: state.flavour,
    version: state.version,
    url: state.url,
    client: new EngineClient({ url: state.url }),
    owned,
    pid: state.pid,
    log: state.log,
    stop: async () => {
      if (stopped || !owned) return;
      stopped = true;
      await stopEmbedded(state);
    },
  };
}

async function answers(state: EngineState): Promise<boolean> {
  try {
    const h = await new EngineClient({ url: state.url, timeoutMs: 5000 }).health();
    return h.status === 'yellow' || h.status === 'green';
  } catch {
    return false;
  }
}

/** Whether the process that started an engine for itself is gone (a killed test run). */
function orphaned(state: EngineState): boolean {
  return state.owner === 'process' && (state.ownerPid === undefined || !isAlive(state.ownerPid)) && !ownsProcess(state.pid);
}

/**
 * A healthy embedded engine that may be reused: one started by `sigma-es engine start`, one
 * this process started, or an orphan. Engines owned by another live test run are not shared,
 * because that run will stop them when it ends.
 */
export async function runningEmbedded(flavour: Flavour): Promise<EngineState | undefined> {
  const candidates = readStates(flavour).filter((s) => s.owner === 'cli' || ownsProcess(s.pid) || orphaned(s));
  candidates.sort((a, b) => Number(b.owner === 'cli') - Number(a.owner === 'cli'));
  for (const s of candidates) if (await answers(s)) return s;
  return undefined;
}

/** Starts an engine with the given provider (`url` only connects). */
export async function startEngine(opts: EnsureOptions & { owner?: 'cli' | 'process' } = {}): Promise<Engine> {
  const flavour = opts.flavour ?? 'elasticsearch';
  const provider = opts.provider ?? 'embedded';
  if (provider === 'url') {
    const url = opts.url ?? envUrl(flavour);
    if (!url) throw new SigmaEsError('ENGINE_CONFIG_INVALID', `no URL given: pass --url or set ${flavour === 'elasticsearch' ? 'ES_URL' : 'OPENSEARCH_URL'}`);
    const env = envAuth();
    return connectUrl({ url, auth: opts.auth ?? env.auth, caFile: opts.caFile ?? env.caFile, flavour: opts.flavour });
  }
  if (provider === 'docker') {
    const d = await startDocker(flavour);
    const client = new EngineClient({ url: d.url });
    const id = await client.identify();
    let stopped = false;
    return {
      provider: 'docker',
      flavour,
      version: id.version,
      url: d.url,
      client,
      owned: true,
      stop: async () => {
        if (stopped) return;
        stopped = true;
        await d.stop();
      },
    };
  }
  const startOpts: StartOptions = {
    port: opts.port,
    heap: opts.heap,
    timeoutMs: opts.timeoutMs,
    owner: opts.owner ?? 'process',
    provision: opts.provision,
    onProgress: opts.onProgress,
  };
  const state = await startEmbedded(flavour, startOpts);
  return embeddedEngine(state, startOpts.owner === 'process');
}

/**
 * An engine to run queries on, reusing what already exists:
 * 1. a URL from `opts.url` or the environment (`SIGMA_ES_URL`/`ES_URL` for Elasticsearch,
 *    `SIGMA_ES_OPENSEARCH_URL`/`OPENSEARCH_URL` for OpenSearch);
 * 2. an embedded engine recorded in the state file (started by `sigma-es engine start` or by
 *    another test run), which is left running;
 * 3. otherwise a new engine from `opts.provider` (default embedded), which the caller owns
 *    and must `stop()`; it is also stopped if this process exits first.
 */
export async function ensureEngine(opts: EnsureOptions = {}): Promise<Engine> {
  const flavour = opts.flavour ?? 'elasticsearch';
  const url = opts.url ?? (opts.provider === undefined || opts.provider === 'url' ? envUrl(flavour) : undefined);
  if (url || opts.provider === 'url') return startEngine({ ...opts, flavour, provider: 'url', url });
  if ((opts.provider ?? 'embedded') === 'embedded') {
    const state = await runningEmbedded(flavour);
    if (state) {
      // An engine whose owning process died (killed test run) is adopted, so it gets stopped.
      // One this process already started stays with its first handle: a second caller's
      // stop() must not pull it from under the first (the exit hook still covers it).
      return embeddedEngine(state, orphaned(state));
    }
  }
  return startEngine({ ...opts, flavour, owner: 'process' });
}

/**
 * Stops embedded engines of a flavour: those started by `engine start` and orphans of killed
 * test runs; with `all`, also engines that live test runs own. Returns what was stopped.
 */
export async function stopEngine(flavour: Flavour, opts: { all?: boolean } = {}): Promise<EngineState[]> {
  const stopped: EngineState[] = [];
  for (const s of readStates(flavour)) {
    if (!opts.all && s.owner !== 'cli' && !orphaned(s)) continue;
    await stopEmbedded(s);
    stopped.push(s);
  }
  return stopped;
}

export interface EngineStatus {
  flavour: Flavour;
  running: boolean;
  healthy: boolean;
  url?: string;
  version?: string;
  pid?: number;
  port?: number;
  owner?: 'cli' | 'process';
  ownerPid?: number;
  log?: string;
  health?: string;
  startedAt?: string;
}

/** Every running instance of a flavour (an empty list when none). */
export async function engineStatuses(flavour: Flavour): Promise<EngineStatus[]> {
  const out: EngineStatus[] = [];
  for (const s of readStates(flavour)) {
    let health: string;
    try {
      health = (await new EngineClient({ url: s.url, timeoutMs: 5000 }).health()).status;
    } catch {
      health = 'unreachable';
    }
    out.push({
      flavour,
      running: true,
      healthy: health === 'yellow' || health === 'green',
      url: s.url,
      version: s.version,
      pid: s.pid,
      port: s.port,
      owner: s.owner,
      ...(s.ownerPid !== undefined ? { ownerPid: s.ownerPid } : {}),
      log: s.log,
      health,
      startedAt: s.startedAt,
    });
  }
  return out;
}

/** The instance `engine start` would reuse, or `running: false`. */
export async function engineStatus(flavour: Flavour): Promise<EngineStatus> {
  const all = await engineStatuses(flavour);
  return all.find((s) => s.owner === 'cli' && s.healthy) ?? all.find((s) => s.healthy) ?? all[0] ?? { flavour, running: false, healthy: false };
}

export { stopProcessGroup };
