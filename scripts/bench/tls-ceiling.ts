// The HTTPS ceiling: a bare `tls.connect` probe doing the web half of a full audit and nothing
// else: connect, handshake with SNI, read and check the peer certificate, send GET /, read the
// response head, close. Same trust store (Node's roots + the lab root) and concurrency as the CLI.
import { checkServerIdentity, connect, createSecureContext, rootCertificates } from 'node:tls';

export interface TlsCeilingOptions {
  port: number;
  hosts: Iterable<string>;
  concurrency: number;
  caPem: string;
  timeoutMs?: number;
}

export interface TlsCeilingResult {
  probes: number;
  ok: number;
  /** Certificates that did not validate (chain or name): the lab should have none. */
  unauthorized: number;
  failed: number;
  timeouts: number;
  elapsedMs: number;
}

const REQUEST = (host: string) =>
  `GET / HTTP/1.1\r\nhost: ${host}\r\nuser-agent: singlepath-bench\r\naccept: */*\r\nconnection: close\r\n\r\n`;

export async function bareTlsCeiling(opts: TlsCeilingOptions): Promise<TlsCeilingResult> {
  const secureContext = createSecureContext({ ca: [...rootCertificates, opts.caPem] });
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const r: TlsCeilingResult = { probes: 0, ok: 0, unauthorized: 0, failed: 0, timeouts: 0, elapsedMs: 0 };
  const source = opts.hosts[Symbol.iterator]();

  const probe = (host: string) =>
    new Promise<void>((resolve) => {
      let head = '';
      let settled = false;
      const socket = connect({
        host: '127.0.0.1',
        port: opts.port,
        servername: host,
        secureContext,
        rejectUnauthorized: false,
        ALPNProtocols: ['http/1.1'],
      });
      const end = (outcome: 'ok' | 'failed' | 'timeout'): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        if (outcome === 'ok') r.ok++;
        else if (outcome === 'timeout') r.timeouts++;
        else r.failed++;
        resolve();
      };
      const timer = setTimeout(() => end('timeout'), timeoutMs);
      socket.on('error', () => end('failed'));
      socket.on('close', () => end('failed'));
      socket.once('secureConnect', () => {
        const cert = socket.getPeerCertificate();
        if (!socket.authorized || checkServerIdentity(host, cert)) r.unauthorized++;
        socket.write(REQUEST(host));
      });
      socket.on('data', (chunk: Buffer) => {
        head += chunk.toString('latin1');
        if (head.includes('\r\n\r\n')) end(head.startsWith('HTTP/1.1 ') ? 'ok' : 'failed');
      });
    });

  const started = performance.now();
  const worker = async (): Promise<void> => {
    for (let next = source.next(); !next.done; next = source.next()) {
      r.probes++;
      await probe(next.value);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  r.elapsedMs = performance.now() - started;
  return r;
}
