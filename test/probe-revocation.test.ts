import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ProbeOptions, probeWeb } from '../src/collect/probe/index.js';
import { revocationUrls } from '../src/collect/probe/revocation.js';
import { revocationTargets } from '../src/collect/revocation.js';
import { leafCert } from './helpers/certs.js';
import { startWebLab, type WebLab } from './helpers/web-server.js';

// The CA layer as Kashaf, Sekar and Agarwal (IMC 2020) define it: does the server staple an OCSP
// response, where are the CA's OCSP responder and CRLs, is the certificate must-staple. Every
// certificate is made at test time; no OCSP or CRL URL is ever fetched.

const DIGICERT = { O: 'DigiCert Inc', CN: 'DigiCert Global G2 TLS RSA SHA256 2020 CA1' };
const LE = { O: "Let's Encrypt", CN: 'R12' };
const OCSP = 'http://ocsp.digicert.test';
const CRL = 'http://crl3.digicert.test/DigiCertGlobalG2TLSRSASHA2562020CA1-1.crl';
const LE_CRL = 'http://r12.c.lencr.test/42.crl';

let lab: WebLab;
let opts: ProbeOptions;

beforeAll(async () => {
  lab = await startWebLab({
    'stapled.test': { issuer: DIGICERT, revocation: { ocsp: [OCSP], crl: [CRL], staple: true } },
    'unstapled.test': { issuer: DIGICERT, revocation: { ocsp: [OCSP], crl: [CRL] } },
    'muststaple.test': { issuer: DIGICERT, revocation: { ocsp: [OCSP], mustStaple: true, staple: true } },
    'crlonly.test': { issuer: LE, revocation: { crl: [LE_CRL] } },
    'bare.test': {},
    'trylater.test': { issuer: DIGICERT, revocation: { ocsp: [OCSP], staple: 'tryLater' } },
  });
  opts = { timeoutMs: 5000, connectTo: lab.connectTo(), ca: [lab.rootCaPem], loopbackOnly: true };
});
afterAll(() => lab.close());

describe('revocationUrls (the leaf DER: AIA, CRL distribution points, TLS feature)', () => {
  it.each([
    ['OCSP and CRL', { ocsp: [OCSP], crl: [CRL] }, { ocsp: [OCSP], crl: [CRL], mustStaple: false }],
    ['must-staple', { ocsp: [OCSP], mustStaple: true }, { ocsp: [OCSP], crl: [], mustStaple: true }],
    [
      'CRL only (Let’s Encrypt since 2025)',
      { crl: [LE_CRL] },
      { ocsp: [], crl: [LE_CRL], mustStaple: false },
    ],
    ['neither', {}, { ocsp: [], crl: [], mustStaple: false }],
  ])('%s', async (_name, revocation, expected) => {
    const leaf = await leafCert({ hosts: ['x.test'], issuer: DIGICERT, revocation });
    expect(revocationUrls(new X509Certificate(leaf.leafPem).raw)).toEqual(expected);
  });

  it('survives garbage and truncated input without throwing', () => {
    expect(revocationUrls(Buffer.from([0x30, 0x82, 0xff]))).toEqual({ ocsp: [], crl: [], mustStaple: false });
    expect(revocationUrls(Buffer.alloc(0))).toEqual({ ocsp: [], crl: [], mustStaple: false });
  });
});

describe('probeWeb: stapling and revocation in the TLS observation', () => {
  it('a server that staples an OCSP response', async () => {
    const { tls } = await probeWeb('stapled.test', '127.0.0.1', opts);
    expect(tls?.status).toBe('OK');
    expect(tls?.revocation).toEqual({ stapled: true, ocsp: [OCSP], crl: [CRL], mustStaple: false });
  });

  it('a server that does not', async () => {
    const { tls } = await probeWeb('unstapled.test', '127.0.0.1', opts);
    expect(tls?.revocation).toEqual({ stapled: false, ocsp: [OCSP], crl: [CRL], mustStaple: false });
  });

  it('a must-staple certificate', async () => {
    const { tls } = await probeWeb('muststaple.test', '127.0.0.1', opts);
    expect(tls?.revocation).toEqual({ stapled: true, ocsp: [OCSP], crl: [], mustStaple: true });
  });

  it('a CRL-only certificate: no OCSP responder to name, none guessed', async () => {
    const { tls } = await probeWeb('crlonly.test', '127.0.0.1', opts);
    expect(tls?.revocation).toEqual({ stapled: false, ocsp: [], crl: [LE_CRL], mustStaple: false });
  });

  it('a certificate without revocation URLs', async () => {
    const { tls } = await probeWeb('bare.test', '127.0.0.1', opts);
    expect(tls?.revocation).toEqual({ stapled: false, ocsp: [], crl: [], mustStaple: false });
  });

  it('a stapled "try later" is not a usable staple', async () => {
    const { tls } = await probeWeb('trylater.test', '127.0.0.1', opts);
    expect(tls?.revocation?.stapled).toBe(false);
  });
});

describe('revocationTargets: which hosts a client would ask', () => {
  const tls = (revocation: Partial<import('../src/types.js').RevocationInfo>) =>
    ({
      status: 'OK',
      san: [],
      authorized: true,
      durationMs: 1,
      revocation: { stapled: false, ocsp: [], crl: [], mustStaple: false, ...revocation },
    }) as import('../src/types.js').TlsObservation;

  it('the OCSP responders when the certificate names one, its CRL hosts otherwise', () => {
    expect(revocationTargets(tls({ ocsp: [OCSP], crl: [CRL] }))).toEqual([
      { host: 'ocsp.digicert.test', kind: 'ocsp' },
    ]);
    expect(revocationTargets(tls({ crl: [LE_CRL, 'http://R12.C.lencr.test./43.crl'] }))).toEqual([
      { host: 'r12.c.lencr.test', kind: 'crl' },
    ]);
  });

  it('none when stapled, none for IP literals, other schemes or garbage, at most four', () => {
    expect(revocationTargets(tls({ stapled: true, ocsp: [OCSP] }))).toEqual([]);
    expect(
      revocationTargets(
        tls({ ocsp: ['http://192.0.2.1/', 'ldap://x.test/', 'not a url', 'http://[2001:db8::1]/'] }),
      ),
    ).toEqual([]);
    const many = Array.from({ length: 9 }, (_, i) => `http://ocsp${i}.test/`);
    expect(revocationTargets(tls({ ocsp: many }))).toHaveLength(4);
    expect(revocationTargets(undefined)).toEqual([]);
  });
});
