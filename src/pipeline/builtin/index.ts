/**
 * Builtin pipelines. The tables are generated from the installed pySigma packages by
 * scripts/pysigma/export-pipelines.py (never edited by hand) and read through the same parser as
 * user pipeline files, so a builtin behaves exactly like the equivalent YAML file would.
 */
import { pipelineFromDocument, type Pipeline } from '../yaml';
import sysmon from './sysmon.data.json';
import ecsWindows from './ecs_windows.data.json';
// pySigma-backend-kusto's microsoft_xdr_pipeline (the Microsoft 365 Defender pipeline), exported
// from the pip package; value-rewriting parts become explicit failures, see the exporter.
import defenderXdr from './defender_xdr.data.json';

const TABLES: Record<string, unknown> = {
  sysmon,
  ecs_windows: ecsWindows,
  defender_xdr: defenderXdr,
};

const cache = new Map<string, Pipeline>();

export function builtinNames(): string[] {
  return Object.keys(TABLES);
}

export function builtinPipeline(name: string): Pipeline | undefined {
  if (!Object.prototype.hasOwnProperty.call(TABLES, name)) return undefined;
  let p = cache.get(name);
  if (!p) {
    p = pipelineFromDocument(TABLES[name], { file: `builtin:${name}`, defaultName: name });
    cache.set(name, p);
  }
  return p;
}
