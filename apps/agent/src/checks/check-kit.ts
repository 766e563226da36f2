import type { ArchiveScan, CheckId, CheckResult, CheckSeverity } from '@omt/contracts';
import type { CrmCatalog } from '../catalog/crm-catalog';

export interface CheckInput {
  catalog: CrmCatalog;
  /** null when no archive was given; the document checks then say so. */
  archive: ArchiveScan | null;
}

export interface CheckDefinition {
  id: CheckId;
  severity: CheckSeverity;
  title: string;
  run(input: CheckInput): CheckResult;
}

export function passed(def: Pick<CheckDefinition, 'id' | 'severity' | 'title'>, message: string): CheckResult {
  return { id: def.id, severity: def.severity, title: def.title, passed: true, message, subjects: [], fix: '' };
}

export function failed(
  def: Pick<CheckDefinition, 'id' | 'severity' | 'title'>,
  message: string,
  subjects: string[],
  fix: string,
): CheckResult {
  return { id: def.id, severity: def.severity, title: def.title, passed: false, message, subjects, fix };
}

/** "a, b and 3 more": long lists stay readable, the full list is in `subjects`. */
export function listNames(names: readonly string[], max = 8): string {
  if (names.length <= max) return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
