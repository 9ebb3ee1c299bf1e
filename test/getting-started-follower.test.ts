// The release rehearsal follows docs/getting-started.md word for word
// (scripts/lib/getting-started.mjs): what it reads from the page, and how it compares answers.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

type Block = { lang: string; title?: string; code: string; section: string; choice?: string };
const { compareResponse, fencedBlocks, matches, outputHasLine, parseCurlResponse } = (await import(
  // a plain .mjs script without declarations: imported by URL, typed here
  new URL('../scripts/lib/getting-started.mjs', import.meta.url).href
)) as {
  compareResponse: (expected: string, response: unknown) => string[];
  fencedBlocks: (markdown: string) => Block[];
  matches: (expected: unknown, actual: unknown) => boolean;
  outputHasLine: (output: string, line: string) => boolean;
  parseCurlResponse: (text: string) => {
    status: string;
    headers: Map<string, string>;
    body: string;
  };
};

const page = readFileSync(new URL('../docs/getting-started.md', import.meta.url), 'utf8');

describe('the getting-started page, as the rehearsal reads it', () => {
  const blocks = fencedBlocks(page);

  it('names every file a reader writes', () => {
    const titles = blocks.filter((b) => b.title).map((b) => b.title);
    expect(titles).toEqual(['tsconfig.json', 'token.ts', 'service.ts', 'service.test.ts']);
    expect(blocks.find((b) => b.title === 'service.ts')?.code).toBe(
      readFileSync(new URL('../docs/examples/getting-started/service.ts', import.meta.url), 'utf8'),
    );
  });

  it('tells the starting points of the first section apart', () => {
    const setup = (choice: string) =>
      blocks.filter((b) => b.lang === 'sh' && b.choice === choice).map((b) => b.code);
    expect(setup('A')).toHaveLength(1);
    expect(setup('A')[0]).toContain('npm install @milkyway/core');
    expect(setup('B')[0]).toContain('npm create milkyway@latest hello');
    expect(setup('C')[0]).toContain('git clone');
    expect(blocks.filter((b) => b.choice && !b.section.startsWith('1.'))).toEqual([]);
  });

  it('has a command to run and the line it prints', () => {
    const run = blocks.findIndex((b) => b.section.startsWith('4. Run it') && b.lang === 'sh');
    expect(blocks[run]?.code.trim()).toBe('npx tsx service.ts');
    expect(JSON.parse(blocks[run + 1]?.code ?? '')).toMatchObject({ msg: 'hello 0.1.0 listening' });
  });
});

describe('comparing answers with the page', () => {
  const response = parseCurlResponse(
    'HTTP/1.1 401 Unauthorized\r\ncontent-type: application/problem+json\r\nwww-authenticate: Bearer\r\n\r\n{"status":401,"requestId":"b5e4c094-a1e9-49d4-adc3-4cac7c4e6611"}',
  );

  it('accepts what the page shows, ids matching by shape', () => {
    const shown =
      'HTTP/1.1 401 Unauthorized\nwww-authenticate: Bearer\n...\n\n{"status":401,"requestId":"00000000-1111-2222-3333-444444444444"}';
    expect(compareResponse(shown, response)).toEqual([]);
  });

  it('names each difference: status, a header, the body', () => {
    const shown =
      'HTTP/1.1 403 Forbidden\nwww-authenticate: Bearer error="x"\nx-missing: 1\n\n{"status":403,"requestId":"00000000-1111-2222-3333-444444444444"}';
    const problems = compareResponse(shown, response);
    expect(problems).toHaveLength(4);
    expect(problems[0]).toContain('status');
    expect(problems[1]).toContain('www-authenticate');
    expect(problems[2]).toContain('x-missing');
    expect(problems[3]).toContain('body');
  });

  it('matches ids and times by shape only, everything else exactly', () => {
    expect(
      matches(
        { time: 1795789362227, id: 'b59dbbf131aa044d' },
        { time: 1700000000000, id: '0123456789abcdef' },
      ),
    ).toBe(true);
    expect(matches({ time: 1795789362227 }, { time: 'later' })).toBe(false);
    expect(matches({ a: 'hello' }, { a: 'hello', extra: 1 })).toBe(false);
    expect(matches(['x'], ['x', 'y'])).toBe(false);
    expect(matches('92a0a685705241b966a1e10872f434c8', 'not a trace id')).toBe(false);
  });

  it('reads "..." in a shown log line as anything', () => {
    const output = '{"level":30,"time":1,"signal":"SIGINT","msg":"shutting down"}\n';
    expect(outputHasLine(output, '{"level":30,...,"signal":"SIGINT","msg":"shutting down"}')).toBe(
      true,
    );
    expect(outputHasLine(output, '{"level":30,...,"msg":"hello closed"}')).toBe(false);
  });
});
