import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isVolatileHeader, stableDocument } from '../src/snapshot/normalise.js';
import type { AuditDocument } from '../src/types.js';

const load = (): AuditDocument =>
  JSON.parse(readFileSync(new URL('./fixtures/snapshot-v1.json', import.meta.url), 'utf8')) as AuditDocument;
const get = (doc: AuditDocument, domain: string) => doc.domains.find((r) => r.domain === domain)!;

describe('stableDocument', () => {
  it('blanks generatedAt unless asked to keep it', () => {
    const doc = load();
    expect(stableDocument(doc).generatedAt).toBe('');
    expect(stableDocument(doc, { keepGeneratedAt: true }).generatedAt).toBe(doc.generatedAt);
  });

  it('zeroes timings and query counts, masks per-request header values, keeps the rest', () => {
    const s = stableDocument(load());
    const st = get(s, 'static.example').observations;
    expect(st.http?.durationMs).toBe(0);
    expect(st.tls?.durationMs).toBe(0);
    expect(st.dns.queries).toBe(0);
    expect(st.http?.headers).toEqual({
      server: ['fastly'],
      'x-request-id': ['*'],
      'x-served-by': ['*'],
      'x-timer': ['*'],
    });
    expect(st.tls?.san).toEqual(['*.static.example', 'static.example']);
    expect(get(s, 'shop.example').observations.http?.headers['cf-ray']).toEqual(['*']);
    expect(get(s, 'shop.example').observations.http?.headers['x-shopid']).toEqual(['123']);
  });

  it('masks volatile header evidence but not the evidence that names a provider', () => {
    const doc = load();
    const api = get(doc, 'api.example');
    api.dependencies.push({
      layer: 'cdn',
      provider: 'cloudflare',
      evidence: [{ signal: 'header', value: 'cf-ray: 8a1b-FRA' }],
    });
    const evidence = get(stableDocument(doc), 'api.example').dependencies.flatMap((d) => d.evidence);
    expect(evidence).toContainEqual({ signal: 'header', value: 'cf-ray: *' });
    expect(evidence).toContainEqual({ signal: 'header', value: 'x-amz-cf-pop: *' });
    expect(evidence).toContainEqual({ signal: 'cname', value: 'd111.cloudfront.net' });
  });

  it('orders round-robin answers, dependencies and domains', () => {
    const doc = load();
    const api = get(doc, 'api.example');
    api.observations.dns.addresses = [
      { ip: '192.0.2.9', family: 4 },
      { ip: '2001:db8::1', family: 6 },
      { ip: '192.0.2.10', family: 4 },
    ];
    expect(get(stableDocument(doc), 'api.example').observations.dns.addresses.map((a) => a.ip)).toEqual([
      '192.0.2.10',
      '192.0.2.9',
      '2001:db8::1',
    ]);
    const shuffled = load();
    shuffled.domains.reverse();
    for (const r of shuffled.domains) {
      r.dependencies.reverse();
      r.risks.reverse();
    }
    expect(stableDocument(shuffled)).toEqual(stableDocument(load()));
  });

  it('strips resolver ports', () => {
    const doc = load();
    (get(doc, 'app.example').observations.dns as unknown as Record<string, unknown>).resolver =
      '127.0.0.1:5353';
    const dns = get(stableDocument(doc), 'app.example').observations.dns as unknown as Record<
      string,
      unknown
    >;
    expect(dns.resolver).toBe('127.0.0.1');
  });

  it('knows request-id-like headers', () => {
    for (const h of [
      'x-request-id',
      'X-Amzn-RequestId',
      'x-github-request-id',
      'x-datadog-trace-id',
      'cf-ray',
    ])
      expect(isVolatileHeader(h)).toBe(true);
    for (const h of ['server', 'x-vercel-cache-control', 'via', 'x-shopid'])
      expect(isVolatileHeader(h)).toBe(false);
  });
});
