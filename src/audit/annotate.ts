import type { AsnDb } from '../asn/index.js';
import type { AddressInfo, HostAddresses, MxHost } from '../types.js';

export interface Annotator {
  /** The address with its AS number and organisation, when the ASN data knows it. */
  annotate(a: AddressInfo): AddressInfo;
  annotateHosts<T extends HostAddresses>(hosts: T[]): T[];
}

export function createAnnotator(asnDb: AsnDb | null): Annotator {
  // Literals rather than spreads: a spread followed by new properties gave each copy a map of
  // its own here (a fresh map in old space per address, and megamorphic reads downstream).
  const annotate = (a: AddressInfo): AddressInfo => {
    const info = asnDb?.lookup(a.ip);
    return info ? { ip: a.ip, family: a.family, asn: info.asn, asnOrg: info.org.slice(0, 100) } : a;
  };
  const annotateHosts = <T extends HostAddresses>(hosts: T[]): T[] =>
    hosts.map((h) => withAddresses(h, h.addresses.map(annotate)));
  return { annotate, annotateHosts };
}

/** A name server, or a mail host with its priority, with other addresses (same keys, same order). */
function withAddresses<T extends HostAddresses>(h: T, addresses: AddressInfo[]): T {
  const priority = (h as Partial<MxHost>).priority;
  return (
    priority === undefined
      ? { host: h.host, status: h.status, addresses }
      : { host: h.host, status: h.status, addresses, priority }
  ) as T;
}
