import { runFromEnvironment } from './bootstrap';

// API and worker in one process, for development and the demo.
void runFromEnvironment({ api: true, worker: true }, 'dev');
