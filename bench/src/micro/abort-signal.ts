// What an AbortSignal costs on the running Node: creating one, and adding/removing an 'abort'
// listener — a proxied request makes two signals and five listener calls (bench README,
// Round 5, §8). Compare majors with the repository's runner:
//   npx tsx src/micro/abort-signal.ts
//   node ../scripts/run-node.mjs 24 ../node_modules/tsx/dist/cli.mjs src/micro/abort-signal.ts
const N = 100_000;
const sink: unknown[] = new Array(1024);

function perCall(fn: (i: number) => void): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < N; i++) fn(i);
  return Number(process.hrtime.bigint() - start) / N;
}

const rows: [string, number][] = [];
for (let round = 0; round < 4; round++) {
  const created = perCall((i) => {
    sink[i & 1023] = new AbortController().signal;
  });
  const listened = perCall((i) => {
    const signal = new AbortController().signal;
    const onAbort = () => {};
    signal.addEventListener('abort', onAbort);
    signal.removeEventListener('abort', onAbort);
    sink[i & 1023] = signal;
  });
  if (round > 0) rows.push(['signal', created], ['signal + add + remove listener', listened]);
}
console.log(`Node ${process.version}, ${N} calls a row, three rounds after a warm-up:`);
for (const [label, ns] of rows) console.log(`${label.padEnd(32)} ${(ns / 1000).toFixed(2)} µs`);
