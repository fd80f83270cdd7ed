/**
 * Numeric comparisons as the IR means them, for every consumer: compare leaves and time parts
 * (`gt`…`lte`, `eq`) and correlation conditions (all bounds must hold, `neq` included).
 */
import type { CompareOp, CorrelationCondition } from './types';

export type NumericOp = CompareOp | 'eq' | 'neq';

export function compareNumbers(op: NumericOp, a: number, b: number): boolean {
  switch (op) {
    case 'gt':
      return a > b;
    case 'gte':
      return a >= b;
    case 'lt':
      return a < b;
    case 'lte':
      return a <= b;
    case 'eq':
      return a === b;
    case 'neq':
      return a !== b;
  }
}

/** A correlation condition holds when every bound does (the spec's range form ANDs them). */
export function boundsHold(value: number, bounds: CorrelationCondition['bounds']): boolean {
  return bounds.every((b) => compareNumbers(b.op, value, b.value));
}
