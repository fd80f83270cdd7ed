/**
 * The engine options `seed` and `test` share: which engine, how to reach it, credentials
 * (from the environment by preference, so they never show in a process list).
 */
import { Option, type Command } from 'commander';
import { FLAVOURS, ensureEngine, envAuth, type Engine, type Flavour, type Provider } from '../engine';
import { UsageError } from './output';

export interface EngineCliOptions {
  engine: Flavour;
  provider?: Provider;
  url?: string;
  ca?: string;
}

export function addEngineOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--engine <flavour>', 'engine flavour').choices([...FLAVOURS]).default('elasticsearch'))
    .addOption(new Option('--provider <provider>', 'embedded (default; real engine from Maven Central), docker, or url').choices(['embedded', 'docker', 'url']))
    .option('--url <url>', 'an existing cluster (or set ES_URL / OPENSEARCH_URL); credentials via ES_API_KEY or ES_USERNAME/ES_PASSWORD')
    .option('--ca <file>', 'PEM CA certificate for a TLS cluster (or ES_CA_FILE)');
}

export async function engineFromOptions(o: EngineCliOptions, onProgress?: (line: string) => void): Promise<Engine> {
  if (o.provider === 'url' && !o.url && !process.env.ES_URL && !process.env.SIGMA_ES_URL && !process.env.OPENSEARCH_URL) {
    throw new UsageError('--provider url needs --url or ES_URL');
  }
  const env = envAuth();
  return ensureEngine({
    flavour: o.engine,
    provider: o.url ? 'url' : o.provider,
    url: o.url,
    auth: env.auth,
    caFile: o.ca ?? env.caFile,
    onProgress,
  });
}
