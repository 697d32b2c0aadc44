// Test-time PKI: a lab root, intermediates named like real issuers, and leaves for host names.
// ECDSA P-256 keeps generation around a millisecond per certificate, so nothing is checked in.
import { KeyObject, randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

type CryptoKeyPair = webcrypto.CryptoKeyPair;
type CryptoKey = webcrypto.CryptoKey;

x509.cryptoProvider.set(webcrypto as unknown as webcrypto.Crypto);

export interface IssuerName {
  O?: string;
  CN?: string;
}

export interface CaBundle {
  name: IssuerName;
  certPem: string;
  cert: x509.X509Certificate;
  keys: CryptoKeyPair;
}

/** What `tls.createSecureContext({cert, key})` takes: `cert` holds the leaf then its intermediate. */
export interface LeafBundle {
  cert: string;
  key: string;
  leafPem: string;
}

export type LeafKind = 'ok' | 'expired' | 'self-signed';

/** Revocation facts a leaf may carry: OCSP responder (AIA), CRL distribution points, must-staple. */
export interface LeafRevocation {
  ocsp?: string[];
  crl?: string[];
  mustStaple?: boolean;
}

// TLS feature extension (RFC 7633) holding status_request (5): SEQUENCE { INTEGER 5 }.
const TLS_FEATURE = '1.3.6.1.5.5.7.1.24';
const MUST_STAPLE = new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x05]);

function revocationExtensions(r: LeafRevocation = {}): x509.Extension[] {
  const out: x509.Extension[] = [];
  if (r.ocsp?.length) out.push(new x509.AuthorityInfoAccessExtension({ ocsp: r.ocsp }));
  if (r.crl?.length) out.push(new x509.CRLDistributionPointsExtension(r.crl));
  if (r.mustStaple) out.push(new x509.Extension(TLS_FEATURE, false, MUST_STAPLE));
  return out;
}

export const LAB_ROOT: IssuerName = { O: 'singlepath lab', CN: 'singlepath Lab Root CA' };
export const LAB_ISSUER: IssuerName = { O: 'singlepath lab', CN: 'Lab Issuing CA 1' };

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const DAY = 86_400_000;

// Per-process caches: certificates are immutable, and tests in one worker share them.
const cas = new Map<string, Promise<CaBundle>>();
const leaves = new Map<string, Promise<LeafBundle>>();

function memo<T>(cache: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  const hit = cache.get(key);
  if (hit) return hit;
  const made = make();
  cache.set(key, made);
  return made;
}

function jsonName(name: IssuerName): x509.JsonName {
  const out: x509.JsonName = [];
  if (name.O !== undefined) out.push({ O: [name.O] });
  if (name.CN !== undefined) out.push({ CN: [name.CN] });
  return out;
}

function serial(): string {
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f; // positive INTEGER
  return b.toString('hex');
}

async function newKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
}

function keyPem(key: CryptoKey): string {
  return KeyObject.from(key).export({ type: 'pkcs8', format: 'pem' }).toString();
}

function caExtensions(keys: CryptoKeyPair): Promise<x509.Extension[]> {
  return x509.SubjectKeyIdentifierExtension.create(keys.publicKey).then((ski) => [
    new x509.BasicConstraintsExtension(true, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ski,
  ]);
}

async function makeRoot(): Promise<CaBundle> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: jsonName(LAB_ROOT),
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 3650 * DAY),
    signingAlgorithm: ALG,
    keys,
    extensions: await caExtensions(keys),
  });
  return { name: LAB_ROOT, certPem: cert.toString('pem'), cert, keys };
}

export function labRoot(): Promise<CaBundle> {
  return memo(cas, 'root', makeRoot);
}

async function makeIssuer(name: IssuerName): Promise<CaBundle> {
  const root = await labRoot();
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: jsonName(name),
    issuer: root.cert.subjectName,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 1000 * DAY),
    signingAlgorithm: ALG,
    publicKey: keys.publicKey,
    signingKey: root.keys.privateKey,
    extensions: [
      ...(await caExtensions(keys)),
      await x509.AuthorityKeyIdentifierExtension.create(root.keys.publicKey),
    ],
  });
  return { name, certPem: cert.toString('pem'), cert, keys };
}

/** Intermediate CA signed by the lab root, with the caller's subject (e.g. O=Let's Encrypt, CN=R11). */
export function labIssuer(name: IssuerName = LAB_ISSUER): Promise<CaBundle> {
  const key = JSON.stringify(['ca', name.O ?? null, name.CN ?? null]);
  return memo(cas, key, () => makeIssuer(name));
}

async function makeLeaf(
  hosts: string[],
  kind: LeafKind,
  issuerName: IssuerName,
  revocation?: LeafRevocation,
): Promise<LeafBundle> {
  const keys = await newKeys();
  const expired = kind === 'expired';
  const base = {
    serialNumber: serial(),
    notBefore: new Date(Date.now() - (expired ? 400 : 1) * DAY),
    notAfter: new Date(Date.now() + (expired ? -30 : 90) * DAY),
    signingAlgorithm: ALG,
  };
  const extensions = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    new x509.SubjectAlternativeNameExtension(hosts.map((value) => ({ type: 'dns' as const, value }))),
    ...revocationExtensions(revocation),
  ];
  const subject = jsonName({ CN: hosts[0] ?? 'lab.invalid' });
  if (kind === 'self-signed') {
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      ...base,
      name: subject,
      keys,
      extensions,
    });
    const pem = cert.toString('pem');
    return { cert: pem, key: keyPem(keys.privateKey), leafPem: pem };
  }
  const issuer = await labIssuer(issuerName);
  const cert = await x509.X509CertificateGenerator.create({
    ...base,
    subject,
    issuer: issuer.cert.subjectName,
    publicKey: keys.publicKey,
    signingKey: issuer.keys.privateKey,
    extensions: [...extensions, await x509.AuthorityKeyIdentifierExtension.create(issuer.keys.publicKey)],
  });
  const pem = cert.toString('pem');
  return { cert: `${pem}\n${issuer.certPem}\n`, key: keyPem(keys.privateKey), leafPem: pem };
}

/** Leaf for `hosts` (SANs; the first is also the CN), signed by the named intermediate unless self-signed. */
export function leafCert(opts: {
  hosts: string[];
  issuer?: IssuerName;
  kind?: LeafKind;
  revocation?: LeafRevocation;
}): Promise<LeafBundle> {
  const kind = opts.kind ?? 'ok';
  const issuer = opts.issuer ?? LAB_ISSUER;
  const key = JSON.stringify([
    opts.hosts,
    kind,
    issuer.O ?? null,
    issuer.CN ?? null,
    opts.revocation ?? null,
  ]);
  return memo(leaves, key, () => makeLeaf(opts.hosts, kind, issuer, opts.revocation));
}
