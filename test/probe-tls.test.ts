import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ProbeOptions, probeWeb } from '../src/collect/probe/index.js';
import { startWebLab, type WebLab } from './helpers/web-server.js';

const LE = { O: "Let's Encrypt", CN: 'R11' };
const GTS = { O: 'Google Trust Services', CN: 'WE1' };
const manyHeaders = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`x-h${i}`, `v${i}`]));

let lab: WebLab;
let opts: ProbeOptions;

beforeAll(async () => {
  lab = await startWebLab({
    'le.test': {
      issuer: LE,
      headers: { server: 'cloudflare', 'cf-ray': '8a1-AMS', 'set-cookie': ['a=1', 'b=2'] },
    },
    'gts.test': { issuer: GTS, san: ['gts.test', '*.gts.test'], status: 204 },
    'self.test': { tls: 'self-signed' },
    'expired.test': { tls: 'expired', issuer: LE },
    'mismatch.test': { san: ['other.test'] },
    'many.test': { headers: { ...manyHeaders, 'x-long': 'z'.repeat(5000) } },
  });
  opts = { timeoutMs: 5000, connectTo: lab.connectTo(), ca: [lab.rootCaPem], loopbackOnly: true };
});
afterAll(() => lab.close());

describe('probeWeb over TLS', () => {
  it('reads certificate and headers from a single TLS connection', async () => {
    const before = { ...lab.connections };
    const { tls, http } = await probeWeb('le.test', '127.0.0.1', opts);
    expect(lab.connections).toEqual({ https: before.https + 1, http: before.http });
    expect(tls).toMatchObject({
      status: 'OK',
      authorized: true,
      subject: { CN: 'le.test' },
      issuer: { O: "Let's Encrypt", CN: 'R11' },
      san: ['le.test'],
      protocol: 'TLSv1.3',
    });
    expect(tls?.authorizationError).toBeUndefined();
    expect(tls?.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(Date.parse(tls!.validFrom!)).toBeLessThan(Date.now());
    expect(Date.parse(tls!.validTo!)).toBeGreaterThan(Date.now());
    expect(tls?.validTo).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
    expect(http).toMatchObject({ status: 'OK', scheme: 'https', httpStatus: 200, redirects: [] });
    expect(http.connectedTo).toBe(`127.0.0.1:${lab.httpsPort}`);
    expect(http.headers.server).toEqual(['cloudflare']);
    expect(http.headers['cf-ray']).toEqual(['8a1-AMS']);
    expect(http.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(http.error).toBeUndefined();
  });

  it('imitates other issuers and reads every SAN', async () => {
    const { tls, http } = await probeWeb('gts.test', '127.0.0.1', opts);
    expect(tls).toMatchObject({ authorized: true, issuer: GTS, san: ['gts.test', '*.gts.test'] });
    expect(http.httpStatus).toBe(204);
  });

  it('records an untrusted chain without the lab root', async () => {
    const { tls, http } = await probeWeb('le.test', '127.0.0.1', { ...opts, ca: undefined });
    expect(tls).toMatchObject({ status: 'OK', authorized: false, issuer: LE });
    expect(tls?.authorizationError).toMatch(/^UNABLE_TO_GET_ISSUER_CERT/);
    expect(http).toMatchObject({ status: 'OK', scheme: 'https', httpStatus: 200 });
  });

  it.each([
    ['self.test', 'DEPTH_ZERO_SELF_SIGNED_CERT'],
    ['expired.test', 'CERT_HAS_EXPIRED'],
    ['mismatch.test', 'ERR_TLS_CERT_ALTNAME_INVALID'],
  ])('records %s as unauthorized (%s), not as an error', async (domain, reason) => {
    const { tls, http } = await probeWeb(domain, '127.0.0.1', opts);
    expect(tls).toMatchObject({ status: 'OK', authorized: false, authorizationError: reason });
    expect(tls?.error).toBeUndefined();
    expect(http).toMatchObject({ status: 'OK', scheme: 'https', httpStatus: 200 });
  });

  it('reads the expiry of an expired certificate', async () => {
    const { tls } = await probeWeb('expired.test', '127.0.0.1', opts);
    expect(Date.parse(tls!.validTo!)).toBeLessThan(Date.now());
    expect(tls?.issuer).toEqual(LE);
  });

  it('bounds header count and value length', async () => {
    const { http } = await probeWeb('many.test', '127.0.0.1', opts);
    expect(Object.keys(http.headers)).toHaveLength(100);
    for (const values of Object.values(http.headers)) {
      for (const v of values) expect(v.length).toBeLessThanOrEqual(2048);
    }
  });

  it('answers an unknown host with the lab default (404)', async () => {
    const { tls, http } = await probeWeb('unknown.test', '127.0.0.1', opts);
    expect(tls).toMatchObject({
      status: 'OK',
      authorized: false,
      authorizationError: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
    expect(http).toMatchObject({ status: 'OK', httpStatus: 404 });
  });

  it('uses the DNS address with the port from a rule that keeps the host', async () => {
    const connectTo = [{ fromHost: 'le.test', fromPort: 443, toHost: null, toPort: lab.httpsPort }];
    // The DNS address is loopback, so a port-only rule needs allowPrivate (it names no target host).
    const { tls, http } = await probeWeb('le.test', '127.0.0.1', { ...opts, connectTo, allowPrivate: true });
    expect(tls?.authorized).toBe(true);
    expect(http.connectedTo).toBe(`127.0.0.1:${lab.httpsPort}`);
  });
});
