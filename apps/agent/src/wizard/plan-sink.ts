import { resolve } from 'node:path';
import type { PlanSubmission } from '@omt/contracts';
import type { AgentApiClient } from '../api/agent-api-client';
import { writePlanFile } from '../plan/plan-file';

/**
 * Where a validated plan goes when the migrator submits it: a file (the
 * headless flow and development) or the ticket at the API.
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

/** `PUT /api/agent/plan` with the agent's token: the API validates the plan again and stores it with the ticket. */
export class ApiPlanSink implements PlanSink {
  constructor(
    private readonly api: Pick<AgentApiClient, 'putPlan' | 'baseUrl'>,
    private readonly ticketId: string,
  ) {}

  async submit(submission: PlanSubmission): Promise<{ location: string }> {
    await this.api.putPlan(submission);
    return { location: `${this.api.baseUrl} (ticket ${this.ticketId})` };
  }
}
