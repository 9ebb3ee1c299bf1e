// Preloaded into a benchmark server (`node --import <this file>`) by src/alloc/promises.ts:
// counts the promises the process creates (async_hooks init of type PROMISE) between the
// parent's `mark` and its `promises` question, and where each was created (top frames, sampled).
import { createHook } from 'node:async_hooks';

let counting = false;
let promises = 0;
const sites = new Map();
const SAMPLE = Number(process.env.PROMISE_SITE_SAMPLE ?? 0);
let seen = 0;

createHook({
  init(_id, type) {
    if (!counting || type !== 'PROMISE') return;
    promises++;
    if (SAMPLE > 0 && ++seen % SAMPLE === 0) {
      const frames = (new Error().stack ?? '')
        .split('\n')
        .slice(3, 7)
        .map((l) => l.trim());
      const key = frames.join(' <- ');
      sites.set(key, (sites.get(key) ?? 0) + 1);
    }
  },
}).enable();

process.on('message', (m) => {
  if (m?.type === 'mark') counting = true;
  if (m?.type === 'promises') {
    const top = [...sites].sort((a, b) => b[1] - a[1]).slice(0, 40);
    process.send?.({ type: 'promises', value: { promises, sites: top } });
  }
});
