// npx tsx src/messaging/quick-run.ts [--messages=20000] [--concurrency=64] [--reps=3]
// The messaging section alone (also: npm run bench -- --sections=messaging).
import { runMessagingBench } from './nats-bench.js';

const flag = (name: string, fallback: number) => {
  const v = process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  return v === undefined ? fallback : Number(v);
};
const result = await runMessagingBench({
  messages: flag('messages', 20_000),
  concurrency: flag('concurrency', 64),
  repetitions: flag('reps', 3),
  log: (line) => process.stderr.write(`${line}\n`),
});
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
