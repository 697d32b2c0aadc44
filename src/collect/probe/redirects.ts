// Follows same-host redirects to record the chain; classification only ever uses the first
// response, so a failed later hop ends the chain without changing the observation's status.
import { isIP, type Socket } from 'node:net';
import type { SecureContext } from 'node:tls';
import type { HttpObservation } from '../../types.js';
import type { ConnectToRule } from '../connect-to.js';
import { type Deadline, openTcp, openTls, resolveTarget } from './connect.js';
import { type Exchange, exchange } from './exchange.js';
import { truncate } from './headers.js';
import { errorInfo, oneLine, statusOf } from './status.js';

export interface ChainConfig {
  timeoutMs: number;
  connectTo: ConnectToRule[];
  loopbackOnly: boolean;
  /** Connect to addresses in private, loopback, link-local, CGNAT, metadata or reserved ranges. */
  allowPrivate: boolean;
  maxHeaderBytes: number;
  maxRedirects: number;
  followCrossHost: boolean;
  userAgent: string;
  secureContext: SecureContext;
}

function bareHost(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

function nextUrl(current: URL, location: string): URL | null {
  try {
    const next = new URL(location, current);
    return next.protocol === 'https:' || next.protocol === 'http:' ? next : null;
  } catch {
    return null;
  }
}

async function hop(url: URL, address: string | null, cfg: ChainConfig, limit: Deadline): Promise<Exchange> {
  const tls = url.protocol === 'https:';
  const host = bareHost(url);
  const port = url.port === '' ? (tls ? 443 : 80) : Number(url.port);
  const target = resolveTarget(host, address, port, cfg);
  if (!target.ok) throw new Error(target.error.message);
  const socket = tls
    ? await openTls(target.ip, target.port, host, cfg.secureContext, limit)
    : await openTcp(target.ip, target.port, limit);
  return exchange(socket, url, cfg, limit);
}

/** Never throws: failures of the first request become the observation's status. */
export async function followRedirects(
  url: URL,
  socket: Socket,
  connectedTo: string,
  address: string | null,
  cfg: ChainConfig,
  limit: Deadline,
  start: number,
): Promise<HttpObservation> {
  const scheme = url.protocol === 'https:' ? 'https' : 'http';
  const base = { scheme, connectedTo, headers: {}, redirects: [] } as const;
  let ex: Exchange;
  try {
    ex = await exchange(socket, url, cfg, limit);
  } catch (err) {
    const durationMs = Math.round(performance.now() - start);
    return { ...base, redirects: [], status: statusOf(err), durationMs, error: errorInfo(err) };
  }
  // A literal in the key order the spread of `base` gave: the spread made a map per observation.
  const obs: HttpObservation = {
    scheme,
    connectedTo,
    headers: ex.headers,
    redirects: [],
    status: 'OK',
    httpStatus: ex.status,
    durationMs: 0,
  };
  const home = bareHost(url);
  const seen = new Set([url.href]);
  let current = url;
  while (ex.status >= 300 && ex.status < 400 && ex.location !== undefined) {
    obs.redirects.push({ status: ex.status, location: truncate(oneLine(ex.location, 4096)) });
    if (obs.redirects.length > cfg.maxRedirects) break;
    const next = nextUrl(current, ex.location);
    if (next === null || seen.has(next.href)) break;
    seen.add(next.href);
    const sameHost = bareHost(next) === home;
    if (!sameHost && !cfg.followCrossHost) break;
    // No DNS here: another host is reachable only through --connect-to (or as an IP literal).
    const nextHost = bareHost(next);
    const nextAddress = sameHost ? address : isIP(nextHost) ? nextHost : null;
    try {
      ex = await hop(next, nextAddress, cfg, limit);
    } catch {
      break;
    }
    current = next;
  }
  obs.durationMs = Math.round(performance.now() - start);
  return obs;
}
