// Reads the leaf even when it does not validate: an expired or self-signed certificate is a fact
// to record (and still names its issuer), not a probe failure.
import { isIP } from 'node:net';
import { checkServerIdentity, type PeerCertificate, type TLSSocket } from 'node:tls';
import type { CertName, TlsObservation } from '../../types.js';
import { stapledResponse } from './connect.js';
import { revocationUrls, stapledOk } from './revocation.js';
import { oneLine } from './status.js';

const MAX_SANS = 500;

function first(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v === undefined ? undefined : oneLine(v, 256);
}

function certName(name: PeerCertificate['subject'] | undefined): CertName | undefined {
  if (!name) return undefined;
  const out: CertName = {};
  const cn = first(name.CN);
  const o = first(name.O);
  if (cn !== undefined) out.CN = cn;
  if (o !== undefined) out.O = o;
  return out;
}

function isoDate(text: string | undefined): string | undefined {
  const d = text ? new Date(text) : undefined;
  return d && !Number.isNaN(d.getTime()) ? d.toISOString() : undefined;
}

/** DNS entries of Node's subjectaltname string; Node JSON-quotes entries holding "," or quotes. */
export function parseSans(subjectaltname: string | undefined): string[] {
  const out: string[] = [];
  if (!subjectaltname) return out;
  const entry = /(?:^|, )DNS:("(?:[^"\\]|\\.)*"|[^,]*)/g;
  for (const m of subjectaltname.matchAll(entry)) {
    let value = m[1]!;
    if (value.startsWith('"')) {
      try {
        value = JSON.parse(value) as string;
      } catch {
        continue;
      }
    }
    out.push(oneLine(value, 253));
    if (out.length >= MAX_SANS) break;
  }
  return out;
}

type CertFacts = Omit<TlsObservation, 'status' | 'durationMs' | 'error'>;

export function readCertificate(socket: TLSSocket, servername: string): CertFacts {
  const cert = socket.getPeerCertificate();
  const facts: CertFacts = { san: [], authorized: false };
  const protocol = socket.getProtocol();
  if (protocol) facts.protocol = protocol;
  if (!cert || Object.keys(cert).length === 0) {
    facts.authorizationError = 'NO_PEER_CERTIFICATE';
    return facts;
  }
  const subject = certName(cert.subject);
  const issuer = certName(cert.issuer);
  const validFrom = isoDate(cert.valid_from);
  const validTo = isoDate(cert.valid_to);
  if (subject) facts.subject = subject;
  if (issuer) facts.issuer = issuer;
  if (validFrom) facts.validFrom = validFrom;
  if (validTo) facts.validTo = validTo;
  if (cert.fingerprint256) facts.fingerprint256 = cert.fingerprint256;
  facts.san = parseSans(cert.subjectaltname);
  facts.revocation = {
    stapled: stapledOk(stapledResponse(socket)),
    ...(cert.raw ? revocationUrls(cert.raw) : { ocsp: [], crl: [], mustStaple: false }),
  };
  if (!socket.authorized) {
    facts.authorizationError = oneLine(String(socket.authorizationError ?? 'UNAUTHORIZED'));
    return facts;
  }
  // The chain is trusted; the name is a separate check since rejectUnauthorized is off. For a name
  // sent as SNI, Node's handshake already checked this very name against this certificate, and
  // `authorized` says it passed; an IP literal went without SNI, so Node checked another name.
  const mismatch = isIP(servername) ? checkServerIdentity(servername, cert) : undefined;
  if (mismatch) {
    facts.authorizationError = (mismatch as { code?: string }).code ?? 'ERR_TLS_CERT_ALTNAME_INVALID';
    return facts;
  }
  facts.authorized = true;
  return facts;
}
