import { resolve } from 'node:path';
import type { PlanSubmission } from '@omt/contracts';
import type { AgentApiClient } from '../api/agent-api-client';
import { writePlanFile } from '../plan/plan-file';

export interface SubmittedPlan {
  /** Where the plan went: a file, or the API and ticket. */
  location: string;
  /** What the migrator does next, in a sentence. */
  nextStep: string;
}

/**
 * Where a validated plan goes when the migrator submits it: a file (the
 * headless flow and development) or the ticket at the API.
 */
export interface PlanSink {
  submit(submission: PlanSubmission): Promise<SubmittedPlan>;
}

export class FilePlanSink implements PlanSink {
  constructor(private readonly path: string) {}

  async submit(submission: PlanSubmission): Promise<SubmittedPlan> {
    await writePlanFile(this.path, submission.plan);
    const location = resolve(this.path);
    return { location, nextStep: uploadCommandFor(location) };
  }
}

/** The command that uploads with a plan file (the flags that hold secrets or are not known here as placeholders). */
export function uploadCommandFor(planFile: string): string {
  const quoted = /^[\w./:@-]+$/.test(planFile) ? planFile : `"${planFile.replace(/(["\\$`])/g, '\\$1')}"`;
  return (
    `Upload it with: omt-agent migrate --plan ${quoted} --api <omt API URL> --code <enrollment code> --user <CRM administrator>, ` +
    'with the same --source (or --config) and --archive as this wizard; the password comes from OMT_CRM_PASSWORD or --password.'
  );
}

/** `PUT /api/agent/plan` with the agent's token: the API validates the plan again and stores it with the ticket. */
export class ApiPlanSink implements PlanSink {
  constructor(
    private readonly api: Pick<AgentApiClient, 'putPlan' | 'baseUrl'>,
    private readonly ticketId: string,
  ) {}

  async submit(submission: PlanSubmission): Promise<SubmittedPlan> {
    await this.api.putPlan(submission);
    return {
      location: `${this.api.baseUrl} (ticket ${this.ticketId})`,
      nextStep: 'The API checked the plan again and stored it with the ticket. Start the upload when you are ready.',
    };
  }
}
