import { JOB_NAMES, type JobName } from '@omt/contracts';
import { indexHandlers, type JobHandler } from './job-handler';

const handler: JobHandler = { handle: async () => undefined };
const every = JOB_NAMES.map((name) => ({ name, handler }));

describe('indexHandlers', () => {
  it('indexes one handler per declared job', () => {
    expect([...indexHandlers(every).keys()].sort()).toEqual([...JOB_NAMES].sort());
  });

  it('refuses a declared job without a handler, naming it', () => {
    const missing: JobName = 'configure.ticketVerified';
    expect(() => indexHandlers(every.filter((h) => h.name !== missing))).toThrow(
      "No handler for job 'configure.ticketVerified': the worker does not start.",
    );
  });

  it('refuses two handlers for one job', () => {
    expect(() => indexHandlers([...every, { name: 'import.batchReceived', handler }])).toThrow(
      "Two handlers for job 'import.batchReceived'.",
    );
  });
});
