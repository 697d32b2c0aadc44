// Network outcomes become statuses by err.code only: message text varies across Node, OpenSSL
// and undici versions, codes do not.
import type { ErrorInfo, Status } from '../../types.js';

const MAX_MESSAGE = 200;

const BY_CODE: Record<string, Status> = {
  ECONNREFUSED: 'CONN_REFUSED',
  ECONNRESET: 'CONN_RESET',
  EPIPE: 'CONN_RESET',
  ETIMEDOUT: 'TIMEOUT',
  UND_ERR_CONNECT_TIMEOUT: 'TIMEOUT',
  UND_ERR_HEADERS_TIMEOUT: 'TIMEOUT',
  UND_ERR_BODY_TIMEOUT: 'TIMEOUT',
  UND_ERR_HEADERS_OVERFLOW: 'TOO_LARGE',
  // node:http's parser (the probe's exchange): a response head past maxHeaderBytes.
  HPE_HEADER_OVERFLOW: 'TOO_LARGE',
  // The probe's exchange: the peer closed without a response, or answered a GET with 101.
  NO_RESPONSE: 'HTTP_ERROR',
  UNEXPECTED_UPGRADE: 'HTTP_ERROR',
  EPROTO: 'TLS_ERROR',
  ECONNABORTED: 'CONN_RESET',
  EHOSTUNREACH: 'ERROR',
  ENETUNREACH: 'ERROR',
};

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  // undici's parser errors for malformed responses (bad header bytes, bare CR) carry no code; the
  // class name is as stable as a code and says it was the peer's fault.
  return (err as { name?: unknown } | null)?.name === 'HTTPParserError' ? 'HPE_INVALID_RESPONSE' : undefined;
}

export function statusOf(err: unknown): Status {
  const code = codeOf(err);
  if (code === undefined) return 'ERROR';
  const known = BY_CODE[code];
  if (known) return known;
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) return 'TLS_ERROR';
  // undici wraps socket failures; the cause's code is the more precise one when it maps.
  if (code === 'UND_ERR_SOCKET') {
    const cause = codeOf((err as { cause?: unknown }).cause);
    if (cause !== undefined && BY_CODE[cause]) return BY_CODE[cause];
  }
  if (code.startsWith('UND_ERR') || code.startsWith('HPE_')) return 'HTTP_ERROR';
  return 'ERROR';
}

/** One line, bounded: messages may quote attacker-controlled bytes. */
export function oneLine(text: string, max = MAX_MESSAGE): string {
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function errorInfo(err: unknown): ErrorInfo {
  const message = err instanceof Error ? err.message : String(err);
  return { code: codeOf(err) ?? statusOf(err), message: oneLine(message || 'unknown error') };
}

/** An error carrying a code, for failures the probe itself decides (deadline, blocked target). */
export function codedError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}
