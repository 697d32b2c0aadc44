import { KeyObject, webcrypto, X509Certificate } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditDocument } from '../src/types.js';
import { labRoot } from './helpers/certs.js';
import { runCli } from './helpers/cli.js';
import { type Lab, type LabFixture, startLab } from './helpers/lab.js';
import type { LabSite } from './helpers/web-server.js';

// Hostile and broken web servers through the real CLI: each failure mode is one domain of the
// same run, ends in its own status, and leaves the others whole.

const Z = 'webfault.test';
const TIMEOUT_MS = 1000;
const counter = (path: string) => `/r${Number(path.slice(2) || 0) + 1}`;

const SITES: Record<string, LabSite> = {
  [`ok.${Z}`]: { headers: { 'cf-ray': '1-FRA' } },
  [`ok2.${Z}`]: { headers: { 'cf-ray': '2-FRA' } },
  [`ttfb.${Z}`]: { noResponse: true },
  [`drip.${Z}`]: { slowHeadersMs: 30_000 },
  [`hints.${Z}`]: { earlyHintsMs: 30_000 },
  [`body.${Z}`]: { endlessBody: true, headers: { 'cf-ray': '3-FRA' } },
  [`hugehdr.${Z}`]: { hugeHeaders: true },
  [`manyhdr.${Z}`]: { headerCount: 1000 },
  [`badhdr.${Z}`]: { rawResponse: 'HTTP/1.1 200 OK\r\nx-evil: \u001b[31mred\r\ncontent-length: 0\r\n\r\n' },
  [`endless.${Z}`]: { redirect: counter },
  [`pingpong.${Z}`]: { redirect: (p) => (p === '/a' ? '/b' : '/a') },
  [`cross.${Z}`]: { redirect: `https://elsewhere.${Z}/` },
  [`elsewhere.${Z}`]: {},
  [`selfsigned.${Z}`]: { tls: 'self-signed' },
  [`expired.${Z}`]: { tls: 'expired' },
  [`hsfail.${Z}`]: { tls: 'handshake-fail', headers: { 'cf-ray': '4-FRA' } },
  // Served on :443 by the servers below; the lab answers their HTTP fallback on :80.
  [`garbage.${Z}`]: {},
  [`badcert.${Z}`]: {},
  [`stalltls.${Z}`]: {},
  [`chain10.${Z}`]: {},
};

const fixture: LabFixture = {
  zones: [Z],
  records: Object.keys(SITES).map((name, i) => ({ name, type: 'A' as const, data: `104.16.4.${i + 1}` })),
  sites: SITES,
};

// --- servers the lab does not have: each speaks something that is not (quite) TLS ----------------

const raw: { server: Server; sockets: Set<Socket> }[] = [];

async function listen(server: Server): Promise<number> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('error', () => {});
    s.once('close', () => sockets.delete(s));
  });
  raw.push({ server, sockets });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

/** Answers a ClientHello with an HTML error page: plain HTTP on the TLS port. */
function garbageServer(): Promise<number> {
  return listen(
    createServer((s) =>
      s.once('data', () => s.end('HTTP/1.1 400 Bad Request\r\n\r\n<html>\u0000\u00ff not TLS</html>')),
    ),
  );
}

function tlsRecord(type: number, body: Buffer): Buffer {
  const head = Buffer.from([type, 3, 3, body.length >> 8, body.length & 255]);
  return Buffer.concat([head, body]);
}

function handshake(type: number, body: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from([type, body.length >> 16, (body.length >> 8) & 255, body.length & 255]),
    body,
  ]);
}

/** A hand-written TLS 1.2 ServerHello followed by a Certificate message whose certificate is not DER. */
function badCertServer(): Promise<number> {
  const ext = Buffer.from([0xff, 0x01, 0x00, 0x01, 0x00]); // renegotiation_info, empty
  const hello = Buffer.concat([
    Buffer.from([3, 3]),
    Buffer.alloc(32, 0x42), // server random
    Buffer.from([0, 0xc0, 0x2f, 0, 0, ext.length]), // no session id, ECDHE-RSA-AES128-GCM, no compression
    ext,
  ]);
  // A SEQUENCE claiming four gigabytes, then noise.
  const notDer = Buffer.concat([Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff]), Buffer.alloc(200, 0x5a)]);
  const one = Buffer.concat([Buffer.from([0, notDer.length >> 8, notDer.length & 255]), notDer]);
  const list = Buffer.concat([Buffer.from([0, one.length >> 8, one.length & 255]), one]);
  const flight = tlsRecord(
    22,
    Buffer.concat([handshake(2, hello), handshake(11, list), handshake(14, Buffer.alloc(0))]),
  );
  return listen(createServer((s) => s.once('data', () => s.write(flight))));
}

/** Accepts the connection and never says anything: only the probe's deadline ends the handshake. */
function silentServer(): Promise<number> {
  return listen(createServer(() => {}));
}

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const DAY = 86_400_000;

/** Leaf for `host` under `depth` intermediates below the lab root, PEM chain leaf first. */
async function longChain(host: string, depth: number): Promise<{ cert: string; key: string }> {
  x509.cryptoProvider.set(webcrypto as unknown as webcrypto.Crypto);
  const root = await labRoot();
  const gen = () =>
    webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as Promise<webcrypto.CryptoKeyPair>;
  const validity = { notBefore: new Date(Date.now() - DAY), notAfter: new Date(Date.now() + 30 * DAY) };
  let issuer = { name: root.cert.subjectName, keys: root.keys };
  const chain: string[] = [];
  for (let i = 1; i <= depth; i++) {
    const keys = await gen();
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: (0x1000 + i).toString(16),
      subject: `O=singlepath lab, CN=Hostile Intermediate ${i}`,
      issuer: issuer.name,
      ...validity,
      signingAlgorithm: ALG,
      publicKey: keys.publicKey,
      signingKey: issuer.keys.privateKey,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true),
      ],
    });
    chain.unshift(cert.toString('pem'));
    issuer = { name: cert.subjectName, keys };
  }
  const keys = await gen();
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: '0abc',
    subject: `CN=${host}`,
    issuer: issuer.name,
    ...validity,
    signingAlgorithm: ALG,
    publicKey: keys.publicKey,
    signingKey: issuer.keys.privateKey,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: host }])],
  });
  const key = KeyObject.from(keys.privateKey).export({ type: 'pkcs8', format: 'pem' }).toString();
  return { cert: [leaf.toString('pem'), ...chain].join('\n'), key };
}

async function chainServer(host: string, depth: number): Promise<number> {
  const { cert, key } = await longChain(host, depth);
  return listen(
    createTlsServer({ cert, key, ALPNProtocols: ['http/1.1'] }, (s) =>
      s.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\nserver: chain-lab\r\n\r\n'),
    ),
  );
}

let lab: Lab;
let doc: AuditDocument;
let elapsed: number;

beforeAll(async () => {
  lab = await startLab(fixture);
  const own = {
    [`garbage.${Z}`]: await garbageServer(),
    [`badcert.${Z}`]: await badCertServer(),
    [`stalltls.${Z}`]: await silentServer(),
    [`chain10.${Z}`]: await chainServer(`chain10.${Z}`, 10),
  };
  // First match wins: these come before the lab's catch-all rules.
  const rules = Object.entries(own).flatMap(([host, port]) => [
    '--connect-to',
    `${host}:443:127.0.0.1:${port}`,
  ]);
  const started = Date.now();
  const run = await runCli(
    ['audit', '-', '--format', 'json', '--timeout', String(TIMEOUT_MS), ...rules, ...lab.args()],
    { stdin: Object.keys(SITES).join('\n') },
  );
  elapsed = Date.now() - started;
  expect(run.code, run.stderr).toBe(0);
  doc = JSON.parse(run.stdout);
}, 60_000);

afterAll(async () => {
  for (const { server, sockets } of raw) {
    for (const s of sockets) s.destroy();
    server.close();
  }
  await lab?.close();
});

const get = (name: string) => {
  const d = doc.domains.find((x) => x.domain === `${name}.${Z}`);
  if (!d) throw new Error(`${name} missing from the output`);
  return d;
};

describe('hostile web servers through the CLI: one fault per domain, the rest unharmed', () => {
  it('every input domain is in the output', () => {
    expect(doc.domains).toHaveLength(Object.keys(SITES).length);
  });

  it.each([
    ['ttfb', 'TIMEOUT'],
    ['drip', 'TIMEOUT'],
    ['hints', 'TIMEOUT'],
    ['hugehdr', 'TOO_LARGE'],
    ['badhdr', 'HTTP_ERROR'],
  ])('HTTP: %s ends in %s on the HTTPS connection, within the deadline', (name, status) => {
    const http = get(name!).observations.http!;
    expect(get(name!).error?.code).toBe(status);
    expect(http).toMatchObject({ status, scheme: 'https' });
    expect(http.durationMs).toBeLessThan(TIMEOUT_MS + 1500);
  });

  it.each([
    ['garbage', 'TLS_ERROR'],
    ['badcert', 'TLS_ERROR'],
    ['hsfail', 'TLS_ERROR'],
    ['stalltls', 'TIMEOUT'],
  ])(
    'TLS: %s ends in %s, then the probe falls back to plain HTTP (no-https, not a failure)',
    (name, status) => {
      const d = get(name!);
      expect(d.error).toBeUndefined();
      expect(d.risks.filter((f) => f.kind === 'no-https').map((f) => f.args.status)).toEqual([status]);
      expect(d.observations.tls).toMatchObject({ status, authorized: false });
      expect(d.observations.tls!.durationMs).toBeLessThan(TIMEOUT_MS + 1500);
      expect(d.observations.http).toMatchObject({ status: 'OK', scheme: 'http', httpStatus: 200 });
    },
  );

  it('a body that never ends is not read: the probe finishes right after the headers', () => {
    const d = get('body');
    expect(d.error).toBeUndefined();
    expect(d.observations.http).toMatchObject({ status: 'OK', httpStatus: 200 });
    expect(d.observations.http!.durationMs).toBeLessThan(TIMEOUT_MS);
    expect(d.dependencies.some((x) => x.layer === 'cdn' && x.provider === 'cloudflare')).toBe(true);
  });

  it('a thousand headers: accepted within the byte limit, at most 100 kept', () => {
    const http = get('manyhdr').observations.http!;
    expect(http).toMatchObject({ status: 'OK', httpStatus: 200 });
    expect(Object.keys(http.headers).length).toBe(100);
  });

  it('redirects: an endless chain stops after 5 follows, a loop at the first repeat, another host is not visited', () => {
    const endless = get('endless').observations.http!;
    expect(endless).toMatchObject({ status: 'OK', httpStatus: 302 });
    expect(endless.redirects).toHaveLength(6);
    expect(lab.web.hits(`endless.${Z}`)).toBe(6);
    const loop = get('pingpong').observations.http!;
    expect(loop.redirects.map((r) => r.location)).toEqual(['/a', '/b', '/a']);
    const cross = get('cross').observations.http!;
    expect(cross.redirects).toEqual([{ status: 302, location: `https://elsewhere.${Z}/` }]);
    // elsewhere.webfault.test is audited in its own right once, never through the redirect.
    expect(lab.web.hits(`elsewhere.${Z}`)).toBe(1);
  });

  it('self-signed and expired certificates are read and reported as untrusted, not as failures', () => {
    const self = get('selfsigned').observations.tls!;
    expect(self).toMatchObject({ status: 'OK', authorized: false });
    expect(self.authorizationError).toMatch(/SELF_SIGNED/);
    expect(get('selfsigned').dependencies.find((d) => d.layer === 'ca')?.provider).toBe('self');
    const expired = get('expired').observations.tls!;
    expect(expired).toMatchObject({
      status: 'OK',
      authorized: false,
      authorizationError: 'CERT_HAS_EXPIRED',
    });
    expect(expired.issuer?.CN).toBe('Lab Issuing CA 1');
  });

  it('a chain of 10 intermediates validates, and its leaf names the last one', () => {
    const tls = get('chain10').observations.tls!;
    expect(tls).toMatchObject({ status: 'OK', authorized: true, issuer: { CN: 'Hostile Intermediate 10' } });
    expect(get('chain10').observations.http).toMatchObject({ status: 'OK', httpStatus: 200 });
  });

  it('the healthy domains around the faults are complete', () => {
    for (const name of ['ok', 'ok2']) {
      const d = get(name);
      expect(d.error).toBeUndefined();
      expect(d.observations.tls?.authorized).toBe(true);
      expect(d.dependencies.map((x) => `${x.layer}:${x.provider}`)).toContain('cdn:cloudflare');
    }
  });

  it('the whole run is bounded by the probe deadlines, not by the servers', () => {
    // Two phases of 1 s at most per domain, domains in parallel; 30 s drips do not count.
    expect(elapsed).toBeLessThan(10_000);
  });
});

/** OpenSSL's default max_cert_list (SSL_MAX_CERT_LIST_DEFAULT), which Node does not change. */
const MAX_CERT_LIST = 100 * 1024;

describe('TLS bounds at and past their value (OpenSSL limits, probe level)', () => {
  const probeChain = async (cert: string, key: string, host: string) => {
    const port = await listen(
      createTlsServer({ cert, key }, (s) => s.end('HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n')),
    );
    const { probeWeb } = await import('../src/collect/probe/index.js');
    const { parseConnectTo } = await import('../src/collect/connect-to.js');
    return probeWeb(host, '104.16.4.200', {
      timeoutMs: 5000,
      connectTo: [parseConnectTo(`${host}:443:127.0.0.1:${port}`)],
      ca: [lab.web.rootCaPem],
      loopbackOnly: true,
    });
  };

  it('verify depth: 100 intermediates validate, 101 do not (the leaf is still read)', async () => {
    const at = await longChain(`d100.${Z}`, 100);
    const past = await longChain(`d101.${Z}`, 101);
    const a = await probeChain(at.cert, at.key, `d100.${Z}`);
    expect(a.tls).toMatchObject({ status: 'OK', authorized: true });
    const p = await probeChain(past.cert, past.key, `d101.${Z}`);
    expect(p.tls).toMatchObject({
      status: 'OK',
      authorized: false,
      issuer: { CN: 'Hostile Intermediate 101' },
    });
    expect(p.tls?.authorizationError).toBe('UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
    expect(p.http).toMatchObject({ status: 'OK', httpStatus: 204 });
  }, 30_000);

  it('certificate message size: a chain under 100 KiB is read, one over it is a TLS_ERROR', async () => {
    const { cert, key } = await longChain(`big.${Z}`, 1);
    const [leaf, intermediate] = cert.split(/\n(?=-----BEGIN)/) as [string, string];
    const der = (pem: string) => new X509Certificate(pem).raw.length + 3;
    // Copies of the intermediate that bring the Certificate message just under / over the limit.
    const copies = (bytes: number) => Math.floor((bytes - der(leaf)) / der(intermediate));
    const padded = (n: number) => [leaf, ...Array<string>(n).fill(intermediate)].join('\n');
    const at = await probeChain(padded(copies(MAX_CERT_LIST - 1024)), key, `big.${Z}`);
    expect(at.tls).toMatchObject({ status: 'OK' });
    const past = await probeChain(padded(copies(MAX_CERT_LIST + 1024)), key, `big.${Z}`);
    expect(past.tls).toMatchObject({
      status: 'TLS_ERROR',
      error: { code: 'ERR_SSL_EXCESSIVE_MESSAGE_SIZE' },
    });
  }, 30_000);
});
