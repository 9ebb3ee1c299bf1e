// Preloaded into a benchmark server (`node --import <this file>`) by src/alloc/profile.ts: samples
// every allocation, including the objects the young-generation GC frees at once (the default
// sampling heap profile keeps only live ones), from the parent's `mark` until the process exits,
// and writes the profile to ALLOC_PROFILE_FILE.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const file = process.env.ALLOC_PROFILE_FILE;
const session = new Session();
session.connect();
let started = false;
process.on('message', (m) => {
  if (m?.type !== 'mark' || started) return;
  started = true;
  session.post('HeapProfiler.startSampling', {
    samplingInterval: 4096,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
});
process.on('exit', () => {
  if (!started || !file) return;
  // An in-process inspector session answers synchronously, so this completes inside 'exit'.
  session.post('HeapProfiler.stopSampling', (err, result) => {
    if (!err) writeFileSync(file, JSON.stringify(result.profile));
  });
});
