#!/usr/bin/env node
// Runs a command under another Node major: `node scripts/run-node.mjs 24 file.mjs args...`.
// The machine has one Node; other majors come from the npm registry's `node` package via npx,
// so contributors and CI need nothing installed by hand.
import { spawnSync } from 'node:child_process';

const [major, ...args] = process.argv.slice(2);
if (!major || !/^\d+$/.test(major)) {
  console.error('usage: node scripts/run-node.mjs <major> <script> [args...]');
  process.exit(2);
}
const current = process.versions.node.split('.')[0];
const result =
  current === major
    ? spawnSync(process.execPath, args, { stdio: 'inherit' })
    : spawnSync('npx', ['-y', '-p', `node@${major}`, '--', 'node', ...args], {
        stdio: 'inherit',
        env: { ...process.env, npm_config_update_notifier: 'false' },
      });
process.exit(result.status ?? 1);
