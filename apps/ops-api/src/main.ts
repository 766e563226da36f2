import { runFromEnvironment } from './bootstrap';

// The API process: HTTP and socket.io.
void runFromEnvironment({ api: true, worker: false }, 'api');
