import dns from 'node:dns';
import net, { createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseConnectTo } from '../src/collect/connect-to.js';
import { createWebProber, type ProbeOptions, probeWeb } from '../src/collect/probe/index.js';
import { ConfigError } from '../src/errors.js';
import { startWebLab, type WebLab } from './helpers/web-server.js';

let lab: WebLab;
let opts: ProbeOptions;

beforeAll(async () => {
  lab = await startWebLab({
    'plain.test': { tls: 'none', headers: { server: 'nginx' } },
    'nothing.test': { tls: 'none', http: false },
    'hsfail.test': { tls: 'handshake-fail', headers: { server: 'apache' } },
    'slow.test': { slowHeadersMs: 20_000 },
    'huge.test': { hugeHeaders: true },
    'ok.test': {},
    'upgrade.test': {
      rawResponse: 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
    },
    'bare101.test': { rawResponse: 'HTTP/1.1 101 Switching Protocols\r\n\r\n' },
    'silent.test': { rawResponse: '' },
  });
  opts = { timeoutMs: 5000, connectTo: lab.connectTo(), ca: [lab.rootCaPem], loopbackOnly: true };
});
afterAll(() => lab.close());

describe('probeWeb failures', () => {
  it('records a refused 443 and falls back to HTTP on port 80', async () => {
    const { tls, http } = await probeWeb('plain.test', '127.0.0.1', opts);
    expect(tls).toMatchObject({
      status: 'CONN_REFUSED',
      authorized: false,
      san: [],
      error: { code: 'ECONNREFUSED' },
    });
    expect(http).toMatchObject({
      status: 'OK',
      scheme: 'http',
      httpStatus: 200,
      connectedTo: `127.0.0.1:${lab.httpPort}`,
    });
    expect(http.headers.server).toEqual(['nginx']);
  });

  it('records both refusals when nothing listens', async () => {
    const { tls, http } = await probeWeb('nothing.test', '127.0.0.1', opts);
    expect(tls?.status).toBe('CONN_REFUSED');
    expect(http).toMatchObject({ status: 'CONN_REFUSED', scheme: 'http', error: { code: 'ECONNREFUSED' } });
  });

  it('records a handshake failure as TLS_ERROR, then falls back to HTTP', async () => {
    const { tls, http } = await probeWeb('hsfail.test', '127.0.0.1', opts);
    expect(tls?.status).toBe('TLS_ERROR');
    expect(tls?.error?.code).toMatch(/^ERR_SSL_/);
    expect(tls?.error?.message).not.toMatch(/\n/);
    expect(http).toMatchObject({ status: 'OK', scheme: 'http', httpStatus: 200 });
    expect(http.headers.server).toEqual(['apache']);
  });

  it('times out a slow-drip server within the deadline, without falling back', async () => {
    const before = lab.connections.http;
    const started = Date.now();
    const { tls, http } = await probeWeb('slow.test', '127.0.0.1', { ...opts, timeoutMs: 1000 });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(tls?.status).toBe('OK');
    expect(http).toMatchObject({ status: 'TIMEOUT', scheme: 'https', error: { code: 'ETIMEDOUT' } });
    expect(lab.connections.http).toBe(before);
  });

  it('times out a TLS handshake that never completes, then falls back to HTTP', async () => {
    const held: Socket[] = [];
    const silent = createServer((socket) => void held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const connectTo = [parseConnectTo(`:443:127.0.0.1:${port}`), ...opts.connectTo];
    try {
      const { tls, http } = await probeWeb('ok.test', '127.0.0.1', { ...opts, connectTo, timeoutMs: 500 });
      expect(tls).toMatchObject({ status: 'TIMEOUT', error: { code: 'ETIMEDOUT' } });
      expect(tls!.durationMs).toBeLessThan(3000);
      expect(http).toMatchObject({ status: 'OK', scheme: 'http', httpStatus: 200 });
      expect(held).toHaveLength(1);
    } finally {
      for (const s of held) s.destroy();
      silent.close();
    }
  });

  it.each([
    [{ timeoutMs: 0 }, /timeoutMs/],
    [{ maxRedirects: -1 }, /maxRedirects/],
    [{ maxHeaderBytes: 10 }, /maxHeaderBytes/],
  ])('rejects bad limits %o', (bad, why) => {
    expect(() => createWebProber({ ...opts, ...bad })).toThrow(why);
  });

  it('reports oversized headers as TOO_LARGE', async () => {
    const { http } = await probeWeb('huge.test', '127.0.0.1', opts);
    expect(http).toMatchObject({
      status: 'TOO_LARGE',
      scheme: 'https',
      error: { code: 'HPE_HEADER_OVERFLOW' },
    });
  });

  it('accepts larger headers when maxHeaderBytes allows them', async () => {
    const { http } = await probeWeb('huge.test', '127.0.0.1', { ...opts, maxHeaderBytes: 256 * 1024 });
    expect(http).toMatchObject({ status: 'OK', httpStatus: 200 });
  });

  it('blocks a public address under loopbackOnly without connecting', async () => {
    const before = { ...lab.connections };
    const { tls, http } = await probeWeb('ok.test', '192.0.2.10', { ...opts, connectTo: [] });
    expect(tls).toMatchObject({ status: 'ERROR', error: { code: 'BLOCKED' } });
    expect(http).toMatchObject({ status: 'ERROR', error: { code: 'BLOCKED' } });
    expect(http.error?.message).toMatch(/blocked/);
    expect(lab.connections).toEqual(before);
  });

  it('reaches a public address only through a connect-to rule to the lab', async () => {
    const { http } = await probeWeb('ok.test', '192.0.2.10', opts);
    expect(http).toMatchObject({ status: 'OK', httpStatus: 200, connectedTo: `127.0.0.1:${lab.httpsPort}` });
  });

  it('returns NO_ADDRESS without connecting when there is no address and no rule', async () => {
    const before = { ...lab.connections };
    const { tls, http } = await probeWeb('ok.test', null, { ...opts, connectTo: [] });
    expect(tls?.status).toBe('NO_ADDRESS');
    expect(http).toMatchObject({ status: 'NO_ADDRESS', scheme: 'http' });
    expect(lab.connections).toEqual(before);
  });

  it('connects through a rule even when DNS gave no address', async () => {
    const { http } = await probeWeb('ok.test', null, opts);
    expect(http).toMatchObject({ status: 'OK', httpStatus: 200 });
  });

  it('never sends a non-IP target to the system resolver', async () => {
    const { http } = await probeWeb('ok.test', 'ok.test', { ...opts, connectTo: [] });
    expect(http).toMatchObject({ status: 'ERROR', error: { code: 'NOT_AN_IP' } });
  });

  it('sends the request on the connection it opened: no lookup, no second connection', async () => {
    // node:http would open (and name-resolve) a connection of its own if it ignored ours.
    const lookup = vi.spyOn(dns, 'lookup');
    const connect = vi.spyOn(net, 'createConnection');
    try {
      const probe = createWebProber(opts);
      const [https, fallback] = await Promise.all([
        probe('ok.test', '127.0.0.1'),
        probe('plain.test', '127.0.0.1'),
      ]);
      expect([https.http.scheme, https.http.httpStatus]).toEqual(['https', 200]);
      expect([fallback.http.scheme, fallback.http.httpStatus]).toEqual(['http', 200]);
      expect(lookup).not.toHaveBeenCalled();
      expect(connect).not.toHaveBeenCalled();
    } finally {
      lookup.mockRestore();
      connect.mockRestore();
    }
  });

  it.each([
    ['upgrade.test', 'UNEXPECTED_UPGRADE'],
    ['bare101.test', 'UNEXPECTED_UPGRADE'],
    ['silent.test', 'NO_RESPONSE'],
  ])('%s: answered at once as HTTP_ERROR %s, not left to the deadline', async (host, code) => {
    const started = performance.now();
    const { tls, http } = await probeWeb(host, '127.0.0.1', opts);
    expect(tls?.status).toBe('OK');
    expect(http).toMatchObject({ status: 'HTTP_ERROR', scheme: 'https', error: { code } });
    expect(performance.now() - started).toBeLessThan(opts.timeoutMs / 2);
  });

  it('rejects a user agent that is not printable ASCII, up front', () => {
    expect(() => createWebProber({ ...opts, userAgent: 'a\r\nx-injected: 1' })).toThrow(ConfigError);
    expect(() => createWebProber({ ...opts, userAgent: 'naïve' })).toThrow(/printable ASCII/);
  });

  it('rejects a bad --ca-file entry up front, and probeWeb still resolves', async () => {
    expect(() => createWebProber({ ...opts, ca: ['not a certificate'] })).toThrow(ConfigError);
    const { http } = await probeWeb('ok.test', '127.0.0.1', { ...opts, ca: ['not a certificate'] });
    expect(http.status).toBe('ERROR');
  });

  it('gives a prober that serves many probes with one trust context', async () => {
    const probe = createWebProber(opts);
    const results = await Promise.all(['ok.test', 'plain.test', 'ok.test'].map((d) => probe(d, '127.0.0.1')));
    expect(results.map((r) => [r.tls?.status, r.http.scheme, r.http.httpStatus])).toEqual([
      ['OK', 'https', 200],
      ['CONN_REFUSED', 'http', 200],
      ['OK', 'https', 200],
    ]);
  });

  it('maps a connect-to rule for port 80 only on the fallback path', async () => {
    const rules = [
      parseConnectTo(`plain.test:443:127.0.0.1:${lab.refusedPort}`),
      parseConnectTo(`:80:127.0.0.1:${lab.httpPort}`),
    ];
    const { tls, http } = await probeWeb('plain.test', '127.0.0.1', { ...opts, connectTo: rules });
    expect(tls?.status).toBe('CONN_REFUSED');
    expect(http.connectedTo).toBe(`127.0.0.1:${lab.httpPort}`);
  });
});
