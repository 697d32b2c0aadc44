import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ProbeOptions, probeWeb } from '../src/collect/probe/index.js';
import { startWebLab, type WebLab } from './helpers/web-server.js';

const chain: Record<string, string> = { '/': '/one', '/one': 'https://chain.test/two' };
const counter = (path: string) => `/r${Number(path.slice(2) || 0) + 1}`;

let lab: WebLab;
let opts: ProbeOptions;

beforeAll(async () => {
  lab = await startWebLab({
    'chain.test': { redirect: (p) => chain[p], headers: { 'x-first': 'yes' } },
    'cross.test': { redirect: 'https://www.away.test/landing', status: 301 },
    'www.away.test': {},
    'self.test': { redirect: '/' },
    'pingpong.test': { redirect: (p) => (p === '/a' ? '/b' : '/a') },
    'endless.test': { redirect: counter },
    'upgrade.test': {
      tls: 'handshake-fail',
      redirect: (p) => (p === '/' ? 'https://upgrade.test/' : undefined),
    },
  });
  opts = { timeoutMs: 5000, connectTo: lab.connectTo(), ca: [lab.rootCaPem], loopbackOnly: true };
});
afterAll(() => lab.close());

describe('probeWeb redirects', () => {
  it('follows same-host redirects, records each, keeps the first response', async () => {
    const { http } = await probeWeb('chain.test', '127.0.0.1', opts);
    expect(http).toMatchObject({ status: 'OK', scheme: 'https', httpStatus: 302 });
    expect(http.headers['x-first']).toEqual(['yes']);
    expect(http.headers.location).toEqual(['/one']);
    expect(http.redirects).toEqual([
      { status: 302, location: '/one' },
      { status: 302, location: 'https://chain.test/two' },
    ]);
    expect(lab.hits('chain.test')).toBe(3);
  });

  it('records a cross-host redirect without following it', async () => {
    const { http } = await probeWeb('cross.test', '127.0.0.1', opts);
    expect(http.httpStatus).toBe(301);
    expect(http.redirects).toEqual([{ status: 301, location: 'https://www.away.test/landing' }]);
    expect(lab.hits('www.away.test')).toBe(0);
  });

  it('follows a cross-host redirect when asked, through connect-to only', async () => {
    const { http } = await probeWeb('cross.test', '127.0.0.1', { ...opts, followCrossHost: true });
    expect(http.redirects).toHaveLength(1);
    expect(lab.hits('www.away.test')).toBe(1);
    // Without a rule for the other host there is no address: the chain stops, no DNS is asked.
    const rules = [{ fromHost: 'cross.test', fromPort: null, toHost: '127.0.0.1', toPort: lab.httpsPort }];
    const before = lab.hits('www.away.test');
    const res = await probeWeb('cross.test', null, { ...opts, connectTo: rules, followCrossHost: true });
    expect(res.http).toMatchObject({ status: 'OK', httpStatus: 301 });
    expect(lab.hits('www.away.test')).toBe(before);
  });

  it.each([
    ['self.test', 1, 1],
    ['pingpong.test', 3, 3],
  ])('stops the loop on %s', async (domain, recorded, requests) => {
    const before = lab.hits(domain);
    const { http } = await probeWeb(domain, '127.0.0.1', opts);
    expect(http.redirects).toHaveLength(recorded);
    expect(lab.hits(domain) - before).toBe(requests);
  });

  it('follows at most maxRedirects hops', async () => {
    const { http } = await probeWeb('endless.test', '127.0.0.1', { ...opts, maxRedirects: 3 });
    expect(http.redirects.map((r) => r.location)).toEqual(['/r1', '/r2', '/r3', '/r4']);
    expect(lab.hits('endless.test')).toBe(4);
  });

  it('follows an HTTP-to-HTTPS redirect on the fallback path and stops when TLS fails again', async () => {
    const { tls, http } = await probeWeb('upgrade.test', '127.0.0.1', opts);
    expect(tls?.status).toBe('TLS_ERROR');
    expect(http).toMatchObject({ status: 'OK', scheme: 'http', httpStatus: 302 });
    expect(http.redirects).toEqual([{ status: 302, location: 'https://upgrade.test/' }]);
  });
});
