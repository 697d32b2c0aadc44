// One GET over a socket the probe opened itself, so the TLS handshake that gave the certificate
// also carries the request (one connection per probe; no second DNS lookup).
//
// The request goes through node:http's client on that socket (Node's native llhttp parser, with
// its header-size bound) rather than an undici Client: a Client built and torn down per probe
// cost ~150-200 us of CPU a probe on the lab (its wasm parser, dispatcher and the errors it
// builds on teardown), about a tenth of a full audit's CPU per domain. undici still serves the
// catalogue and ASN downloads (update/), where a pooled client is what is wanted.
import { type ClientRequest, type IncomingMessage, request } from 'node:http';
import type { Socket } from 'node:net';
import type { Deadline } from './connect.js';
import { boundHeaders } from './headers.js';
import { codedError } from './status.js';

export interface Exchange {
  status: number;
  headers: Record<string, string[]>;
  location?: string;
}

export interface ExchangeOptions {
  maxHeaderBytes: number;
  userAgent: string;
}

function noop(): void {}

/** Response headers as undici gave them: names lower-cased, every value kept, first-seen order. */
function rawHeaders(res: IncomingMessage): Record<string, string[]> {
  const out: Record<string, string[]> = Object.create(null);
  const raw = res.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const values = out[name];
    if (values) values.push(raw[i + 1]!);
    else out[name] = [raw[i + 1]!];
  }
  return out;
}

/** node:http's "socket hang up" (no syscall behind it): the peer closed without a response. */
function requestError(err: Error): Error {
  const e = err as NodeJS.ErrnoException;
  return e.code === 'ECONNRESET' && e.syscall === undefined
    ? codedError('NO_RESPONSE', 'connection closed before a response')
    : err;
}

const upgraded = () => codedError('UNEXPECTED_UPGRADE', 'the server switched protocols (101) on a plain GET');

export function exchange(
  socket: Socket,
  url: URL,
  opts: ExchangeOptions,
  limit: Deadline,
): Promise<Exchange> {
  if (socket.destroyed)
    return Promise.reject(codedError('ECONNRESET', 'connection closed before the request'));
  return new Promise<Exchange>((resolve, reject) => {
    let settled = false;
    let req: ClientRequest | undefined;
    let timer: NodeJS.Timeout | undefined;
    const settle = (err: Error | null, value?: Exchange): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // The body is never read: the connection ends with the response head.
      req?.destroy();
      socket.destroy();
      if (err) reject(err);
      else resolve(value!);
    };
    try {
      req = request({
        method: 'GET',
        path: url.pathname + url.search,
        // The socket is ours and already connected: no agent, no lookup, no second connection.
        createConnection: () => socket,
        setHost: false,
        headers: { host: url.host, 'user-agent': opts.userAgent, accept: '*/*' },
        maxHeaderSize: opts.maxHeaderBytes,
        // Strict parsing: a malformed head is the peer's fault and an HTTP_ERROR, not a guess.
        insecureHTTPParser: false,
      });
    } catch (err) {
      // Invalid request bytes (a library caller's user agent): the socket must not stay open.
      settle(err as Error);
      return;
    }
    // 1xx responses are skipped by the parser (a server sending them forever meets the deadline).
    timer = setTimeout(
      () => settle(codedError('ETIMEDOUT', `no response headers within ${limit.ms} ms`)),
      Math.max(1, limit.remaining()),
    );
    req.on('error', (err) => settle(requestError(err)));
    // A 101 with Upgrade: without this listener node:http drops the socket and says nothing.
    req.on('upgrade', () => settle(upgraded()));
    req.on('response', (res) => {
      res.on('error', noop);
      if (res.statusCode === 101) return settle(upgraded());
      const headers = boundHeaders(rawHeaders(res));
      const location = headers.location?.[0];
      const status = res.statusCode ?? 0;
      settle(null, location === undefined ? { status, headers } : { status, headers, location });
    });
    req.end();
  });
}
