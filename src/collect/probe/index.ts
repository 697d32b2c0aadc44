// HTTPS first, on one TLS connection that yields both the certificate and the response headers;
// plain HTTP on port 80 only when TLS could not be established.
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';
import { ConfigError } from '../../errors.js';
import type { HttpObservation, Status, TlsObservation } from '../../types.js';
import type { ConnectToRule } from '../connect-to.js';
import { readCertificate } from './cert.js';
import { type Deadline, deadline, openTcp, openTls, resolveTarget } from './connect.js';
import { type ChainConfig, followRedirects } from './redirects.js';
import { errorInfo, statusOf } from './status.js';

export interface ProbeOptions {
  /** Bound for each phase (HTTPS, then the HTTP fallback): connect, handshake, headers, redirects. */
  timeoutMs: number;
  connectTo: ConnectToRule[];
  /** Extra trusted roots (PEM), added to Node's default roots. */
  ca?: string[];
  maxHeaderBytes?: number;
  maxRedirects?: number;
  followCrossHost?: boolean;
  userAgent?: string;
  /** Probe DNS answers in private/loopback/link-local/CGNAT/metadata ranges (default false; --connect-to still overrides). */
  allowPrivate?: boolean;
  /** Refuse any address outside 127.0.0.0/8 (the test lab's safety net). */
  loopbackOnly?: boolean;
}

export interface WebProbeResult {
  http: HttpObservation;
  tls?: TlsObservation;
}

export type WebProber = (domain: string, address: string | null) => Promise<WebProbeResult>;

export const DEFAULT_USER_AGENT = 'singlepath (provider dependency audit)';

function urlHost(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}

function since(start: number): number {
  return Math.round(performance.now() - start);
}

function failedTls(status: Status, error: TlsObservation['error'], durationMs: number): TlsObservation {
  return { status, san: [], authorized: false, durationMs, ...(error ? { error } : {}) };
}

export function failedHttp(scheme: 'https' | 'http', err: unknown, durationMs: number): HttpObservation {
  return { status: statusOf(err), scheme, headers: {}, redirects: [], durationMs, error: errorInfo(err) };
}

/** Building a context from ~150 roots costs ~20 ms, so it is built once per prober. */
function trustContext(ca: readonly string[] | undefined): SecureContext {
  if (!ca || ca.length === 0) return createSecureContext();
  ca.forEach((pem, i) => {
    try {
      new X509Certificate(pem);
    } catch {
      throw new ConfigError(`--ca-file: entry ${i + 1} is not a PEM certificate`);
    }
  });
  return createSecureContext({ ca: [...rootCertificates, ...ca] });
}

async function httpsPhase(host: string, address: string | null, cfg: ChainConfig): Promise<WebProbeResult> {
  const start = performance.now();
  const target = resolveTarget(host, address, 443, cfg);
  if (!target.ok)
    return { tls: failedTls(target.status, target.error, 0), http: await httpPhase(host, address, cfg) };
  const limit = deadline(cfg.timeoutMs);
  let tls: TlsObservation;
  try {
    const socket = await openTls(target.ip, target.port, host, cfg.secureContext, limit);
    tls = { status: 'OK', ...readCertificate(socket, host), durationMs: since(start) };
    const url = new URL(`https://${urlHost(host)}/`);
    return { tls, http: await followRedirects(url, socket, target.label, address, cfg, limit, start) };
  } catch (err) {
    tls = failedTls(statusOf(err), errorInfo(err), since(start));
  }
  return { tls, http: await httpPhase(host, address, cfg) };
}

async function httpPhase(host: string, address: string | null, cfg: ChainConfig): Promise<HttpObservation> {
  const start = performance.now();
  const target = resolveTarget(host, address, 80, cfg);
  if (!target.ok) {
    return {
      status: target.status,
      scheme: 'http',
      headers: {},
      redirects: [],
      durationMs: 0,
      error: target.error,
    };
  }
  const limit: Deadline = deadline(cfg.timeoutMs);
  try {
    const socket = await openTcp(target.ip, target.port, limit);
    return await followRedirects(
      new URL(`http://${urlHost(host)}/`),
      socket,
      target.label,
      address,
      cfg,
      limit,
      start,
    );
  } catch (err) {
    return { ...failedHttp('http', err, since(start)), connectedTo: target.label };
  }
}

function checkLimit(name: string, value: number | undefined, min: number): void {
  if (value !== undefined && !(Number.isInteger(value) && value >= min)) {
    throw new ConfigError(`${name} must be an integer >= ${min}, got ${value}`);
  }
}

/** Validates options once (bad values or --ca-file throw ConfigError); the returned function never rejects. */
export function createWebProber(opts: ProbeOptions): WebProber {
  checkLimit('timeoutMs', opts.timeoutMs, 1);
  checkLimit('maxHeaderBytes', opts.maxHeaderBytes, 1024);
  checkLimit('maxRedirects', opts.maxRedirects, 0);
  // Sent as a header: control bytes or non-ASCII would break (or split) the request.
  if (opts.userAgent !== undefined && !/^[\x20-\x7e]{1,256}$/.test(opts.userAgent))
    throw new ConfigError('userAgent must be 1 to 256 printable ASCII characters');
  const cfg: ChainConfig = {
    timeoutMs: opts.timeoutMs,
    connectTo: opts.connectTo,
    loopbackOnly: opts.loopbackOnly ?? false,
    allowPrivate: opts.allowPrivate ?? false,
    maxHeaderBytes: opts.maxHeaderBytes ?? 16384,
    maxRedirects: opts.maxRedirects ?? 5,
    followCrossHost: opts.followCrossHost ?? false,
    userAgent: opts.userAgent ?? DEFAULT_USER_AGENT,
    secureContext: trustContext(opts.ca),
  };
  return async (domain, address) => {
    const host = domain.toLowerCase().replace(/\.$/, '');
    try {
      if (!isIP(host) && new URL(`http://${host}/`).hostname !== host)
        throw new Error(`not a host name: ${host}`);
      return await httpsPhase(host, address, cfg);
    } catch (err) {
      return { http: failedHttp('https', err, 0) };
    }
  };
}

/** One-shot form; to probe many domains, build one prober with createWebProber and reuse it. */
export async function probeWeb(
  domain: string,
  address: string | null,
  opts: ProbeOptions,
): Promise<WebProbeResult> {
  try {
    return await createWebProber(opts)(domain, address);
  } catch (err) {
    return { http: failedHttp('https', err, 0) };
  }
}
