import { resolve } from 'node:path';
import type { PlanSubmission } from '@omt/contracts';
import { writePlanFile } from '../plan/plan-file';

/**
 * Where a validated plan goes when the migrator submits it. The file sink
 * serves the headless flow and development; the API sink (POST with the
 * ticket) arrives with the upload pipeline.
 */
export interface PlanSink {
  submit(submission: PlanSubmission): Promise<{ location: string }>;
}

export class FilePlanSink implements PlanSink {
  constructor(private readonly path: string) {}

  async submit(submission: PlanSubmission): Promise<{ location: string }> {
    await writePlanFile(this.path, submission.plan);
    return { location: resolve(this.path) };
  }
}
