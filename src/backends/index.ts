/**
 * One entry point over every target, for the CLI and the harness.
 */
import type { IrDocument } from '../ir/types';
import { TARGETS, type BackendOptions, type Target, type Translation } from './common';
import { toDsl } from './dsl';
import { toLucene } from './lucene';
import { toEql } from './eql';
import { toEsql } from './esql';
import { toKibanaRule, type KibanaOptions } from './kibana';

export { TARGETS, type Target, type Translation, type BackendOptions } from './common';
export { toDsl, dslQuery, correlationMatches, type DslTranslation, type DslCorrelationQuery, type DslRuleQuery } from './dsl';
export { toLucene, luceneQuery } from './lucene';
export { toEql, eqlCondition } from './eql';
export { toEsql, esqlCondition } from './esql';
export { toKibanaRule, type KibanaOptions, type KibanaRuleType } from './kibana';

export function isTarget(t: string): t is Target {
  return (TARGETS as string[]).includes(t);
}

/** Translate one document; throws SigmaEsError (UNSUPPORTED_CONSTRUCT…) when it cannot be exact. */
export function translate(doc: IrDocument, target: Target, opts: KibanaOptions & BackendOptions): Translation {
  switch (target) {
    case 'dsl':
      return toDsl(doc, opts);
    case 'lucene':
      return toLucene(doc, opts);
    case 'eql':
      return toEql(doc, opts);
    case 'esql':
      return toEsql(doc, opts);
    case 'kibana-ndjson':
      return toKibanaRule(doc, opts);
  }
}
