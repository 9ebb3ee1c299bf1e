// Follows docs/getting-started.md word for word, as a reader would, in a folder of its own:
// runs the page's shell blocks (for one of its "Make a project" starting points), writes every
// block titled with a file name (```ts title="service.ts") under that name, starts what the page
// says to run, sends the page's curl commands and compares the answers with what the page says
// they answer (the ```text block after a single command, or the `#   ` lines under a command, or
// a trailing `# {...}` comment), checks the service's console against the page, and stops it
// with Ctrl-C (SIGINT to its process group, as a terminal does).
//
// What varies between runs matches by shape: request and trace ids (UUID, 32 and 16 hex
// digits), epoch-millisecond times. The service listens on a free port instead of 3000 (the
// page's service reads PORT); the page's commands and expectations are read with that port.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const FENCE = /^```(\w*)(?:[ \t]+([^\n]*))?\n([\s\S]*?)^```[ \t]*$/gm;

/**
 * The fenced blocks of a markdown page, in order: `{ lang, title, code, line, section, choice }`.
 * `section` is the `## ` heading above the block; `choice` is the starting point a block of the
 * first section belongs to (`A`, `B`, ... from a paragraph opening with `**A.`).
 */
export function fencedBlocks(markdown) {
  const blocks = [];
  for (const m of markdown.matchAll(FENCE)) {
    const before = markdown.slice(0, m.index);
    const headings = [...before.matchAll(/^## (.*)$/gm)];
    const section = headings.at(-1)?.[1] ?? '';
    const sectionStart = headings.at(-1)?.index ?? 0;
    const choices = [...before.slice(sectionStart).matchAll(/^\*\*([A-Z])\.\s/gm)];
    blocks.push({
      lang: m[1],
      title: /(?:^|\s)title="([^"]+)"/.exec(m[2] ?? '')?.[1],
      code: m[3],
      line: before.split('\n').length,
      section,
      choice: choices.at(-1)?.[1],
    });
  }
  return blocks;
}

const SHAPES = [
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  /^[0-9a-f]{32}$/,
  /^[0-9a-f]{16}$/,
  /^1\d{12}$/,
];

/** Whether `actual` is what the page shows as `expected`, ids and times matching by shape. */
export function matches(expected, actual) {
  if (typeof expected === 'number' && SHAPES[3].test(String(expected))) {
    return typeof actual === 'number' && SHAPES[3].test(String(actual));
  }
  if (typeof expected === 'string') {
    const shape = SHAPES.find((s) => s.test(expected));
    return shape ? typeof actual === 'string' && shape.test(actual) : expected === actual;
  }
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) &&
      actual.length === expected.length &&
      expected.every((e, i) => matches(e, actual[i]))
    );
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false;
    const keys = Object.keys(expected);
    return (
      keys.length === Object.keys(actual).length &&
      keys.every((k) => k in actual && matches(expected[k], actual[k]))
    );
  }
  return expected === actual;
}

/** A raw HTTP answer as `curl -i` prints it: `{ status, headers, body }`. */
export function parseCurlResponse(text) {
  const split = text.search(/\r?\n\r?\n/);
  const head = split === -1 ? text : text.slice(0, split);
  const body = split === -1 ? '' : text.slice(split).replace(/^\r?\n\r?\n/, '');
  const [status, ...lines] = head.split(/\r?\n/);
  const headers = new Map();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { status: status.trim(), headers, body };
}

/**
 * Problems (an empty list when none) between what the page shows for a response, `expected`
 * (lines: an optional status line, `name: value` headers, `...`, a blank line, a body), and
 * what came back.
 */
export function compareResponse(expected, response) {
  const problems = [];
  const lines = expected.replace(/\n+$/, '').split('\n');
  let i = 0;
  if (lines[0]?.startsWith('HTTP/')) {
    if (lines[0].trim() !== response.status) {
      problems.push(
        `status: the page shows "${lines[0]}", the service answered "${response.status}"`,
      );
    }
    i = 1;
    for (; i < lines.length && lines[i].trim() !== ''; i++) {
      const line = lines[i].trim();
      if (line === '...') continue;
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      const actual = response.headers.get(name);
      if (actual === undefined) problems.push(`header ${name}: shown on the page, not sent`);
      else if (!matches(value, actual)) {
        problems.push(`header ${name}: the page shows "${value}", the service sent "${actual}"`);
      }
    }
  }
  const body = lines.slice(i).join('\n').trim();
  if (body !== '') {
    let shown;
    try {
      shown = JSON.parse(body);
    } catch {
      shown = undefined;
    }
    if (shown === undefined) {
      if (body !== response.body.trim())
        problems.push(`body: the page shows ${body}, got ${response.body}`);
    } else {
      let actual;
      try {
        actual = JSON.parse(response.body);
      } catch {
        actual = response.body;
      }
      if (!matches(shown, actual)) {
        problems.push(`body: the page shows ${body}, the service answered ${response.body.trim()}`);
      }
    }
  }
  return problems;
}

/** Whether some line of `output` holds the page's `line`, whose `...` stand for anything. */
export function outputHasLine(output, line) {
  const parts = line.split('...').map((p) => p.trim());
  return output.split('\n').some((candidate) => {
    let at = 0;
    for (const part of parts) {
      const found = candidate.indexOf(part, at);
      if (found === -1) return false;
      at = found + part.length;
    }
    return true;
  });
}

/** Keys of a printed span whose values differ on every run (the trace id is checked apart). */
const VARYING_SPAN_KEYS = /^(id|traceId|duration|'user_agent\.original'):/;

/**
 * Follows the page in `dir` (an empty folder) with `env` (a fresh user's environment, with only
 * the registry to use configured), for the starting point `choice` of its first section.
 * Throws on the first difference between the page and what happens.
 */
export async function followGettingStarted({
  page,
  dir,
  env,
  choice = 'A',
  port,
  log = console.log,
}) {
  const markdown = fs.readFileSync(page, 'utf8');
  const blocks = fencedBlocks(markdown).filter((b) => !b.choice || b.choice === choice);
  const where = (block) => `${path.basename(page)}:${block.line}`;
  const withPort = (text) =>
    text.replaceAll('localhost:3000', `localhost:${port}`).replace(/\b3000\b/g, String(port));
  const vars = {};
  let cwd = dir;
  let service;
  let serviceOutput = '';
  let lastResponse;

  const shell = (script, block) => {
    try {
      return execFileSync('bash', ['-c', script], {
        cwd,
        env: { ...env, ...vars },
        encoding: 'utf8',
        timeout: 5 * 60_000,
        maxBuffer: 64 * 1024 * 1024,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (error) {
      throw new Error(
        `${where(block)}: \`${script.split('\n')[1] ?? script}\` failed: ${error.message}\n${error.stdout ?? ''}\n${error.stderr ?? ''}`,
      );
    }
  };
  const until = async (what, found, timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!found()) {
      if (service.exitCode !== null || service.signalCode !== null) {
        throw new Error(`the service exited before ${what}:\n${serviceOutput}`);
      }
      if (Date.now() > deadline)
        throw new Error(`no ${what} within ${timeoutMs} ms:\n${serviceOutput}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  try {
    for (let index = 0; index < blocks.length; index++) {
      const block = blocks[index];
      const next = blocks[index + 1];
      if (block.title) {
        fs.writeFileSync(path.join(cwd, block.title), block.code);
        log(`  wrote ${block.title} (${where(block)})`);
        continue;
      }
      if (block.lang === 'sh' && /^\d+\. Run it/.test(block.section)) {
        // "Run it": started in the background, in its own process group (a terminal's job).
        const command = block.code.trim();
        log(`  $ ${command}   (PORT=${port}, left running)`);
        service = spawn('bash', ['-c', command], {
          cwd,
          env: { ...env, ...vars, PORT: String(port) },
          detached: true,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        service.stdout.on('data', (chunk) => (serviceOutput += chunk));
        service.stderr.on('data', (chunk) => (serviceOutput += chunk));
        if (next?.lang === 'text') {
          const shown = JSON.parse(withPort(next.code.trim()));
          await until('the log line the page shows', () =>
            serviceOutput.split('\n').some((line) => {
              try {
                return matches(shown, JSON.parse(line));
              } catch {
                return false;
              }
            }),
          );
          index++;
        }
        continue;
      }
      if (block.lang === 'sh') {
        const lines = block.code.replace(/\n+$/, '').split('\n');
        const commands = lines.filter((l) => l.trim() !== '' && !l.startsWith('#'));
        if (commands.length > 0 && commands.every((l) => l.startsWith('curl '))) {
          for (let l = 0; l < lines.length; l++) {
            if (!lines[l].startsWith('curl ')) continue;
            const [command, comment] = lines[l].split(/\s+#\s+/, 2);
            const shownLines = [];
            while (lines[l + 1]?.startsWith('#   ')) shownLines.push(lines[++l].slice(4).trim());
            let shown = shownLines.join('\n');
            const textBlock = commands.length === 1 && next?.lang === 'text';
            if (textBlock) {
              shown = next.code;
              index++;
            } else if (comment !== undefined) shown = comment.trim();
            const run = withPort(command);
            log(`  $ ${run}`);
            const raw = shell(run, block);
            const response = / -i\b/.test(command)
              ? parseCurlResponse(raw)
              : { status: undefined, headers: new Map(), body: raw };
            lastResponse = response;
            let problems;
            if (!textBlock && comment !== undefined && !comment.trim().startsWith('{')) {
              // Prose: "OpenAPI 3.1: both routes, ...": the answer is such a document.
              problems = [];
              try {
                const document = JSON.parse(response.body);
                if (/^OpenAPI 3\.1/.test(comment) && !String(document.openapi).startsWith('3.1')) {
                  problems.push(`not an OpenAPI 3.1 document: ${response.body.slice(0, 200)}`);
                }
              } catch {
                problems.push(
                  `the page says "${comment}", the answer is not JSON: ${response.body}`,
                );
              }
            } else {
              problems = compareResponse(withPort(shown), response);
            }
            if (problems.length > 0) {
              throw new Error(`${where(block)}: \`${command}\`:\n  ${problems.join('\n  ')}`);
            }
          }
          continue;
        }
        // Any other block runs as the reader's shell would; its variables and `cd` carry on.
        const names = [...block.code.matchAll(/^([A-Z_][A-Z0-9_]*)=/gm)].map((m) => m[1]);
        log(`  $ ${block.code.trim().split('\n').join('\n  $ ')}`);
        const output = shell(
          `set -e\n${block.code}\nprintf '\\0%s' "$PWD" ${names.map((n) => `"$${n}"`).join(' ')}\n`,
          block,
        );
        const [, pwd, ...values] = output.split('\0');
        cwd = pwd;
        for (const [i, name] of names.entries()) vars[name] = values[i];
        continue;
      }
      if (block.lang === 'text' && /^\d+\. Call it/.test(block.section) && service) {
        // The console exporter's print of the last request's span.
        const traceId = lastResponse?.headers.get('x-trace-id');
        const expected = block.code
          .split('\n')
          .map((l) => l.trim())
          .filter((l) => l !== '' && !l.includes('...') && !/^[{}[\],]+$/.test(l))
          .filter((l) => !VARYING_SPAN_KEYS.test(l))
          .map(withPort);
        await until(`the span of trace ${traceId} on the console`, () =>
          serviceOutput.includes(`traceId: '${traceId}'`),
        );
        const at = serviceOutput.indexOf(`traceId: '${traceId}'`);
        const start = serviceOutput.lastIndexOf('\n{\n', at);
        const span = serviceOutput.slice(start + 1, serviceOutput.indexOf('\n}', at) + 2);
        const missing = expected.filter((l) => !span.includes(l));
        if (missing.length > 0) {
          throw new Error(
            `${where(block)}: the printed span lacks:\n  ${missing.join('\n  ')}\n${span}`,
          );
        }
        log(`  the console shows the span of trace ${traceId}`);
        continue;
      }
      if (block.lang === 'text' && /^\d+\. Stop it/.test(block.section) && service) {
        log('  Ctrl-C (SIGINT to the service process group)');
        const exited = new Promise((resolve) => service.once('exit', resolve));
        process.kill(-service.pid, 'SIGINT');
        const code = await Promise.race([
          exited,
          new Promise((r) => setTimeout(() => r('timeout'), 30_000)),
        ]);
        if (code === 'timeout')
          throw new Error(`the service did not stop on Ctrl-C:\n${serviceOutput}`);
        const missing = block.code
          .trim()
          .split('\n')
          .filter((l) => !outputHasLine(serviceOutput, l.trim()));
        if (missing.length > 0) {
          throw new Error(
            `${where(block)}: after Ctrl-C the page shows\n  ${missing.join('\n  ')}\nbut the service printed:\n${serviceOutput}`,
          );
        }
        service = undefined;
      }
    }
    if (service) throw new Error('the page never stops the service it starts');
  } finally {
    if (service && service.exitCode === null) process.kill(-service.pid, 'SIGKILL');
  }
  return { project: cwd };
}
