// Preloaded by `npm run bench` with OMT_BENCH_PROFILE=<dir> (Node 20 refuses
// --cpu-prof in NODE_OPTIONS, and the children are started by shared helpers):
// records a V8 CPU profile of this process and writes it to <dir> when the
// process exits. Open it in Chrome DevTools, or summarise it by self time.
const { Session } = require('node:inspector');
const { mkdirSync, writeFileSync } = require('node:fs');
const path = require('node:path');

const dir = process.env.OMT_BENCH_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  session.post('Profiler.start');
  const write = () => {
    // The in-process session answers synchronously, so this works inside 'exit'.
    session.post('Profiler.stop', (error, result) => {
      if (error) return;
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, `${path.basename(process.argv[1] ?? 'node')}.${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  };
  process.once('exit', write);
}
