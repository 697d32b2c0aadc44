// One GET over a socket the probe opened itself, so the TLS handshake that gave the certificate
// also carries the request (one connection per probe; no second DNS lookup by undici).
import type { Socket } from 'node:net';
import { Client } from 'undici';
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

// Passed to destroy() on the normal path: without one, undici builds a RequestAbortedError or
// ClientDestroyedError per probe, and Node formats its stack when the stream is destroyed. Nobody
// sees these (no request is pending; the body has an error listener that ignores it).
const BODY_NOT_READ = Object.assign(new Error('response body not read'), { code: 'BODY_NOT_READ' });
const PROBE_DONE = Object.assign(new Error('probe finished'), { code: 'PROBE_DONE' });

export async function exchange(
  socket: Socket,
  url: URL,
  opts: ExchangeOptions,
  limit: Deadline,
): Promise<Exchange> {
  let handedOver = false;
  const remaining = Math.max(1, limit.remaining());
  const client = new Client(url.origin, {
    // Deferred: undici's own connectors answer asynchronously, and a synchronous answer lands
    // inside its resume loop, which then never dispatches the request.
    connect: (_options, callback) =>
      process.nextTick(() => {
        // Single use: a reconnect would need a new handshake the probe did not inspect.
        if (handedOver || socket.destroyed) {
          callback(codedError('ECONNRESET', 'connection closed before the request'), null);
          return;
        }
        handedOver = true;
        callback(null, socket);
      }),
    maxHeaderSize: opts.maxHeaderBytes,
    // Backstops only: the probe's own deadline below fires first and decides.
    headersTimeout: remaining + 1000,
    bodyTimeout: remaining + 1000,
  });
  let timedOut = false;
  // undici's own timers are coarse (~1 s ticks) and restart on 1xx responses: the deadline is ours.
  const timer = setTimeout(() => {
    timedOut = true;
    client.destroy(codedError('ETIMEDOUT', `no response headers within ${limit.ms} ms`)).catch(noop);
  }, remaining);
  try {
    const res = await client.request({
      method: 'GET',
      path: url.pathname + url.search,
      headers: { 'user-agent': opts.userAgent, accept: '*/*' },
      // Not `reset: true` (connection: close): undici then destroys the socket with an error whose
      // stack Node formats, on every probe. The finally block below closes the connection anyway,
      // so nothing is kept alive.
      reset: false,
    });
    res.body.on('error', noop);
    res.body.destroy(BODY_NOT_READ);
    const headers = boundHeaders(res.headers);
    const location = headers.location?.[0];
    return location === undefined
      ? { status: res.statusCode, headers }
      : { status: res.statusCode, headers, location };
  } catch (err) {
    if (timedOut) throw codedError('ETIMEDOUT', `no response headers within ${limit.ms} ms`);
    throw err;
  } finally {
    clearTimeout(timer);
    client.destroy(PROBE_DONE).catch(noop);
  }
}
