import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSans } from '../src/collect/probe/cert.js';
import {
  boundHeaders,
  MAX_HEADERS,
  MAX_VALUE_LENGTH,
  MAX_VALUES_PER_HEADER,
} from '../src/collect/probe/headers.js';
import { type ProbeOptions, probeWeb } from '../src/collect/probe/index.js';
import { oneLine } from '../src/collect/probe/status.js';
import { startWebLab, type WebLab } from './helpers/web-server.js';

// Each HTTP/TLS bound of docs/bounds.md at its value and just past it.

const DEFAULT_MAX_HEADER_BYTES = 16384;
const upTo = (n: number) => `/r${n}`;
const limited = (n: number) => (path: string) => {
  const i = Number(path.slice(2) || 0);
  return i < n ? upTo(i + 1) : undefined;
};

let lab: WebLab;
let opts: ProbeOptions;

beforeAll(async () => {
  lab = await startWebLab(
    {
      // Header blocks just under and just over 16 KiB (status line and lab headers included).
      'hdr-at.test': { headers: { 'x-pad': 'a'.repeat(DEFAULT_MAX_HEADER_BYTES - 400) } },
      'hdr-past.test': { headers: { 'x-pad': 'a'.repeat(DEFAULT_MAX_HEADER_BYTES + 100) } },
      'five.test': { redirect: limited(5) },
      'six.test': { redirect: limited(6) },
      'drip-at.test': { slowHeadersMs: 400 },
      'drip-past.test': { slowHeadersMs: 3000 },
    },
    { dripIntervalMs: 50 },
  );
  opts = { timeoutMs: 1500, connectTo: lab.connectTo(), ca: [lab.rootCaPem], loopbackOnly: true };
});
afterAll(() => lab.close());

describe('HTTP bounds (probe)', () => {
  it(`response head: under ${DEFAULT_MAX_HEADER_BYTES} bytes is read, over it is TOO_LARGE`, async () => {
    const at = await probeWeb('hdr-at.test', '104.16.5.1', opts);
    expect(at.http).toMatchObject({ status: 'OK', httpStatus: 200 });
    const past = await probeWeb('hdr-past.test', '104.16.5.2', opts);
    expect(past.http).toMatchObject({ status: 'TOO_LARGE', error: { code: 'HPE_HEADER_OVERFLOW' } });
  });

  it('redirects: 5 are followed to the end, the 6th is recorded and not followed', async () => {
    const five = await probeWeb('five.test', '104.16.5.3', opts);
    expect(five.http.redirects).toHaveLength(5);
    expect(lab.hits('five.test')).toBe(6);
    const six = await probeWeb('six.test', '104.16.5.4', opts);
    expect(six.http.redirects).toHaveLength(6);
    expect(lab.hits('six.test')).toBe(6);
  });

  it('time to headers: a response inside the deadline is read, a slower drip is TIMEOUT at the deadline', async () => {
    const at = await probeWeb('drip-at.test', '104.16.5.5', opts);
    expect(at.http).toMatchObject({ status: 'OK', httpStatus: 200 });
    const started = performance.now();
    const past = await probeWeb('drip-past.test', '104.16.5.6', opts);
    expect(past.http).toMatchObject({ status: 'TIMEOUT', error: { code: 'ETIMEDOUT' } });
    const took = performance.now() - started;
    expect(took).toBeGreaterThanOrEqual(opts.timeoutMs - 50);
    expect(took).toBeLessThan(opts.timeoutMs + 1000);
  });
});

describe('header and certificate field bounds (pure)', () => {
  const headers = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`x-${i}`, 'v']));

  it(`keeps ${MAX_HEADERS} headers at the bound and past it`, () => {
    expect(Object.keys(boundHeaders(headers(MAX_HEADERS)))).toHaveLength(MAX_HEADERS);
    expect(Object.keys(boundHeaders(headers(MAX_HEADERS + 1)))).toHaveLength(MAX_HEADERS);
  });

  it('drops a header named __proto__ rather than letting it replace the prototype', () => {
    const raw = JSON.parse('{"__proto__": ["x"], "server": "nginx"}');
    const out = boundHeaders(raw);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(out).toEqual({ server: ['nginx'] });
    expect(Object.keys(out)).toEqual(['server']);
  });

  it(`keeps ${MAX_VALUES_PER_HEADER} values of one header`, () => {
    const values = (n: number) => Array.from({ length: n }, (_, i) => `c${i}`);
    expect(boundHeaders({ 'set-cookie': values(MAX_VALUES_PER_HEADER) })['set-cookie']).toHaveLength(
      MAX_VALUES_PER_HEADER,
    );
    expect(boundHeaders({ 'set-cookie': values(MAX_VALUES_PER_HEADER + 1) })['set-cookie']).toHaveLength(
      MAX_VALUES_PER_HEADER,
    );
  });

  it(`cuts values at ${MAX_VALUE_LENGTH} characters`, () => {
    expect(boundHeaders({ server: 'a'.repeat(MAX_VALUE_LENGTH) }).server![0]).toHaveLength(MAX_VALUE_LENGTH);
    expect(boundHeaders({ server: 'a'.repeat(MAX_VALUE_LENGTH + 1) }).server![0]).toHaveLength(
      MAX_VALUE_LENGTH,
    );
  });

  it('keeps 500 certificate SANs of 253 characters at most', () => {
    const sans = (n: number) => Array.from({ length: n }, (_, i) => `DNS:h${i}.test`).join(', ');
    expect(parseSans(sans(500))).toHaveLength(500);
    expect(parseSans(sans(501))).toHaveLength(500);
    expect(parseSans(`DNS:${'a'.repeat(300)}`)[0]).toHaveLength(253);
  });

  it('error messages: one line, 200 characters', () => {
    expect(oneLine(`${'x'.repeat(199)}`)).toHaveLength(199);
    expect(oneLine(`a\r\nb\u001b[31m${'x'.repeat(300)}`)).toHaveLength(200);
    expect(oneLine('a\r\nb')).toBe('a b');
  });
});
