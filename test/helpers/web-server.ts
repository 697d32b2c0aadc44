// Loopback web lab: one HTTPS server choosing its certificate by SNI and one HTTP server, both
// answering per Host header from fixture data. Shared by probe tests, the demo and the benchmark.

import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import { type ConnectToRule, parseConnectTo } from '../../src/collect/connect-to.js';
import { type IssuerName, LAB_ISSUER, type LeafRevocation, labRoot, leafCert } from './certs.js';

export type LabTls = 'ok' | 'self-signed' | 'expired' | 'handshake-fail' | 'none';

export interface LabSite {
  /** Default 200, or 302 when a Location is sent. */
  status?: number;
  headers?: Record<string, string | string[]>;
  /** Intermediate the leaf is signed by (default the lab issuer). */
  issuer?: IssuerName;
  /**
   * Default 'ok'. 'handshake-fail' answers the ClientHello with a fatal alert (clients offering ALPN).
   * 'none' routes port 443 to a closed port in connectTo(); a direct hit is dropped during the handshake.
   */
  tls?: LabTls;
  /** Default true; false routes port 80 to a closed port in connectTo(). */
  http?: boolean;
  /** Location header; a function gets the request path (chains, loops) and may return none. */
  redirect?: string | ((path: string) => string | undefined);
  /** Drip header lines for this long before finishing the response head. */
  slowHeadersMs?: number;
  /** Send ~64 KiB of response headers. */
  hugeHeaders?: boolean;
  /** Certificate SANs (default: the site's host). */
  san?: string[];
  /** Send this many extra small headers (x-n-0: 0 ...). */
  headerCount?: number;
  /** Write these bytes (latin1) as the whole response, head included: header values no Node server would send. */
  rawResponse?: string;
  /** Send the head, then body chunks for as long as the connection stays open. */
  endlessBody?: boolean;
  /** Read the request and never answer. */
  noResponse?: boolean;
  /** Send 103 Early Hints every drip interval for this long before the real response. */
  earlyHintsMs?: number;
  /**
   * Revocation URLs and must-staple in the leaf; `staple` answers a client's status_request with a
   * successful OCSP response (true) or a "try later" one (never signed: the probe only asks whether
   * the server staples).
   */
  revocation?: LeafRevocation & { staple?: boolean | 'tryLater' };
}

export interface WebLabOptions {
  /** Interval between dripped header lines (default 100 ms). */
  dripIntervalMs?: number;
  /** Ports on 127.0.0.1 (default: free ones). */
  httpsPort?: number;
  httpPort?: number;
}

export interface WebLab {
  httpsPort: number;
  httpPort: number;
  /** A port nothing listens on: connections are refused. */
  refusedPort: number;
  rootCaPem: string;
  readonly requests: number;
  /** TCP connections accepted by each server (a failed handshake still counts). */
  readonly connections: { https: number; http: number };
  /** Requests per Host (lower-case, without port). */
  hits(host: string): number;
  /** Body bytes written to clients by endlessBody sites. */
  readonly endlessBytes: number;
  /** Rules sending every lab site (and any other host) to this lab, honouring tls 'none' / http false. */
  connectTo(): ConnectToRule[];
  /** The same rules as --connect-to strings (for CLI runs). */
  connectToSpecs(): string[];
  close(): Promise<void>;
}

const DEFAULT_HOST = 'default.lab.invalid';

function hostOf(req: IncomingMessage): string {
  const host = (req.headers.host ?? '').toLowerCase();
  return host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
}

function drip(socket: Socket, ms: number, intervalMs: number): void {
  const until = Date.now() + ms;
  let n = 0;
  socket.write('HTTP/1.1 200 OK\r\n');
  const timer = setInterval(() => {
    if (socket.destroyed) return clearInterval(timer);
    if (Date.now() < until) return void socket.write(`x-drip-${n++}: .\r\n`);
    clearInterval(timer);
    socket.end('content-length: 0\r\nconnection: close\r\n\r\n');
  }, intervalMs);
  socket.once('close', () => clearInterval(timer));
}

/** Body chunks until the peer goes away; `sent` counts the bytes the kernel took. */
function endless(res: ServerResponse, intervalMs: number, sent: { bytes: number }): void {
  res.writeHead(200, { 'content-type': 'application/octet-stream' });
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  const timer = setInterval(
    () => {
      if (res.destroyed || res.socket?.destroyed) return clearInterval(timer);
      if (res.write(chunk)) sent.bytes += chunk.length;
    },
    Math.max(1, intervalMs >> 4),
  );
  res.once('close', () => clearInterval(timer));
}

function earlyHints(res: ServerResponse, ms: number, intervalMs: number, then: () => void): void {
  const until = Date.now() + ms;
  const timer = setInterval(() => {
    if (res.destroyed) return clearInterval(timer);
    if (Date.now() < until) return void res.writeEarlyHints({ link: '</x.css>; rel=preload; as=style' });
    clearInterval(timer);
    then();
  }, intervalMs);
  res.once('close', () => clearInterval(timer));
}

function respond(res: ServerResponse, site: LabSite, path: string, host: string): void {
  const headers: Record<string, string | string[]> = { 'content-type': 'text/plain', ...site.headers };
  for (let i = 0; i < (site.headerCount ?? 0); i++) headers[`x-n-${i}`] = String(i);
  const location = typeof site.redirect === 'function' ? site.redirect(path) : site.redirect;
  if (location !== undefined) headers.location = location;
  if (site.hugeHeaders) {
    for (let i = 0; i < 64; i++) headers[`x-lab-huge-${i}`] = 'h'.repeat(1024);
  }
  res.writeHead(site.status ?? (location !== undefined ? 302 : 200), headers).end(`lab: ${host}\n`);
}

function listen(server: Server, port = 0): Promise<number> {
  server.listen({ host: '127.0.0.1', port, backlog: 4096 });
  return once(server, 'listening').then(() => (server.address() as AddressInfo).port);
}

async function closedPort(): Promise<number> {
  const probe = createNetServer();
  const port = await listen(probe);
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

export async function startWebLab(input: Record<string, LabSite>, opts: WebLabOptions = {}): Promise<WebLab> {
  const sites = new Map(Object.entries(input).map(([host, site]) => [host.toLowerCase(), site]));
  const dripIntervalMs = opts.dripIntervalMs ?? 100;
  const root = await labRoot();
  const contexts = new Map<string, Promise<SecureContext>>();
  /** Leaf DER (base64) → the OCSP response to staple for it. */
  const staples = new Map<string, true | 'tryLater'>();
  const sockets = new Set<Socket>();
  const hits = new Map<string, number>();
  const connections = { https: 0, http: 0 };
  const sent = { bytes: 0 };
  let requests = 0;

  // Certificates are made on first SNI for a host, then reused.
  const contextFor = (host: string, site: LabSite | undefined): Promise<SecureContext> => {
    // Keyed by what the certificate holds: sites sharing a wildcard share one context.
    const cacheKey = site?.san
      ? JSON.stringify([site.san, site.issuer ?? null, site.tls ?? null, site.revocation ?? null])
      : host;
    let ctx = contexts.get(cacheKey);
    if (!ctx) {
      const kind = site?.tls === 'self-signed' || site?.tls === 'expired' ? site.tls : 'ok';
      const { staple, ...revocation } = site?.revocation ?? {};
      const leaf = leafCert({
        hosts: site?.san ?? [host],
        issuer: site?.issuer ?? LAB_ISSUER,
        kind,
        ...(site?.revocation ? { revocation } : {}),
      });
      ctx = leaf.then(({ cert, key, leafPem }) => {
        if (staple) staples.set(new X509Certificate(leafPem).raw.toString('base64'), staple);
        return createSecureContext({ cert, key });
      });
      contexts.set(cacheKey, ctx);
    }
    return ctx;
  };
  const fallback = await leafCert({ hosts: [DEFAULT_HOST] });

  const handler = (scheme: 'https' | 'http') => (req: IncomingMessage, res: ServerResponse) => {
    requests++;
    const host = hostOf(req);
    hits.set(host, (hits.get(host) ?? 0) + 1);
    const site = sites.get(host);
    if (!site) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('lab: unknown host\n');
      return;
    }
    if (scheme === 'http' && site.http === false) return void req.socket.destroy();
    // Reached only by clients that offer no ALPN, which the handshake failure cannot stop.
    if (scheme === 'https' && site.tls === 'handshake-fail') return void req.socket.destroy();
    if (site.slowHeadersMs) return drip(req.socket, site.slowHeadersMs, dripIntervalMs);
    if (site.noResponse) return;
    if (site.rawResponse !== undefined) return void req.socket.end(Buffer.from(site.rawResponse, 'latin1'));
    if (site.endlessBody) return endless(res, dripIntervalMs, sent);
    if (site.earlyHintsMs)
      return earlyHints(res, site.earlyHintsMs, dripIntervalMs, () =>
        respond(res, site, req.url ?? '/', host),
      );
    respond(res, site, req.url ?? '/', host);
  };

  const https = createHttpsServer(
    {
      cert: fallback.cert,
      key: fallback.key,
      SNICallback: (servername, cb) => {
        const host = servername.toLowerCase();
        const site = sites.get(host);
        if (site?.tls === 'none') return cb(new Error(`lab: no TLS for ${host}`), undefined);
        contextFor(site && site.tls !== 'handshake-fail' ? host : DEFAULT_HOST, site).then(
          (ctx) => cb(null, ctx),
          (err: Error) => cb(err, undefined),
        );
      },
      // SNI errors only drop the connection; a failed ALPN choice sends a real fatal alert (120),
      // which is what 'handshake-fail' should look like to a client.
      ALPNCallback: ({ servername, protocols }) =>
        sites.get(servername?.toLowerCase())?.tls === 'handshake-fail' || !protocols.includes('http/1.1')
          ? undefined
          : 'http/1.1',
      keepAliveTimeout: 2000,
    },
    handler('https'),
  );
  const http = createHttpServer({ keepAliveTimeout: 2000 }, handler('http'));
  const track = (kind: 'https' | 'http') => (socket: Socket) => {
    connections[kind]++;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  https.on('connection', track('https'));
  http.on('connection', track('http'));
  https.on('tlsClientError', (_err, socket) => socket.destroy());
  https.on(
    'OCSPRequest',
    (certificate: Buffer, _issuer: Buffer, callback: (err: Error | null, response?: Buffer) => void) => {
      const staple = staples.get(certificate.toString('base64'));
      callback(null, staple ? ocspResponse(staple === 'tryLater' ? 3 : 0) : undefined);
    },
  );
  for (const server of [https, http]) server.on('clientError', (_err, socket: Socket) => socket.destroy());

  const [httpsPort, httpPort, refusedPort] = await Promise.all([
    listen(https, opts.httpsPort),
    listen(http, opts.httpPort),
    closedPort(),
  ]);
  const connectToSpecs = (): string[] => {
    const specs: string[] = [];
    for (const [host, site] of sites) {
      if (site.tls === 'none') specs.push(`${host}:443:127.0.0.1:${refusedPort}`);
      if (site.http === false) specs.push(`${host}:80:127.0.0.1:${refusedPort}`);
    }
    specs.push(`:443:127.0.0.1:${httpsPort}`, `:80:127.0.0.1:${httpPort}`);
    return specs;
  };

  return {
    httpsPort,
    httpPort,
    refusedPort,
    rootCaPem: root.certPem,
    get requests() {
      return requests;
    },
    connections,
    get endlessBytes() {
      return sent.bytes;
    },
    hits: (host) => hits.get(host.toLowerCase()) ?? 0,
    connectToSpecs,
    connectTo: () => connectToSpecs().map(parseConnectTo),
    async close() {
      for (const socket of sockets) socket.destroy();
      await Promise.all([https, http].map((s) => new Promise((resolve) => s.close(resolve))));
    },
  };
}

/**
 * An OCSPResponse (RFC 6960) with this status; a successful one carries a basic response whose
 * body is placeholder bytes (the probe reads the status only, it never verifies a staple).
 */
function ocspResponse(status: number): Buffer {
  const der = (tag: number, body: Buffer) => {
    const len =
      body.length < 128
        ? Buffer.from([body.length])
        : Buffer.from([0x82, body.length >> 8, body.length & 0xff]);
    return Buffer.concat([Buffer.from([tag]), len, body]);
  };
  const statusTlv = der(0x0a, Buffer.from([status]));
  if (status !== 0) return der(0x30, statusTlv);
  const basic = Buffer.from([0x06, 0x09, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01]); // id-pkix-ocsp-basic
  const bytes = der(0x30, Buffer.concat([basic, der(0x04, Buffer.from('singlepath lab staple'))]));
  return der(0x30, Buffer.concat([statusTlv, der(0xa0, bytes)]));
}
