import { isIP } from 'node:net';
import { type Dispatcher, request } from 'undici';

// One bounded GET: a deadline for the whole exchange, a cap on the body, a few redirects
// followed by hand (so each hop is checked), and failures returned as codes, never thrown.

export type FetchCode =
  | 'HTTP_STATUS'
  | 'TIMEOUT'
  | 'CONN_REFUSED'
  | 'DNS_ERROR'
  | 'TLS_ERROR'
  | 'NETWORK_ERROR'
  | 'TOO_LARGE'
  | 'TOO_MANY_REDIRECTS'
  | 'BAD_URL'
  | 'NOT_LOOPBACK';

export type FetchOutcome =
  | { ok: true; body: string; url: string }
  | { ok: false; code: FetchCode; detail: string };

export interface FetchOptions {
  dispatcher: Dispatcher;
  timeoutMs: number;
  maxBytes: number;
  userAgent: string;
  /** Refuse any URL whose host is not a literal 127.0.0.0/8 or ::1 address (labs and CI). */
  loopbackOnly?: boolean;
  maxRedirects?: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export function isLoopbackUrl(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const fam = isIP(host);
  return (fam === 4 && host.startsWith('127.')) || (fam === 6 && /^(0*:)*:?0*1$/.test(host));
}

function checkUrl(text: string, base: string | undefined, opts: FetchOptions): URL | FetchOutcome {
  let url: URL;
  try {
    url = new URL(text, base);
  } catch {
    return { ok: false, code: 'BAD_URL', detail: `not a URL: ${text.slice(0, 200)}` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return { ok: false, code: 'BAD_URL', detail: `unsupported scheme ${url.protocol}` };
  if (opts.loopbackOnly && !isLoopbackUrl(url))
    return { ok: false, code: 'NOT_LOOPBACK', detail: `${url.host} is not a loopback address` };
  return url;
}

function networkFailure(err: unknown, timedOut: boolean): FetchOutcome {
  const code = String((err as NodeJS.ErrnoException)?.code ?? '');
  if (timedOut || /^UND_ERR_(CONNECT|HEADERS|BODY)_TIMEOUT$/.test(code) || code === 'ETIMEDOUT')
    return { ok: false, code: 'TIMEOUT', detail: code || 'deadline exceeded' };
  if (code === 'ECONNREFUSED') return { ok: false, code: 'CONN_REFUSED', detail: code };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { ok: false, code: 'DNS_ERROR', detail: code };
  if (/CERT|TLS|SSL/.test(code)) return { ok: false, code: 'TLS_ERROR', detail: code };
  return { ok: false, code: 'NETWORK_ERROR', detail: code || (err as Error)?.name || 'error' };
}

/** Drops a body we will not read; undici reports the destroy as an error nobody needs. */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => {});
  body.destroy();
}

export async function fetchBounded(urlText: string, opts: FetchOptions): Promise<FetchOutcome> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, opts.timeoutMs);
  try {
    let current = checkUrl(urlText, undefined, opts);
    for (let hop = 0; ; hop++) {
      if (!(current instanceof URL)) return current;
      const res = await request(current, {
        method: 'GET',
        dispatcher: opts.dispatcher,
        signal: controller.signal,
        headers: { 'user-agent': opts.userAgent, accept: 'application/json, text/plain, */*' },
      });
      const location = res.headers.location;
      if (REDIRECTS.has(res.statusCode) && typeof location === 'string') {
        discard(res.body);
        if (hop >= (opts.maxRedirects ?? 3))
          return { ok: false, code: 'TOO_MANY_REDIRECTS', detail: `more than ${hop} redirects` };
        current = checkUrl(location, current.href, opts);
        continue;
      }
      if (res.statusCode !== 200) {
        discard(res.body);
        return { ok: false, code: 'HTTP_STATUS', detail: `HTTP ${res.statusCode}` };
      }
      const declared = Number(res.headers['content-length']);
      if (declared > opts.maxBytes) {
        discard(res.body);
        return { ok: false, code: 'TOO_LARGE', detail: `${declared} bytes declared, limit ${opts.maxBytes}` };
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length;
        if (size > opts.maxBytes) {
          discard(res.body);
          return { ok: false, code: 'TOO_LARGE', detail: `body over the ${opts.maxBytes}-byte limit` };
        }
        chunks.push(chunk as Buffer);
      }
      return {
        ok: true,
        body: Buffer.concat(chunks)
          .toString('utf8')
          .replace(/^\uFEFF/, ''),
        url: current.href,
      };
    }
  } catch (err) {
    return networkFailure(err, timedOut);
  } finally {
    clearTimeout(timer);
  }
}
