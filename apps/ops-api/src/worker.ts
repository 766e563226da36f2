import { runFromEnvironment } from './bootstrap';

// The worker process: BullMQ queue processors only.
void runFromEnvironment({ api: false, worker: true }, 'worker');
