import type { Layer } from '../types.js';

// The catalogue file format (data/catalogue/*.json and --catalog FILE).
// Each file: { "providers": ProviderSpec[] }. Layers live on signals, never in code.

/** Host-name signal: exactly one of `suffix` (label-aligned, "cloudfront.net") or `pattern` (regex). */
export interface HostSignalSpec {
  suffix?: string;
  pattern?: string;
  service?: string;
  /** Regex with a named group `region`, applied to the matched host name. */
  region?: string;
}

export interface CnameSignalSpec extends HostSignalSpec {
  /**
   * cdn (edge terminates traffic), cloud (origin hosting such as elb, s3, appspot), or dns: a
   * provider's DNS-only zone that steers traffic by answering DNS (Azure Traffic Manager, Akamai
   * GTM), a DNS dependency of the name in series with the zone's own DNS.
   */
  layer: 'cdn' | 'cloud' | 'dns';
}

export interface AsnSignalSpec {
  asns: number[];
  /**
   * Layer an address in these ASNs implies: cdn (edge network) or cloud (hosting) for a web
   * host's address; dns or email for networks that only run name servers or mail hosts — those
   * identify NS/MX addresses (vanity name servers) and are never read as a site's hosting.
   */
  layer: 'cdn' | 'cloud' | 'dns' | 'email';
  service?: string;
}

export interface CidrSignalSpec {
  cidrs: string[];
  /** As for AsnSignalSpec. */
  layer: 'cdn' | 'cloud' | 'dns' | 'email';
  service?: string;
  region?: string;
}

export interface HeaderSignalSpec {
  /** Lower-case header name. */
  name: string;
  /** Regex tested against each value (case-insensitive); absent = the header's presence is the signal. */
  pattern?: string;
  layer: 'cdn' | 'cloud';
  service?: string;
  /** weak signals (generic values) never decide alone. */
  weak?: boolean;
}

export interface CookieSignalSpec {
  /** Cookie name, or a prefix when it ends with '*'. */
  name: string;
  layer: 'cdn' | 'cloud';
  service?: string;
  weak?: boolean;
}

export interface IssuerSignalSpec {
  /** Regex on the issuer organisation (O), case-insensitive. */
  o?: string;
  /** Regex on the issuer common name (CN), case-insensitive. */
  cn?: string;
  service?: string;
}

export interface RunsOnSpec {
  provider: string;
  layer: Layer;
  /** The layer of this provider that brings the dependency (e.g. vercel's cdn runs on aws cloud). */
  from: Layer;
  service?: string;
}

export interface ProviderSpec {
  id: string;
  name: string;
  parent?: string;
  runsOn?: RunsOnSpec[];
  /** Registrable domains the provider operates (used to tell its own zones from a customer's). */
  domains?: string[];
  signals: {
    cname?: CnameSignalSpec[];
    ns?: HostSignalSpec[];
    mx?: HostSignalSpec[];
    /** SPF include:/redirect= domains: a sender the domain authorises (outbound mail). */
    spf?: HostSignalSpec[];
    /** Domains of DMARC report addresses (rua/ruf mailto:): a reporting service. */
    dmarc?: HostSignalSpec[];
    asn?: AsnSignalSpec[];
    cidr?: CidrSignalSpec[];
    header?: HeaderSignalSpec[];
    cookie?: CookieSignalSpec[];
    issuer?: IssuerSignalSpec[];
  };
}

export interface CatalogueFile {
  providers: ProviderSpec[];
}
