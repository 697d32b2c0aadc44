// Where a client learns that the leaf was revoked, read from its DER: the OCSP responder (Authority
// Information Access), the CRL distribution points, and must-staple (the TLS feature extension,
// RFC 7633). A small DER walker rather than a certificate library: three extensions are read per
// probe, and every length is checked against its parent so hostile bytes only end the walk.
import type { RevocationInfo } from '../../types.js';

interface Tlv {
  tag: number;
  start: number;
  end: number;
}

const OID_AIA = Buffer.from([0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x01]);
const OID_CRLDP = Buffer.from([0x55, 0x1d, 0x1f]);
const OID_TLS_FEATURE = Buffer.from([0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x18]);
const OID_OCSP = Buffer.from([0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01]);
/** TLS feature status_request (5): the server must staple. */
const STATUS_REQUEST = 5;
const URI = 0x86; // GeneralName uniformResourceIdentifier [6] IA5String, implicit
const MAX_URLS = 8;
const MAX_URL = 512;

function tlv(buf: Uint8Array, pos: number, limit: number): Tlv | null {
  if (pos + 2 > limit) return null;
  const tag = buf[pos]!;
  if ((tag & 0x1f) === 0x1f) return null; // multi-byte tags do not occur in these structures
  let len = buf[pos + 1]!;
  let p = pos + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || p + n > limit) return null;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p++]!;
  }
  if (p + len > limit) return null;
  return { tag, start: p, end: p + len };
}

function children(buf: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let p = parent.start; p < parent.end; ) {
    const t = tlv(buf, p, parent.end);
    if (!t) break;
    out.push(t);
    p = t.end;
  }
  return out;
}

const bytes = (buf: Uint8Array, t: Tlv): Buffer =>
  Buffer.from(buf.buffer, buf.byteOffset + t.start, t.end - t.start);

function url(buf: Uint8Array, t: Tlv): string | null {
  const text = bytes(buf, t).toString('latin1');
  return text.length > 0 && text.length <= MAX_URL && /^[\x21-\x7e]+$/.test(text) ? text : null;
}

function push(list: string[], value: string | null): void {
  if (value !== null && list.length < MAX_URLS && !list.includes(value)) list.push(value);
}

/** URIs anywhere below `t` (a distribution point's name). */
function uris(buf: Uint8Array, t: Tlv, out: string[], depth = 0): void {
  if (depth > 4) return;
  for (const c of children(buf, t)) {
    if (c.tag === URI) push(out, url(buf, c));
    else if (c.tag & 0x20) uris(buf, c, out, depth + 1);
  }
}

/** The extensions of a certificate: [OID bytes, value TLV (the OCTET STRING's content)]. */
function extensions(der: Uint8Array): [Buffer, Tlv][] {
  const cert = tlv(der, 0, der.length);
  if (cert?.tag !== 0x30) return [];
  const tbs = children(der, cert)[0];
  if (tbs?.tag !== 0x30) return [];
  const wrapper = children(der, tbs).find((c) => c.tag === 0xa3);
  const list = wrapper ? children(der, wrapper)[0] : undefined;
  if (list?.tag !== 0x30) return [];
  const out: [Buffer, Tlv][] = [];
  for (const ext of children(der, list)) {
    const parts = children(der, ext);
    const oid = parts[0];
    const value = parts.find((p) => p.tag === 0x04);
    if (oid?.tag !== 0x06 || !value) continue;
    const inner = tlv(der, value.start, value.end);
    if (inner) out.push([bytes(der, oid), inner]);
  }
  return out;
}

/** OCSP and CRL URLs and must-staple of a DER certificate; empty lists when it has none (or is garbage). */
export function revocationUrls(der: Uint8Array): Omit<RevocationInfo, 'stapled'> {
  const out = { ocsp: [] as string[], crl: [] as string[], mustStaple: false };
  for (const [oid, value] of extensions(der)) {
    if (oid.equals(OID_AIA)) {
      for (const access of children(der, value)) {
        const [method, location] = children(der, access);
        if (method?.tag === 0x06 && bytes(der, method).equals(OID_OCSP) && location?.tag === URI)
          push(out.ocsp, url(der, location));
      }
    } else if (oid.equals(OID_CRLDP)) {
      for (const point of children(der, value)) {
        const name = children(der, point).find((c) => c.tag === 0xa0); // distributionPoint [0]
        if (name) uris(der, name, out.crl);
      }
    } else if (oid.equals(OID_TLS_FEATURE)) {
      out.mustStaple = children(der, value).some(
        (c) => c.tag === 0x02 && c.end - c.start === 1 && der[c.start] === STATUS_REQUEST,
      );
    }
  }
  return out;
}

/**
 * A stapled OCSP response whose status is `successful` (0). Its signature and certificate status
 * are not checked: the question is whether the server staples, so that a client need not ask
 * the CA's responder.
 */
export function stapledOk(response: Uint8Array | undefined): boolean {
  if (!response || response.length === 0) return false;
  const outer = tlv(response, 0, response.length);
  if (outer?.tag !== 0x30) return false;
  const status = children(response, outer)[0];
  return status?.tag === 0x0a && status.end - status.start === 1 && response[status.start] === 0;
}
