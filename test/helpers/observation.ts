import type {
  AddressInfo,
  DmarcObservation,
  HostAddresses,
  MxHost,
  Observation,
  SpfObservation,
} from '../../src/types.js';

// Compact builders for hand-made observations in classification and risk tests.

export function addr(ip: string, asn?: number, asnOrg?: string): AddressInfo {
  const a: AddressInfo = { ip, family: ip.includes(':') ? 6 : 4 };
  if (asn !== undefined) a.asn = asn;
  if (asnOrg !== undefined) a.asnOrg = asnOrg;
  return a;
}

export function host(name: string, ...addresses: AddressInfo[]): HostAddresses {
  return { host: name, status: 'NOERROR', addresses };
}

export interface ObsSpec {
  domain: string;
  cnames?: string[];
  addresses?: AddressInfo[];
  ns?: HostAddresses[];
  mx?: (HostAddresses & { priority?: number })[];
  headers?: Record<string, string | string[]>;
  issuer?: { O?: string; CN?: string };
  subject?: { O?: string; CN?: string };
  spf?: SpfObservation;
  dmarc?: DmarcObservation;
}

export function observation(spec: ObsSpec): Observation {
  const headers: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(spec.headers ?? {})) headers[k] = Array.isArray(v) ? v : [v];
  const obs: Observation = {
    domain: spec.domain,
    dns: {
      status: 'NOERROR',
      cnames: spec.cnames ?? [],
      finalName: spec.cnames?.at(-1) ?? spec.domain,
      addresses: spec.addresses ?? [],
      zone: { apex: spec.domain.split('.').slice(-2).join('.'), source: 'soa' },
      ns: { status: 'NOERROR', hosts: spec.ns ?? [] },
      mailDomain: spec.domain.split('.').slice(-2).join('.'),
      mx: { status: 'NOERROR', hosts: (spec.mx ?? []).map((m): MxHost => ({ priority: 10, ...m })) },
      queries: 0,
    },
  };
  if (spec.spf) obs.dns.spf = spec.spf;
  if (spec.dmarc) obs.dns.dmarc = spec.dmarc;
  if (spec.headers)
    obs.http = { status: 'OK', scheme: 'https', httpStatus: 200, headers, redirects: [], durationMs: 1 };
  if (spec.issuer)
    obs.tls = {
      status: 'OK',
      issuer: spec.issuer,
      subject: spec.subject ?? { CN: spec.domain },
      san: [],
      authorized: true,
      durationMs: 1,
    };
  return obs;
}
