/**
 * Engine-neutral HTTP client for Elasticsearch and OpenSearch.
 *
 * Plain JSON over fetch rather than @elastic/elasticsearch: that client refuses any server
 * that does not send `x-elastic-product: Elasticsearch` and sends ES-only vendored media
 * types, so it cannot talk to OpenSearch. Every call here works on both engines.
 *
 * Credentials live only in the request headers built here; they are never part of a URL,
 * an error message or anything this module returns.
 */
import { readFileSync } from 'node:fs';
import { SigmaEsError } from '../errors';

export type Flavour = 'elasticsearch' | 'opensearch';

export type EngineAuth =
  | { apiKey: string }
  | { username: string; password: string };

export interface ClientOptions {
  /** Base URL without credentials, e.g. `http://127.0.0.1:9200`. */
  url: string;
  auth?: EngineAuth;
  /** PEM file with the CA that signed the cluster's certificate (self-signed clusters). */
  caFile?: string;
  /** Per-request timeout; the default suits bulk loads of a few thousand small events. */
  timeoutMs?: number;
}

export interface EngineIdentity {
  flavour: Flavour;
  version: string;
  /** `build_flavor` on ES (`default`), `opensearch` on OpenSearch, when reported. */
  build?: string;
}

export interface BulkItemError {
  /** 0-based position of the document in the list passed to `bulk`. */
  index: number;
  id?: string;
  status: number;
  type: string;
  reason: string;
}

export interface BulkResult {
  took: number;
  indexed: number;
  errors: BulkItemError[];
}

export interface SearchHit<T = Record<string, unknown>> {
  _index: string;
  _id: string;
  _score: number | null;
  _source?: T;
  fields?: Record<string, unknown[]>;
}

export interface SearchResponse<T = Record<string, unknown>> {
  took: number;
  timed_out: boolean;
  hits: { total?: { value: number; relation: string } | number; hits: SearchHit<T>[] };
  aggregations?: Record<string, unknown>;
}

export interface MsearchRequest {
  index: string;
  body: Record<string, unknown>;
}

/** One `_msearch` answer: an item's failure does not fail the others. */
export type MsearchItem<T = Record<string, unknown>> =
  | { ok: true; response: SearchResponse<T> }
  | { ok: false; status: number; type: string; reason: string };

export interface EqlHit<T = Record<string, unknown>> {
  _index: string;
  _id: string;
  _source?: T;
}

export interface EqlResponse<T = Record<string, unknown>> {
  took: number;
  timed_out: boolean;
  hits: {
    total?: { value: number; relation: string };
    events?: EqlHit<T>[];
    sequences?: { join_keys?: unknown[]; events: EqlHit<T>[] }[];
  };
}

export interface EsqlResponse {
  columns: { name: string; type: string }[];
  values: unknown[][];
}

export interface HealthResponse {
  status: 'green' | 'yellow' | 'red';
  timed_out: boolean;
  number_of_nodes: number;
}

interface EngineErrorBody {
  error?: string | { type?: string; reason?: string; root_cause?: { type?: string; reason?: string }[]; caused_by?: { reason?: string } };
  status?: number;
}

type Fetch = (url: string, init: Record<string, unknown>) => Promise<Response>;

/** Reason text of an engine error body, innermost useful cause first. */
export function engineReason(body: unknown): { type: string; reason: string } {
  const b = body as EngineErrorBody | undefined;
  const e = b?.error;
  if (typeof e === 'string') return { type: 'error', reason: e };
  if (e && typeof e === 'object') {
    const root = e.root_cause?.[0];
    const type = root?.type ?? e.type ?? 'error';
    let reason = root?.reason ?? e.reason ?? JSON.stringify(e);
    if (e.caused_by?.reason && !reason.includes(e.caused_by.reason)) reason += ` (caused by: ${e.caused_by.reason})`;
    return { type, reason };
  }
  return { type: 'error', reason: typeof body === 'string' ? body : JSON.stringify(body) };
}

/**
 * A document already serialized: sent to `_bulk` byte for byte, because JSON.stringify of a
 * parsed event would rewrite numbers (1.0 -> 1) that Elasticsearch indexes by their text.
 */
export class RawJson {
  constructor(readonly json: string) {}
}

export class EngineClient {
  readonly url: string;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly fetchImpl: Fetch;
  private readonly dispatcher: unknown;
  private identityCache?: EngineIdentity;

  constructor(options: ClientOptions) {
    this.url = stripCredentials(options.url).replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.headers = { accept: 'application/json' };
    const auth = options.auth;
    if (auth && 'apiKey' in auth) this.headers.authorization = `ApiKey ${auth.apiKey}`;
    else if (auth) this.headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    this.fetchImpl = globalThis.fetch as unknown as Fetch;
    if (options.caFile) {
      let ca: string;
      try {
        ca = readFileSync(options.caFile, 'utf8');
      } catch (e) {
        throw new SigmaEsError('ENGINE_CONFIG_INVALID', `cannot read the TLS CA file ${options.caFile}: ${(e as Error).message}`);
      }
      // Node's global fetch takes no CA option; undici (installed with @elastic/elasticsearch)
      // is the same implementation and accepts one through its Agent.
      let undici: { Agent: new (o: unknown) => unknown; fetch: Fetch };
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        undici = require('undici');
      } catch {
        throw new SigmaEsError('ENGINE_CONFIG_INVALID', 'a TLS CA file needs the undici package (npm install undici@7)');
      }
      this.dispatcher = new undici.Agent({ connect: { ca } });
      this.fetchImpl = undici.fetch;
    }
  }

  /** Low-level request. Throws ENGINE_UNREACHABLE or ENGINE_QUERY_FAILED with the engine's reason. */
  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    opts: { ndjson?: boolean; allowStatus?: number[]; timeoutMs?: number } = {},
  ): Promise<{ status: number; body: T }> {
    const headers = { ...this.headers };
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      headers['content-type'] = opts.ndjson ? 'application/x-ndjson' : 'application/json';
    }
    let res: Response;
    try {
      res = await this.fetchImpl(this.url + path, {
        method,
        headers,
        body: payload,
        signal: AbortSignal.timeout(opts.timeoutMs ?? this.timeoutMs),
        ...(this.dispatcher ? { dispatcher: this.dispatcher } : {}),
      });
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string } };
      const why = err.name === 'TimeoutError' ? `no answer within ${opts.timeoutMs ?? this.timeoutMs} ms` : (err.cause?.code ?? err.cause?.message ?? err.message);
      throw new SigmaEsError('ENGINE_UNREACHABLE', `${method} ${this.url}${path}: ${why}`);
    }
    const text = await res.text();
    let parsed: unknown = text;
    if (text.length > 0) {
      try {
        parsed = JSON.parse(text);
      } catch {
        // Some errors (e.g. proxies, 'no handler found' on old versions) are plain text.
      }
    }
    if (res.status >= 300 && !(opts.allowStatus ?? []).includes(res.status)) {
      const { type, reason } = engineReason(parsed);
      const code = res.status === 401 || res.status === 403 ? 'ENGINE_AUTH_FAILED' : 'ENGINE_QUERY_FAILED';
      throw new SigmaEsError(code, `${method} ${path} failed with HTTP ${res.status}: ${type}: ${reason}`);
    }
    return { status: res.status, body: parsed as T };
  }

  /** Engine name and version. `GET /` is missing on the ES integ-test distribution, so ask `_nodes`. */
  async identify(): Promise<EngineIdentity> {
    if (this.identityCache) return this.identityCache;
    const root = await this.request<{ version?: { number?: string; distribution?: string; build_flavor?: string }; tagline?: string }>('GET', '/', undefined, {
      allowStatus: [400, 404, 405],
    });
    let id: EngineIdentity | undefined;
    const v = root.status === 200 ? root.body.version : undefined;
    if (v?.number) {
      const flavour: Flavour = v.distribution === 'opensearch' ? 'opensearch' : 'elasticsearch';
      id = { flavour, version: v.number, build: v.build_flavor ?? v.distribution };
    } else {
      const nodes = await this.request<{ nodes: Record<string, { version: string; build_flavor?: string; build_type?: string; modules?: { name: string }[] }> }>(
        'GET',
        '/_nodes/_local?filter_path=nodes.*.version,nodes.*.build_flavor,nodes.*.build_type,nodes.*.modules.name',
      );
      const node = Object.values(nodes.body.nodes ?? {})[0];
      if (!node) throw new SigmaEsError('ENGINE_QUERY_FAILED', `${this.url} answered /_nodes/_local with no node`);
      // OpenSearch always serves `GET /`; a node that does not is an Elasticsearch distribution.
      id = { flavour: 'elasticsearch', version: node.version, build: node.build_flavor };
    }
    this.identityCache = id;
    return id;
  }

  async health(waitForStatus?: 'yellow' | 'green', timeoutSeconds = 30): Promise<HealthResponse> {
    const q = waitForStatus ? `?wait_for_status=${waitForStatus}&timeout=${timeoutSeconds}s` : '';
    return (await this.request<HealthResponse>('GET', `/_cluster/health${q}`, undefined, { allowStatus: [408] })).body;
  }

  async createIndex(index: string, body: Record<string, unknown>): Promise<void> {
    await this.request('PUT', `/${encodeURIComponent(index)}?wait_for_active_shards=1`, body);
  }

  /** Deletes the index if it exists; a missing index is not an error. */
  async deleteIndex(index: string): Promise<boolean> {
    const r = await this.request('DELETE', `/${encodeURIComponent(index)}`, undefined, { allowStatus: [404] });
    return r.status !== 404;
  }

  async indexExists(index: string): Promise<boolean> {
    const r = await this.request('HEAD', `/${encodeURIComponent(index)}`, undefined, { allowStatus: [404] });
    return r.status === 200;
  }

  /**
   * Indexes documents with `_bulk`. A document the engine rejects (mapping conflict, term too
   * long…) does not throw: it is reported in `errors` so the caller can name the event.
   * `ids[i]` sets the document id; otherwise the engine assigns one.
   */
  async bulk(index: string, docs: unknown[], opts: { ids?: (string | undefined)[]; refresh?: boolean } = {}): Promise<BulkResult> {
    if (docs.length === 0) return { took: 0, indexed: 0, errors: [] };
    const lines: string[] = [];
    docs.forEach((doc, i) => {
      const id = opts.ids?.[i];
      lines.push(JSON.stringify({ index: id === undefined ? {} : { _id: id } }), doc instanceof RawJson ? doc.json : JSON.stringify(doc));
    });
    const refresh = opts.refresh === false ? '' : '?refresh=wait_for';
    const r = await this.request<{
      took: number;
      errors: boolean;
      items: { index: { _id?: string; status: number; error?: { type?: string; reason?: string; caused_by?: { reason?: string } } } }[];
    }>('POST', `/${encodeURIComponent(index)}/_bulk${refresh}`, lines.join('\n') + '\n', { ndjson: true });
    const errors: BulkItemError[] = [];
    r.body.items.forEach((item, i) => {
      const it = item.index;
      if (it.error || it.status >= 300) {
        const reason = (it.error?.reason ?? 'rejected') + (it.error?.caused_by?.reason ? ` (caused by: ${it.error.caused_by.reason})` : '');
        errors.push({ index: i, id: it._id, status: it.status, type: it.error?.type ?? 'error', reason });
      }
    });
    return { took: r.body.took, indexed: docs.length - errors.length, errors };
  }

  async refresh(index: string): Promise<void> {
    await this.request('POST', `/${encodeURIComponent(index)}/_refresh`);
  }

  async count(index: string, query?: Record<string, unknown>): Promise<number> {
    const r = await this.request<{ count: number }>('POST', `/${encodeURIComponent(index)}/_count`, query ? { query } : undefined);
    return r.body.count;
  }

  async search<T = Record<string, unknown>>(index: string, body: Record<string, unknown>): Promise<SearchResponse<T>> {
    return (await this.request<SearchResponse<T>>('POST', `/${encodeURIComponent(index)}/_search`, body)).body;
  }

  /** Ids of every document the query matches (up to `size`, default 10,000). */
  async searchIds(index: string, query: Record<string, unknown>, size = 10_000): Promise<string[]> {
    const r = await this.search(index, { query, size, _source: false, sort: ['_doc'] });
    return r.hits.hits.map((h) => h._id);
  }

  async msearch<T = Record<string, unknown>>(requests: MsearchRequest[]): Promise<MsearchItem<T>[]> {
    if (requests.length === 0) return [];
    const lines: string[] = [];
    for (const r of requests) lines.push(JSON.stringify({ index: r.index }), JSON.stringify(r.body));
    const res = await this.request<{ responses: (SearchResponse<T> & { status?: number; error?: unknown })[] }>(
      'POST',
      '/_msearch',
      lines.join('\n') + '\n',
      { ndjson: true },
    );
    return res.body.responses.map((r) => {
      if (r.error) {
        const { type, reason } = engineReason(r);
        return { ok: false as const, status: r.status ?? 500, type, reason };
      }
      return { ok: true as const, response: r };
    });
  }

  /** EQL. Not available on the ES integ-test distribution nor on OpenSearch: see docs/engines.md. */
  async eql<T = Record<string, unknown>>(index: string, body: { query: string } & Record<string, unknown>): Promise<EqlResponse<T>> {
    return (await this.request<EqlResponse<T>>('POST', `/${encodeURIComponent(index)}/_eql/search`, body)).body;
  }

  /** ES|QL. Not available on the ES integ-test distribution nor on OpenSearch: see docs/engines.md. */
  async esql(query: string, extra: Record<string, unknown> = {}): Promise<EsqlResponse> {
    return (await this.request<EsqlResponse>('POST', '/_query', { query, ...extra })).body;
  }

  /**
   * Whether an endpoint exists on this engine. A missing REST handler shows up as 400/404/405
   * with "no handler found" or "Incorrect HTTP method" (the path is then parsed as an index name).
   */
  async supports(feature: 'eql' | 'esql' | 'painless'): Promise<boolean> {
    const probes: Record<typeof feature, () => Promise<{ status: number; body: unknown }>> = {
      eql: () => this.request('POST', '/_eql/search', { query: 'any where true' }, { allowStatus: [400, 404, 405] }),
      esql: () => this.request('POST', '/_query', { query: 'ROW a = 1' }, { allowStatus: [400, 404, 405] }),
      painless: () =>
        this.request('POST', '/_scripts/painless/_execute', { script: { source: '1 + 1' } }, { allowStatus: [400, 404, 405, 500] }),
    };
    const r = await probes[feature]();
    if (r.status === 200) return true;
    const reason = JSON.stringify(r.body);
    if (/no handler found|Incorrect HTTP method|invalid_index_name|script_lang not supported|not supported/i.test(reason)) return false;
    // A handler that exists but disliked the probe (e.g. EQL on no index) still proves support.
    return feature === 'eql' ? /index_not_found|verification_exception|parsing_exception/.test(reason) : false;
  }
}

/** Drops `user:pass@` from a URL so it can be shown or stored. */
export function stripCredentials(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/+$/, '');
  } catch {
    throw new SigmaEsError('ENGINE_CONFIG_INVALID', `not a valid URL: '${url.replace(/\/\/[^@/]*@/, '//***@')}'`);
  }
}

/** Basic-auth credentials embedded in a URL (`http://user:pass@host`), if any. */
export function credentialsFromUrl(url: string): EngineAuth | undefined {
  try {
    const u = new URL(url);
    if (u.username) return { username: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
  } catch {
    // invalid URLs are reported by stripCredentials
  }
  return undefined;
}
