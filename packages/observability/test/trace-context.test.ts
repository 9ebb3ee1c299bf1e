import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TraceContextPropagator, tracedFetch, tracing } from '@milkyway/observability';
import { setupTelemetry, type Telemetry } from '@milkyway/observability/setup';
import {
  type Context,
  context,
  createContextKey,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  type SpanContext,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { listen } from './helpers.js';

// One test per rule of W3C Trace Context Level 2 (https://www.w3.org/TR/trace-context-2/),
// §3.2 traceparent, §3.3 tracestate, §3.4/3.5 mutations, and the random-trace-id flag.

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';
const valid = (flags = '01') => `00-${TRACE}-${PARENT}-${flags}`;

const propagator = new TraceContextPropagator();

/** Extracts from a header record; several fields of one header are given as an array. */
function extract(headers: Record<string, string | string[]>, into: Context = ROOT_CONTEXT) {
  return propagator.extract(into, headers, {
    get: (carrier, key) => (carrier as Record<string, string | string[]>)[key],
    keys: (carrier) => Object.keys(carrier as object),
  });
}
const remote = (headers: Record<string, string | string[]>) =>
  trace.getSpanContext(extract(headers));
/** The tracestate that survives extraction, as it would be sent on. */
const stateOf = (tracestate: string | string[]) =>
  remote({ traceparent: valid(), tracestate })?.traceState?.serialize();
function inject(ctx: Context, p = propagator) {
  const out: Record<string, string> = {};
  p.inject(ctx, out, defaultTextMapSetter);
  return out;
}
const passThrough = (headers: Record<string, string | string[]>) => inject(extract(headers));

describe('traceparent: a valid header', () => {
  it('is continued with its trace id, parent id and sampled flag', () => {
    expect(remote({ traceparent: valid('01') })).toEqual({
      traceId: TRACE,
      spanId: PARENT,
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
  });

  it('is read with optional whitespace (spaces, tabs) around it', () => {
    expect(remote({ traceparent: ` \t${valid()}\t ` })?.traceId).toBe(TRACE);
  });

  it('is read whatever the case of the header name', async () => {
    await withTelemetry(async () => {
      const { headers } = await callThrough({ TrAcEpArEnT: valid() });
      expect(headers.traceparent).toMatch(new RegExp(`^00-${TRACE}-`));
    });
  });
});

describe('traceparent: an invalid header is ignored (a new trace starts)', () => {
  it.each([
    ['version ff', `ff-${TRACE}-${PARENT}-01`],
    ['a version with a non-hex character', `.0-${TRACE}-${PARENT}-01`],
    ['a version in uppercase hex', `CC-${TRACE}-${PARENT}-01`],
    ['a one-character version', `0-${TRACE}-${PARENT}-01`],
    ['a three-character version', `000-${TRACE}-${PARENT}-01`],
  ])('with %s', (_, traceparent) => {
    expect(remote({ traceparent })).toBeUndefined();
  });

  it.each([
    ['a trailing character', `${valid()}.`],
    ['a fifth field', `${valid()}-what-the-future-will-be-like`],
  ])('of version 00 with %s', (_, traceparent) => {
    expect(remote({ traceparent })).toBeUndefined();
  });

  it('with an all-zero trace id', () => {
    expect(remote({ traceparent: `00-${'0'.repeat(32)}-${PARENT}-01` })).toBeUndefined();
  });

  it('with an all-zero parent id', () => {
    expect(remote({ traceparent: `00-${TRACE}-${'0'.repeat(16)}-01` })).toBeUndefined();
  });

  it.each([
    ['the trace id', `00-${TRACE.toUpperCase()}-${PARENT}-01`],
    ['the parent id', `00-${TRACE}-${PARENT.toUpperCase()}-01`],
    ['the flags', `00-${TRACE}-${PARENT}-0A`],
  ])('with uppercase hex in %s', (_, traceparent) => {
    expect(remote({ traceparent })).toBeUndefined();
  });

  it.each([
    ['a 31-character trace id', `00-${TRACE.slice(1)}-${PARENT}-01`],
    ['a 33-character trace id', `00-${TRACE}a-${PARENT}-01`],
    ['a 15-character parent id', `00-${TRACE}-${PARENT.slice(1)}-01`],
    ['a 17-character parent id', `00-${TRACE}-${PARENT}a-01`],
    ['one-character flags', `00-${TRACE}-${PARENT}-1`],
    ['three-character flags', `00-${TRACE}-${PARENT}-001`],
  ])('with %s', (_, traceparent) => {
    expect(remote({ traceparent })).toBeUndefined();
  });

  it.each([
    ['the trace id', `00-.${TRACE.slice(1)}-${PARENT}-01`],
    ['the parent id', `00-${TRACE}-${PARENT.slice(0, 15)}.-01`],
    ['the flags', `00-${TRACE}-${PARENT}-.0`],
  ])('with an illegal character in %s', (_, traceparent) => {
    expect(remote({ traceparent })).toBeUndefined();
  });

  it('sent twice (two header fields, or one field joined by a comma)', () => {
    expect(remote({ traceparent: [valid(), valid()] })).toBeUndefined();
    expect(remote({ traceparent: `${valid()}, ${valid()}` })).toBeUndefined();
  });

  it('when absent, leaves a lone tracestate unread', () => {
    expect(extract({ tracestate: 'foo=1,bar=2' })).toBe(ROOT_CONTEXT);
  });

  it('under another header name (trace-parent) is not read', () => {
    expect(remote({ 'trace-parent': valid() })).toBeUndefined();
  });

  it('and then its tracestate is not read either', () => {
    const ctx = extract({ traceparent: `ff-${TRACE}-${PARENT}-01`, tracestate: 'rojo=1' });
    expect(ctx).toBe(ROOT_CONTEXT);
  });
});

describe('traceparent: a higher version', () => {
  it('is read by its first four fields when nothing follows them', () => {
    expect(remote({ traceparent: `cc-${TRACE}-${PARENT}-01` })?.traceId).toBe(TRACE);
  });

  it('is read by its first four fields when a dash and unknown fields follow them', () => {
    const parent = remote({ traceparent: `cc-${TRACE}-${PARENT}-01-what-the-future-will-be-like` });
    expect(parent?.spanId).toBe(PARENT);
  });

  it('is ignored when its flags are followed by anything but a dash', () => {
    expect(remote({ traceparent: `cc-${TRACE}-${PARENT}-01.what-the-future` })).toBeUndefined();
  });

  it('is ignored when shorter than 55 characters', () => {
    expect(remote({ traceparent: `cc-${TRACE}-${PARENT}-1` })).toBeUndefined();
  });

  it('is sent on as version 00 (the highest version known)', () => {
    const out = passThrough({ traceparent: `cc-${TRACE}-${PARENT}-01-extra` });
    expect(out.traceparent).toBe(valid('01'));
  });
});

describe('trace-flags', () => {
  it('reads the sampled flag as a bit, not as the whole byte', () => {
    const flags = remote({ traceparent: valid('03') })?.traceFlags ?? 0;
    expect(flags & TraceFlags.SAMPLED).toBe(TraceFlags.SAMPLED);
  });

  it('sends the flags Level 2 does not define as zero', () => {
    expect(passThrough({ traceparent: valid('ff') }).traceparent).toBe(valid('03'));
  });

  it('passes a remote context through with its flags unchanged (no local span)', () => {
    expect(passThrough({ traceparent: valid('02') }).traceparent).toBe(valid('02'));
  });
});

describe('the random-trace-id flag with the OpenTelemetry SDK', () => {
  it('is kept on a continued trace that had it (-03 in, -03 out)', async () => {
    await withTelemetry(async () => {
      const { headers } = await callThrough({ traceparent: valid('03') });
      expect(headers.traceparent).toMatch(new RegExp(`^00-${TRACE}-[0-9a-f]{16}-03$`));
    });
  });

  it('is kept when the local sampler drops the trace (-02 in, -02 out)', async () => {
    await withTelemetry(async () => {
      const { headers } = await callThrough({ traceparent: valid('02') });
      expect(headers.traceparent).toMatch(new RegExp(`^00-${TRACE}-[0-9a-f]{16}-02$`));
    });
  });

  it('is not invented for a continued trace that did not have it (-01 in, -01 out)', async () => {
    await withTelemetry(async () => {
      const { headers } = await callThrough({ traceparent: valid('01') });
      expect(headers.traceparent).toMatch(/-01$/);
    });
  });

  it('is set on a trace this process starts (random ids)', async () => {
    await withTelemetry(async () => {
      const { headers } = await callThrough({});
      expect(headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-03$/);
    });
  });

  it('is set on a trace restarted after an invalid traceparent', async () => {
    await withTelemetry(async () => {
      const { headers } = await callThrough({ traceparent: `00-${'0'.repeat(32)}-${PARENT}-03` });
      expect(headers.traceparent).toMatch(/-03$/);
      expect(headers.traceparent).not.toContain('0'.repeat(32));
    });
  });

  it('is kept in the sampled bit the local sampler decides (never sampled: -02)', async () => {
    await withTelemetry(
      async () => {
        const { headers } = await callThrough({});
        expect(headers.traceparent).toMatch(/-02$/);
      },
      new ParentBasedSampler({ root: new AlwaysOffSampler() }),
    );
  });

  it('is not set on new traces when the ids are declared non-random', () => {
    const local = new TraceContextPropagator({ randomTraceIds: false });
    const span: SpanContext = { traceId: TRACE, spanId: PARENT, traceFlags: 1 };
    expect(inject(trace.setSpanContext(ROOT_CONTEXT, span), local).traceparent).toBe(valid('01'));
  });
});

describe('traceparent: mutations when sent on', () => {
  it('replaces the parent id with the local span id and keeps the trace id', async () => {
    await withTelemetry(async () => {
      const { headers } = await callThrough({ traceparent: valid() });
      const [, traceId, parentId] = headers.traceparent!.split('-');
      expect(traceId).toBe(TRACE);
      expect(parentId).not.toBe(PARENT);
    });
  });

  it('gives every outgoing call of a request the same trace id and its own parent id', async () => {
    await withTelemetry(async () => {
      const sent: string[] = [];
      const upstream = tracedFetch(async (input) => {
        sent.push((input as Request).headers.get('traceparent')!);
        return new Response('ok');
      });
      const app = new Hono();
      app.use(tracing());
      app.get('/', async (c) => {
        for (let i = 0; i < 3; i++) await (await upstream('http://upstream.test/')).text();
        return c.text('ok');
      });
      await app.request('/', { headers: { traceparent: valid('03') } });
      expect(new Set(sent.map((value) => value.split('-')[1]))).toEqual(new Set([TRACE]));
      expect(new Set(sent.map((value) => value.split('-')[2])).size).toBe(3);
      expect(sent.every((value) => value.endsWith('-03'))).toBe(true);
    });
  });

  it('injects nothing without a valid span in the context', () => {
    expect(inject(ROOT_CONTEXT)).toEqual({});
  });

  it('injects nothing when tracing is suppressed', () => {
    const suppressed = createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING');
    const ctx = extract({ traceparent: valid() }).setValue(suppressed, true);
    expect(inject(ctx)).toEqual({});
  });

  it('lists traceparent and tracestate as its fields', () => {
    expect(propagator.fields()).toEqual(['traceparent', 'tracestate']);
  });
});

describe('tracestate: a valid header', () => {
  it('is kept with its members in order', () => {
    expect(stateOf('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE')).toBe(
      'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE',
    );
  });

  it('sent as several header fields is combined in their order', () => {
    expect(stateOf(['foo=1,bar=2', 'rojo=1,congo=2', 'baz=3'])).toBe(
      'foo=1,bar=2,rojo=1,congo=2,baz=3',
    );
  });

  it('ignores spaces and tabs around members, and empty members', () => {
    expect(stateOf('foo=1 \t , \t bar=2,, \t ,baz=3\t')).toBe('foo=1,bar=2,baz=3');
  });

  it('accepts every character the Level 2 grammar allows in keys and values', () => {
    const key = `0abcdefghijklmnopqrstuvwxyz0123456789_-*/@`;
    const value = Array.from({ length: 0x7e - 0x20 + 1 }, (_, i) => String.fromCharCode(0x20 + i))
      .filter((ch) => ch !== ',' && ch !== '=')
      .join('');
    expect(stateOf(`${key}=${value}`)).toBe(`${key}=${value}`);
  });

  it('accepts multi-tenant keys (tenant@system)', () => {
    expect(stateOf('fw529a3039@dt=d4cda95b652f4a1592b449d5929fda1b')).toBe(
      'fw529a3039@dt=d4cda95b652f4a1592b449d5929fda1b',
    );
  });

  it('keeps the leading spaces of a value and drops its trailing ones', () => {
    expect(remote({ traceparent: valid(), tracestate: 'foo=  1  ' })?.traceState?.get('foo')).toBe(
      '  1',
    );
  });

  it('accepts a key of 256 characters and a value of 256 characters', () => {
    const entry = `${'k'.repeat(256)}=${'v'.repeat(256)}`;
    expect(stateOf(entry)).toBe(entry);
  });

  it('accepts 32 members', () => {
    const members = Array.from({ length: 32 }, (_, i) => `k${i}=${i}`).join(',');
    expect(stateOf(members)).toBe(members);
  });
});

describe('tracestate: an invalid header is discarded as a whole', () => {
  it.each([
    ['an uppercase letter', 'FOO=1'],
    ['a space inside', 'foo =1'],
    ['a dot', 'foo.bar=1'],
    ['a first character other than a letter or digit', '@foo=1'],
    ['an underscore first', '_foo=1'],
  ])('for a key with %s', (_, bad) => {
    expect(stateOf(`rojo=1,${bad},congo=2`)).toBeUndefined();
  });

  it('for a key longer than 256 characters', () => {
    expect(stateOf(`foo=1,${'z'.repeat(257)}=1`)).toBeUndefined();
  });

  it.each([
    ['an equals sign (foo=bar=baz)', 'foo=bar=baz'],
    ['a tab inside', 'foo=a\tb'],
    ['a non-ASCII character', 'foo=caf\u00e9'],
    ['a control character', 'foo=a\u0001b'],
  ])('for a value with %s', (_, bad) => {
    expect(stateOf(`rojo=1,${bad}`)).toBeUndefined();
  });

  it('for an empty value', () => {
    expect(stateOf('foo=,bar=3')).toBeUndefined();
  });

  it('for a value longer than 256 characters', () => {
    expect(stateOf(`foo=1,bar=${'v'.repeat(257)}`)).toBeUndefined();
  });

  it('for a member without an equals sign', () => {
    expect(stateOf('foo=1,bar')).toBeUndefined();
  });

  it('for more than 32 members', () => {
    expect(stateOf(Array.from({ length: 33 }, (_, i) => `k${i}=${i}`).join(','))).toBeUndefined();
  });

  it('for a duplicated key, in one field or across fields', () => {
    expect(stateOf('foo=1,foo=2')).toBeUndefined();
    expect(stateOf(['foo=1', 'foo=1'])).toBeUndefined();
  });

  it('while the traceparent is still continued', () => {
    expect(remote({ traceparent: valid(), tracestate: 'foo=bar=baz' })?.traceId).toBe(TRACE);
  });
});

describe('on the wire, between two real services', () => {
  it('keeps the random flag and sends no tracestate header for an invalid one', async () => {
    await withTelemetry(async () => {
      const received: string[][] = [];
      const upstream = createServer((request, response) => {
        received.push(request.rawHeaders);
        response.end('ok');
      });
      await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
      const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/`;
      const app = new Hono();
      app.use(tracing());
      const fetchTraced = tracedFetch();
      app.get('/', async (c) => c.text(await (await fetchTraced(upstreamUrl)).text()));
      const service = await listen(app);
      try {
        const response = await fetch(`${service.url}/`, {
          headers: { traceparent: valid('03'), tracestate: 'foo=bar=baz' },
        });
        expect(await response.text()).toBe('ok');
      } finally {
        await service.close();
        await new Promise<void>((resolve) => upstream.close(() => resolve()));
      }
      expect(received).toHaveLength(1);
      const names = received[0]!.filter((_, i) => i % 2 === 0).map((name) => name.toLowerCase());
      const traceparent = received[0]![names.indexOf('traceparent') * 2 + 1];
      expect(traceparent).toMatch(new RegExp(`^00-${TRACE}-[0-9a-f]{16}-03$`));
      expect(names).not.toContain('tracestate');
    });
  });
});

describe('tracestate: what is sent', () => {
  it('is never an empty tracestate header (an invalid one sends none)', () => {
    const out = passThrough({ traceparent: valid(), tracestate: 'foo=bar=baz' });
    expect(out).toEqual({ traceparent: valid() });
  });

  it('is never an empty tracestate header (an empty one sends none)', () => {
    expect(passThrough({ traceparent: valid(), tracestate: ' , ' })).toEqual({
      traceparent: valid(),
    });
  });

  it('follows the local span through the SDK, unchanged', async () => {
    await withTelemetry(async () => {
      const { headers } = await callThrough({
        traceparent: valid(),
        tracestate: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE',
      });
      expect(headers.tracestate).toBe('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
    });
  });

  it('never reaches the wire through the SDK when the incoming one was invalid', async () => {
    await withTelemetry(async () => {
      const { headers } = await callThrough({ traceparent: valid(), tracestate: 'foo=bar=baz' });
      expect('tracestate' in headers).toBe(false);
    });
  });

  it('moves an updated key to the left and drops the right-most member past 32', () => {
    const state = remote({
      traceparent: valid(),
      tracestate: Array.from({ length: 32 }, (_, i) => `k${i}=${i}`).join(','),
    })!.traceState!;
    const updated = state.set('k5', 'x');
    expect(updated.serialize().startsWith('k5=x,k0=0,k1=1,')).toBe(true);
    const added = state.set('mine', 'y').serialize().split(',');
    expect(added).toHaveLength(32);
    expect(added[0]).toBe('mine=y');
    expect(added.at(-1)).toBe('k30=30');
  });
});

// --- helpers: a traced Hono app that calls an upstream through tracedFetch ---

let telemetry: Telemetry | undefined;
afterEach(async () => {
  await telemetry?.shutdown();
  telemetry = undefined;
});

async function withTelemetry(
  body: () => Promise<void>,
  sampler = new ParentBasedSampler({ root: new AlwaysOnSampler() }),
) {
  telemetry = setupTelemetry({
    serviceName: 'test',
    traces: 'memory',
    spanProcessor: 'simple',
    metrics: 'none',
    sampler,
  });
  await body();
}

/** Sends `headers` to a traced app whose handler calls an upstream; returns what the upstream got. */
async function callThrough(headers: Record<string, string>) {
  const sent: Record<string, string> = {};
  const upstream = tracedFetch(async (input) => {
    (input as Request).headers.forEach((value, name) => {
      sent[name] = value;
    });
    return new Response('ok');
  });
  const app = new Hono();
  app.use(tracing());
  app.get('/', async (c) => c.text(await (await upstream('http://upstream.test/')).text()));
  const response = await app.request('/', { headers });
  expect(response.status).toBe(200);
  expect(context.active()).toBe(ROOT_CONTEXT);
  return { headers: sent };
}
