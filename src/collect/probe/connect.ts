// Where to connect and how: the address DNS already resolved (never a second lookup), rewritten
// by --connect-to, refused in private ranges unless allowed, refused outside loopback when the
// lab asks, opened under the phase deadline.
import { isIP, isIPv4, connect as netConnect, type Socket } from 'node:net';
import {
  type ConnectionOptions,
  type PeerCertificate,
  type SecureContext,
  type TLSSocket,
  connect as tlsConnect,
} from 'node:tls';
import { type AddressClass, classifyAddress } from '../../net/private.js';
import type { ErrorInfo, Status } from '../../types.js';
import { applyConnectTo, type ConnectToRule } from '../connect-to.js';
import { codedError } from './status.js';

export interface Deadline {
  readonly ms: number;
  remaining(): number;
}

export function deadline(ms: number): Deadline {
  const at = performance.now() + ms;
  return { ms, remaining: () => Math.max(0, Math.floor(at - performance.now())) };
}

export type Target =
  | { ok: true; ip: string; port: number; label: string }
  | { ok: false; status: Status; error: ErrorInfo };

function isLoopback(ip: string): boolean {
  const v4 = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  return isIPv4(v4) && v4.startsWith('127.');
}

const RANGE_NAME: Record<Exclude<AddressClass, 'public'>, string> = {
  loopback: 'loopback',
  private: 'private-network',
  'link-local': 'link-local',
  cgnat: 'CGNAT',
  metadata: 'cloud-metadata',
  reserved: 'reserved',
};

export function resolveTarget(
  host: string,
  address: string | null,
  port: number,
  opts: { connectTo: readonly ConnectToRule[]; loopbackOnly?: boolean; allowPrivate?: boolean },
): Target {
  const applied = applyConnectTo(opts.connectTo, host, port);
  // A rule that keeps the host still means "the address DNS gave".
  const ip = applied.rule?.toHost ?? address;
  if (ip === null) {
    return {
      ok: false,
      status: 'NO_ADDRESS',
      error: { code: 'NO_ADDRESS', message: `no address for ${host}` },
    };
  }
  if (!isIP(ip)) {
    // Connecting to a name would make Node ask the system resolver behind the user's back.
    return { ok: false, status: 'ERROR', error: { code: 'NOT_AN_IP', message: `not an IP address: ${ip}` } };
  }
  // A --connect-to rule naming the target host is the user's explicit choice; an address that
  // only DNS (or a redirect) chose — including under a port-only rule — must not steer a probe
  // into a private network or a metadata service.
  const range = applied.rule?.toHost ? 'public' : classifyAddress(ip);
  if (range !== 'public' && !opts.allowPrivate) {
    const message = `${ip} is a ${RANGE_NAME[range]} address: not probed (--allow-private to probe it)`;
    return { ok: false, status: 'PRIVATE_ADDRESS', error: { code: 'PRIVATE_ADDRESS', message } };
  }
  if (opts.loopbackOnly && !isLoopback(ip)) {
    const message = `blocked: ${ip} is outside 127.0.0.0/8 (loopbackOnly)`;
    return { ok: false, status: 'ERROR', error: { code: 'BLOCKED', message } };
  }
  const label = isIP(ip) === 6 ? `[${ip}]:${applied.port}` : `${ip}:${applied.port}`;
  return { ok: true, ip, port: applied.port, label };
}

function noop(): void {}

/** Resolves once `ready` fires; any error, early close or the deadline rejects and destroys. */
function settle<T extends Socket>(
  socket: T,
  ready: 'connect' | 'secureConnect',
  limit: Deadline,
): Promise<T> {
  // Stays attached: undici adds its own listener later, and an error in between must not crash.
  socket.on('error', noop);
  return new Promise<T>((resolve, reject) => {
    const fail = (err: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    const onClose = (): void => fail(codedError('ECONNRESET', 'connection closed before it was established'));
    const onTimeout = (): void => fail(codedError('ETIMEDOUT', `not connected within ${limit.ms} ms`));
    const timer = setTimeout(onTimeout, limit.remaining());
    socket.once('error', fail);
    socket.once('close', onClose);
    socket.once(ready, () => {
      clearTimeout(timer);
      socket.off('error', fail);
      socket.off('close', onClose);
      resolve(socket);
    });
  });
}

export function openTcp(ip: string, port: number, limit: Deadline): Promise<Socket> {
  return settle(netConnect({ host: ip, port }), 'connect', limit);
}

const staples = new WeakMap<TLSSocket, Buffer>();

/** The OCSP response the server stapled in the handshake, if it sent one. */
export function stapledResponse(socket: TLSSocket): Buffer | undefined {
  return staples.get(socket);
}

/** Never rejects on an untrusted certificate: trust is read from socket.authorized afterwards. */
export function openTls(
  ip: string,
  port: number,
  servername: string,
  secureContext: SecureContext,
  limit: Deadline,
): Promise<TLSSocket> {
  // `requestOCSP` is a TLSSocket option tls.connect passes on; @types/node lists it for TLSSocket only.
  const options: ConnectionOptions & { requestOCSP: boolean } = {
    host: ip,
    port,
    // SNI carries names only (RFC 6066); an IP literal domain goes without.
    ...(isIP(servername) ? {} : { servername }),
    secureContext,
    rejectUnauthorized: false,
    ALPNProtocols: ['http/1.1'],
    // status_request: whether the server staples an OCSP response is part of the CA layer.
    requestOCSP: true,
  };
  const socket = tlsConnect(options);
  socket.once('OCSPResponse', (response: Buffer) => staples.set(socket, response));
  leafOnly(socket);
  return settle(socket, 'secureConnect', limit);
}

/**
 * Node's handshake check calls getPeerCertificate(true), which converts the whole chain to
 * objects (~0.4 ms a connection), only to read the leaf's subject and subjectaltname in
 * checkServerIdentity. The probe reads the leaf alone too (cert.ts), so this socket answers every
 * call with the leaf, converted once: the same identity check and facts at a tenth of the cost.
 */
function leafOnly(socket: TLSSocket): void {
  const read = socket.getPeerCertificate;
  let leaf: PeerCertificate | undefined;
  socket.getPeerCertificate = function (this: TLSSocket) {
    if (leaf) return leaf;
    const cert = read.call(this, false);
    // Empty (no certificate yet, or none sent): not worth keeping.
    if (cert && Object.keys(cert).length > 0) leaf = cert;
    return cert;
  } as TLSSocket['getPeerCertificate'];
}
