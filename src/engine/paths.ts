/**
 * Where engines live on disk: the cache written by scripts/engine/provision.sh, the
 * per-instance run folders, and the state files that let one CLI invocation find an engine
 * another one started.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Flavour } from './client';

/** The sigma-es package root (the folder with its package.json), from src/ or dist/. */
export function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'sigma-es') return dir;
      } catch {
        // keep walking up
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return resolve(__dirname, '..', '..');
    dir = parent;
  }
}

export function cacheDir(): string {
  return process.env.SIGMA_ES_CACHE ? resolve(process.env.SIGMA_ES_CACHE) : join(packageRoot(), '.cache', 'engines');
}

export function runDir(): string {
  return join(cacheDir(), 'run');
}

/**
 * One state file per running instance, named by its pid: several test runs (several
 * developers in one checkout, or CI) may each run their own engine at the same time.
 */
export function stateFile(flavour: Flavour, pid: number): string {
  return join(runDir(), `${flavour}.${pid}.state.json`);
}

export function stateFiles(flavour: Flavour): string[] {
  if (!existsSync(runDir())) return [];
  const re = new RegExp(`^${flavour}\\.\\d+\\.state\\.json$`);
  return readdirSync(runDir())
    .filter((f) => re.test(f))
    .map((f) => join(runDir(), f));
}

export function provisionScript(): string {
  return join(packageRoot(), 'scripts', 'engine', 'provision.sh');
}

/** What provision.sh records about an installed engine. */
export interface Manifest {
  flavour: Flavour;
  version: string;
  javaHome: string;
  /** Elasticsearch: the unpacked distribution. */
  home?: string;
  /** OpenSearch: compiled launcher classes and the file listing its classpath. */
  classes?: string;
  classpathFile?: string;
}

export function readManifest(flavour: Flavour): Manifest | undefined {
  const file = join(cacheDir(), `${flavour}.json`);
  if (!existsSync(file)) return undefined;
  try {
    const m = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
    const needed = flavour === 'elasticsearch' ? [m.home, m.javaHome] : [m.classes, m.classpathFile, m.javaHome];
    return needed.every((p) => p && existsSync(p)) ? m : undefined;
  } catch {
    return undefined;
  }
}
