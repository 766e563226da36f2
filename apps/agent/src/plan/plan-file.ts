import { readFile, writeFile } from 'node:fs/promises';
import { OmtError, migrationPlanSchema, parseOrThrow, type MigrationPlan } from '@omt/contracts';

export async function readPlanFile(path: string): Promise<MigrationPlan> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new OmtError('VALIDATION_FAILED', `Cannot read the plan file ${path}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new OmtError('VALIDATION_FAILED', `The plan file ${path} is not JSON: ${(error as Error).message}`);
  }
  return parseOrThrow(migrationPlanSchema, json, `plan file ${path}`);
}

export function planJson(plan: MigrationPlan): string {
  return JSON.stringify(plan, null, 2) + '\n';
}

/** Mode 0600: the file names the customer's users and their addresses. */
export async function writePlanFile(path: string, plan: MigrationPlan): Promise<void> {
  await writeFile(path, planJson(plan), { mode: 0o600 });
}
