import { describe, expect, it } from 'vitest';
import { parseSans } from '../src/collect/probe/cert.js';
import { boundHeaders } from '../src/collect/probe/headers.js';
import { errorInfo, statusOf } from '../src/collect/probe/status.js';

const coded = (code: string, extra: object = {}) => Object.assign(new Error('x'), { code }, extra);

describe('statusOf', () => {
  it.each([
    ['ECONNREFUSED', 'CONN_REFUSED'],
    ['ECONNRESET', 'CONN_RESET'],
    ['EPIPE', 'CONN_RESET'],
    ['ETIMEDOUT', 'TIMEOUT'],
    ['UND_ERR_HEADERS_TIMEOUT', 'TIMEOUT'],
    ['UND_ERR_CONNECT_TIMEOUT', 'TIMEOUT'],
    ['UND_ERR_BODY_TIMEOUT', 'TIMEOUT'],
    ['UND_ERR_HEADERS_OVERFLOW', 'TOO_LARGE'],
    ['HPE_HEADER_OVERFLOW', 'TOO_LARGE'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'TLS_ERROR'],
    ['ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL', 'TLS_ERROR'],
    ['EPROTO', 'TLS_ERROR'],
    ['UND_ERR_SOCKET', 'HTTP_ERROR'],
    ['HPE_INVALID_CONSTANT', 'HTTP_ERROR'],
    ['UND_ERR_ABORTED', 'HTTP_ERROR'],
    ['EWHATEVER', 'ERROR'],
  ])('%s -> %s', (code, status) => {
    expect(statusOf(coded(code))).toBe(status);
  });

  it('prefers the cause of an undici socket error', () => {
    expect(statusOf(coded('UND_ERR_SOCKET', { cause: coded('ECONNRESET') }))).toBe('CONN_RESET');
  });

  it('never reads message text', () => {
    expect(statusOf(new Error('ECONNREFUSED timeout certificate'))).toBe('ERROR');
    expect(statusOf('ECONNREFUSED')).toBe('ERROR');
  });

  it('keeps error messages on one bounded line', () => {
    const info = errorInfo(coded('EPROTO', { message: `a\nb\r\n${'x'.repeat(1000)}` }));
    expect(info.code).toBe('EPROTO');
    expect(info.message).not.toMatch(/[\r\n]/);
    expect(info.message.length).toBeLessThanOrEqual(200);
  });
});

describe('parseSans', () => {
  it('takes DNS entries only, unquoting the ones Node quotes', () => {
    const alt = 'DNS:a.test, IP Address:127.0.0.1, DNS:*.a.test, DNS:"x\\u002c.test", email:a@b';
    expect(parseSans(alt)).toEqual(['a.test', '*.a.test', 'x,.test']);
    expect(parseSans(undefined)).toEqual([]);
  });
});

describe('boundHeaders', () => {
  it('keeps arrays, caps names, values and lengths', () => {
    const raw = Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`h${i}`, 'v']));
    const out = boundHeaders({ 'set-cookie': ['a', 'b'], long: 'x'.repeat(9000), ...raw });
    expect(out['set-cookie']).toEqual(['a', 'b']);
    expect(out.long?.[0]).toHaveLength(2048);
    expect(Object.keys(out)).toHaveLength(100);
  });
});
