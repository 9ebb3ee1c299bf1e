import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';

let app: ReturnType<typeof createApp>;
let port: number;

beforeAll(async () => {
  app = createApp();
  ({ port } = await app.listen({ port: 0, hostname: '127.0.0.1', signals: false }));
});
afterAll(() => app.close());

/**
 * Sends the request head, then `rest` (the body and a pipelined request) — after the first
 * answer arrived when `afterAnswer`, like a client still uploading — then ends its side.
 * Resolves with everything the server sent once the connection closed cleanly; rejects on a
 * reset or after 10 s, never hangs.
 */
function exchange(head: string, rest: string, afterAnswer: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    let received = '';
    let sent = false;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no clean close within 10 s; received: ${received}`));
    }, 10_000);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (!sent && received.includes('\r\n\r\n')) {
        sent = true;
        socket.end(rest);
      }
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(received);
    });
    if (afterAnswer) socket.write(head);
    else {
      sent = true;
      socket.end(head + rest);
    }
  });
}

function statuses(text: string): number[] {
  return [...text.matchAll(/^HTTP\/1\.1 (\d{3}) /gm)].map((match) => Number(match[1]));
}

const pipelined = 'GET /hello/ada HTTP/1.1\r\nHost: hello\r\n\r\n';

describe('hello over a real socket: answers sent before the body was read', () => {
  it('answers an oversized Content-Length body 413 problem+json, then closes cleanly', async () => {
    const size = 2 * 1024 * 1024;
    const text = await exchange(
      `POST /names HTTP/1.1\r\nHost: hello\r\nContent-Type: application/json\r\nContent-Length: ${size}\r\n\r\n`,
      'x'.repeat(size) + pipelined,
      true,
    );
    expect(statuses(text)).toEqual([413]);
    expect(text).toMatch(/\r\ncontent-type: application\/problem\+json\r\n/i);
    expect(text).toMatch(/\r\nconnection: close\r\n/i);
  });

  it('answers an oversized chunked body 413 problem+json, then closes cleanly', async () => {
    const chunk = 'x'.repeat(64 * 1024);
    const body = `${`${chunk.length.toString(16)}\r\n${chunk}\r\n`.repeat(20)}0\r\n\r\n`;
    // The limit is found while reading the body: everything is sent at once.
    const text = await exchange(
      'POST /names HTTP/1.1\r\nHost: hello\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
      body + pipelined,
      false,
    );
    expect(statuses(text)).toEqual([413]);
    expect(text).toMatch(/\r\nconnection: close\r\n/i);
  });

  it('answers a body of the wrong media type 415 before reading it, and serves nothing pipelined', async () => {
    const text = await exchange(
      'POST /names HTTP/1.1\r\nHost: hello\r\nContent-Type: text/plain\r\nContent-Length: 300000\r\n\r\n',
      'x'.repeat(300_000) + pipelined,
      true,
    );
    expect(statuses(text)).toEqual([415]);
    expect(text).toMatch(/\r\nconnection: close\r\n/i);
  });
});
