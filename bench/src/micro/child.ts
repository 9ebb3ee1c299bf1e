// Runs one micro-benchmark module in this (fresh) process and sends its result to the parent.
// Usage: node --expose-gc --import tsx src/micro/child.ts <module> '<options json>'
import { pathToFileURL } from 'node:url';
import { microEntry } from '../lib/paths.js';
import type { MicroModule } from './types.js';

const [name, optsJson] = process.argv.slice(2);
if (!name) throw new Error('usage: child.ts <module> [options json]');
const mod = (await import(pathToFileURL(microEntry(name)).href)) as MicroModule;
const result = await mod.run(JSON.parse(optsJson ?? '{}'));
if (process.send) {
  process.send({ type: 'result', value: result }, () => process.exit(0));
} else {
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  process.exit(0);
}
