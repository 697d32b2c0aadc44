import { describe, expect, it } from 'vitest';
import { webFindings } from '../src/analyse/web-checks.js';
import type { HttpObservation, Observation, Status, TlsObservation } from '../src/types.js';
import { observation } from './helpers/observation.js';

// A site that answers plain HTTP only (issue 17, "Layers right"): a low no-https finding, never
// a failed audit; a site where neither HTTPS nor HTTP answered is a real failure, no finding.

const tls = (status: Status): TlsObservation => ({
  status,
  san: [],
  authorized: status === 'OK',
  durationMs: 1,
});
const http = (status: Status, scheme: 'http' | 'https'): HttpObservation => ({
  status,
  scheme,
  headers: {},
  redirects: [],
  durationMs: 1,
});

function obs(t: TlsObservation, h: HttpObservation): Observation {
  return { ...observation({ domain: 'www.example.com' }), tls: t, http: h };
}

describe('no-https', () => {
  it.each<[string, TlsObservation, HttpObservation, string[]]>([
    ['nothing on 443, HTTP answers', tls('CONN_REFUSED'), http('OK', 'http'), ['low no-https CONN_REFUSED']],
    ['a failed handshake, HTTP answers', tls('TLS_ERROR'), http('OK', 'http'), ['low no-https TLS_ERROR']],
    ['443 silent, HTTP answers', tls('TIMEOUT'), http('OK', 'http'), ['low no-https TIMEOUT']],
    ['HTTPS works', tls('OK'), http('OK', 'https'), []],
    ['neither answers', tls('CONN_REFUSED'), http('CONN_REFUSED', 'http'), []],
  ])('%s', (_about, t, h, want) => {
    expect(webFindings(obs(t, h)).map((f) => `${f.severity} ${f.kind} ${f.args.status}`)).toEqual(want);
  });
});
