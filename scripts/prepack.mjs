#!/usr/bin/env node
// `prepack` of every publishable package: `npm pack` and `npm publish` run it in the package's
// folder. Builds the package when its dist/ is missing or older than its sources, so a tarball
// never ships without its code (an unbuilt `npm pack` used to produce README + package.json only).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const pkgDir = process.cwd();
const newest = (dir) => {
  let latest = 0;
  if (!fs.existsSync(dir)) return latest;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    const time = entry.isDirectory() ? newest(full) : fs.statSync(full).mtimeMs;
    if (time > latest) latest = time;
  }
  return latest;
};

const dist = path.join(pkgDir, 'dist');
const sources = ['src', 'package.json', 'tsup.config.ts', 'scripts']
  .map((name) => path.join(pkgDir, name))
  .filter((file) => fs.existsSync(file));
const sourceTime = Math.max(
  ...sources.map((file) =>
    fs.statSync(file).isDirectory() ? newest(file) : fs.statSync(file).mtimeMs,
  ),
);
if (fs.existsSync(dist) && newest(dist) >= sourceTime) process.exit(0);
console.error(
  `prepack: building ${path.basename(pkgDir)} (dist/ is missing or older than its sources)`,
);
// The build's output goes to stderr: `npm pack --json` prints its JSON on stdout.
execFileSync('npm', ['run', 'build'], {
  cwd: pkgDir,
  stdio: ['ignore', process.stderr, 'inherit'],
});
if (!fs.existsSync(dist) || fs.readdirSync(dist).length === 0) {
  console.error('prepack: the build produced no dist/; refusing to pack an empty package');
  process.exit(1);
}
