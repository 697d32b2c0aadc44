// The data model shared by every pipeline stage. Stages exchange plain JSON-safe objects
// so that a snapshot can hold them and a later run can re-render or diff them offline.

export type Layer = 'dns' | 'cdn' | 'cloud' | 'ca' | 'email';
export const LAYERS: readonly Layer[] = ['dns', 'cdn', 'cloud', 'ca', 'email'];

/** Outcome of one network observation (zdns-style status, never an exception). */
export type Status =
  | 'NOERROR'
  | 'NXDOMAIN'
  | 'SERVFAIL'
  | 'REFUSED'
  | 'FORMERR'
  | 'NOTIMP'
  | 'TIMEOUT'
  | 'TRUNCATED'
  | 'CNAME_LOOP'
  | 'CNAME_TOO_LONG'
  | 'NO_ADDRESS'
  | 'CONN_REFUSED'
  | 'CONN_RESET'
  | 'TLS_ERROR'
  | 'HTTP_ERROR'
  | 'PRIVATE_ADDRESS'
  | 'TOO_LARGE'
  | 'ERROR'
  | 'OK'
  | 'SKIPPED';

export type RecordType = 'A' | 'AAAA' | 'CNAME' | 'NS' | 'MX' | 'SOA' | 'TXT';

export interface DnsRecord {
  name: string;
  type: RecordType;
  ttl: number;
  /** Address for A/AAAA, target host for CNAME/NS/MX, primary NS (mname) for SOA, text for TXT. */
  data: string;
  /** MX preference. */
  priority?: number;
}

export interface DnsAnswer {
  name: string;
  type: RecordType;
  status: Status;
  answers: DnsRecord[];
  authority: DnsRecord[];
  /** "ip:port" of the resolver that answered (or was last tried). */
  resolver: string;
  transport: 'udp' | 'tcp' | 'cache';
  durationMs: number;
  /**
   * Present when the query carried an EDNS Client Subnet: the subnet sent, and the scope prefix
   * length of the reply's ECS option. No `scope`: the resolver sent no ECS option back (it ignores ECS).
   */
  ecs?: { subnet: string; scope?: number };
}

export interface AddressInfo {
  ip: string;
  family: 4 | 6;
  asn?: number;
  asnOrg?: string;
}

export interface HostAddresses {
  host: string;
  status: Status;
  addresses: AddressInfo[];
}

export interface MxHost extends HostAddresses {
  priority: number;
}

export interface DnsObservation {
  /** Status of the name itself: the CNAME chain and A/AAAA of its end. */
  status: Status;
  /** Targets of the CNAME chain in order (empty when the name has no CNAME). */
  cnames: string[];
  /** Name whose addresses were taken (last CNAME target, or the domain). */
  finalName: string;
  addresses: AddressInfo[];
  zone: { apex: string | null; source: 'soa' | 'psl' | 'none' };
  ns: { status: Status; hosts: HostAddresses[] };
  /** Registrable domain whose MX was asked. */
  mailDomain: string;
  mx: { status: Status; hosts: MxHost[] };
  queries: number;
  /** The name seen from other vantage points (--vantage): other client subnets, other resolvers. */
  vantages?: VantageObservation[];
  /** Name servers of the zones the domain's providers answer from (--depth), for indirect dependencies. */
  providerZones?: ProviderZoneObservation[];
  /** The mail domain's SPF policy and the domains it authorises (absent in older snapshots). */
  spf?: SpfObservation;
  /** The mail domain's DMARC record and its report addresses (absent in older snapshots). */
  dmarc?: DmarcObservation;
  /** The zone as its parent and its own name servers see it, asked directly (--dns-checks). */
  delegation?: DelegationObservation;
  /**
   * The CA's revocation hosts named by the leaf (OCSP responders, or the CRL hosts of a CRL-only
   * certificate), resolved when no OCSP response was stapled (--depth 1 or more); never fetched.
   */
  revocationHosts?: RevocationHostObservation[];
}

/** A host of the CA's revocation service, resolved once per run (its URL is never fetched). */
export interface RevocationHostObservation {
  host: string;
  /** Named as OCSP responder, or as CRL distribution point (a CRL-only certificate). */
  kind: 'ocsp' | 'crl';
  status: Status;
  cnames: string[];
  addresses: AddressInfo[];
  /** The host's registrable domain, and its name servers. */
  zone: string;
  ns: { status: Status; hosts: HostAddresses[] };
}

/** A domain an SPF policy hands authority to (`include:` or `redirect=`), in the order evaluated. */
export interface SpfInclude {
  domain: string;
  mechanism: 'include' | 'redirect';
  /** The domain whose policy named it (the mail domain, or an include above). */
  from: string;
  /** Status of its TXT question (NOERROR with no usable `v=spf1` record sets `error`). */
  status: Status;
  /** Why its policy could not be used: no or several `v=spf1` records. */
  error?: 'no-policy' | 'multiple-policies';
}

/**
 * What the mail domain's SPF record authorises (RFC 7208). `include:` and `redirect=` are followed
 * until SPF's own limit of 10 DNS-querying terms (4.6.4); past it `error` is `too-many-lookups`
 * (a permerror: receivers reject the policy) and the rest is not followed.
 */
export interface SpfObservation {
  /** Status of the TXT question at the mail domain. */
  status: Status;
  /** The `v=spf1` record at the mail domain (cut at 1024 characters). */
  record?: string;
  includes: SpfInclude[];
  /** Mechanisms naming hosts or addresses directly, in the mail domain's own policy (and its own includes): `ip4:…`, `ip6:…`, `a`, `mx`, `exists:…`, `ptr`. */
  direct: string[];
  /** DNS-querying terms counted (include, a, mx, ptr, exists, redirect), at most 10 followed. */
  lookups: number;
  error?: 'no-policy' | 'multiple-policies' | 'too-many-lookups';
}

/** The mail domain's DMARC record (RFC 7489) at `_dmarc.<mail domain>`. */
export interface DmarcObservation {
  status: Status;
  record?: string;
  /** `p=` policy. */
  policy?: string;
  /** Domains of the `mailto:` addresses of `rua` (aggregate) and `ruf` (failure) reports, sorted. */
  reports: { tag: 'rua' | 'ruf'; domain: string }[];
}

/**
 * How a zone's delegation was checked. `OK`: walked from the root to the parent and every name
 * server asked; `NOT_DELEGATED`: the parent has no delegation for the apex (it sits inside the
 * parent's zone); `NXDOMAIN`: the parent says the zone does not exist; `PARENT_FAILED`: the root
 * answered but no server of a zone above answered usefully; `NO_DIRECT`: not even the root
 * answered a direct query (a network that only lets its own resolvers out): the resolver's view
 * stands; `SKIPPED`: checks off, or the run may not send direct queries.
 */
export type DelegationStatus =
  | 'OK'
  | 'NOT_DELEGATED'
  | 'NXDOMAIN'
  | 'PARENT_FAILED'
  | 'NO_DIRECT'
  | 'SKIPPED';

/** A name server name of the zone, from the parent's delegation, the zone's own NS set or both. */
export interface NsNameCheck {
  host: string;
  /** Listed in the parent's delegation. */
  parent: boolean;
  /** Listed in the NS set the zone's authoritative servers serve. */
  child: boolean;
  /** Resolution of the name itself through the resolver (NOERROR, NXDOMAIN, NO_ADDRESS, ...). */
  status: Status;
  /** Addresses asked: the parent's glue and the resolver's answers, IPv4 first. */
  addresses: string[];
  /** When the name does not resolve: whether its registrable domain exists (false: anyone can register it). */
  registered?: boolean;
}

/** One name server address asked directly (RD=0) for the zone's SOA and NS. */
export interface NsServerCheck {
  host: string;
  ip: string;
  asn?: number;
  asnOrg?: string;
  /** rcode of the SOA question, or TIMEOUT / ERROR when no usable reply came. */
  status: Status;
  /** The AA bit on an SOA answer owned by the zone's apex. */
  authoritative: boolean;
  serial?: number;
  /**
   * The primary (MNAME) of the SOA it serves: servers fed from one primary share it, and only
   * those are expected to share a serial (providers kept in step by API each have their own).
   */
  soaMname?: string;
  /** The NS set it serves for the apex (sorted), when it answered authoritatively. */
  ns?: string[];
  /** Its answer for the audited name (A question): `CNAME target`, addresses, or a status. */
  answer?: string;
}

export interface DelegationObservation {
  zone: string;
  status: DelegationStatus;
  /** The zone whose servers delegate this one ('com' for example.com). */
  parent?: string;
  /** NS names of the parent's delegation (sorted). */
  parentNs: string[];
  /** NS names the zone's authoritative servers serve (their union, sorted). */
  childNs: string[];
  names: NsNameCheck[];
  servers: NsServerCheck[];
}

/**
 * How a resolver treated the client subnet: `used` = its reply carried an ECS option; `ignored` =
 * ECS was sent and no option came back (its answers are not a regional view); `none` = no ECS
 * sent (a resolver vantage); `unknown` = no usable reply to tell.
 */
export type EcsUse = 'used' | 'ignored' | 'none' | 'unknown';

export interface VantageObservation {
  /** Label: a preset ("eu"), a subnet ("203.0.113.0/24") or a resolver ("resolver 127.0.0.1:53"). */
  vantage: string;
  /** Client subnet sent as EDNS Client Subnet (RFC 7871). */
  subnet?: string;
  /** Resolver that answered ("ip:port"). */
  resolver: string;
  status: Status;
  cnames: string[];
  finalName: string;
  addresses: AddressInfo[];
  ecs: EcsUse;
  /** ECS scope prefix length of the reply for the name itself, when ECS was used. */
  scope?: number;
}

export interface ProviderZoneObservation {
  /** A provider's zone: of a CNAME target (cloudfront.net) or of a name server (awsdns-25.com). */
  zone: string;
  /** 1 = a zone the domain's own records lead to; n = a zone of a name server of a depth n-1 zone. */
  depth: number;
  ns: { status: Status; hosts: HostAddresses[] };
}

export interface HttpObservation {
  status: Status;
  scheme: 'https' | 'http';
  /** Where the probe connected (after --connect-to), "host:port". */
  connectedTo?: string;
  httpStatus?: number;
  /** Lower-cased header names; repeated headers keep every value. */
  headers: Record<string, string[]>;
  redirects: { status: number; location: string }[];
  durationMs: number;
  error?: ErrorInfo;
}

export interface CertName {
  CN?: string;
  O?: string;
}

/**
 * How a client would learn that the certificate was revoked: from the server (a stapled OCSP
 * response) or by asking the CA's revocation service (OCSP responder, CRL distribution point).
 */
export interface RevocationInfo {
  /** The server stapled an OCSP response in the handshake (status_request). */
  stapled: boolean;
  /** OCSP responder URLs of the leaf (Authority Information Access). */
  ocsp: string[];
  /** CRL distribution point URLs of the leaf. */
  crl: string[];
  /** The leaf carries the TLS feature extension status_request (must-staple, RFC 7633). */
  mustStaple: boolean;
}

export interface TlsObservation {
  status: Status;
  /** Stapling and the revocation URLs of the leaf; absent in documents of older versions. */
  revocation?: RevocationInfo;
  subject?: CertName;
  issuer?: CertName;
  validFrom?: string;
  validTo?: string;
  san: string[];
  /** Whether the chain validated against the trusted roots (system + --ca-file). */
  authorized: boolean;
  authorizationError?: string;
  fingerprint256?: string;
  protocol?: string;
  durationMs: number;
  error?: ErrorInfo;
}

export interface Observation {
  domain: string;
  dns: DnsObservation;
  http?: HttpObservation;
  tls?: TlsObservation;
}

export interface ErrorInfo {
  code: Status | string;
  message: string;
}

export type SignalKind =
  | 'cname'
  | 'ns'
  | 'mx'
  | 'spf'
  | 'dmarc'
  | 'asn'
  | 'cidr'
  | 'header'
  | 'cookie'
  | 'issuer'
  | 'relation';

/**
 * Which way mail goes through an `email` dependency: absent = inbound (an MX host receives it);
 * `outbound` = a sender the SPF policy authorises; `reports` = where DMARC reports go (no mail
 * flows through it: never a single path, never lost in an outage).
 */
export type MailDirection = 'outbound' | 'reports';

export interface Evidence {
  signal: SignalKind;
  /** What was seen: the host name, "AS13335 (1.2.3.4)", "cf-ray: 8a..", "O=Let's Encrypt". */
  value: string;
}

export interface Dependency {
  layer: Layer;
  /** Provider id from the catalogue, or "self" for the domain's own infrastructure. */
  provider: string;
  service?: string;
  region?: string;
  /** Provider through which this dependency exists (runsOn / parent relations). */
  via?: string;
  /** `email` only: absent = inbound (MX); see MailDirection. */
  direction?: MailDirection;
  /**
   * Position from the user's side within the layer, 0 = outermost. Dependencies of one layer with
   * different `order` are in series (all are needed: Shopify in front of Cloudflare); those with
   * the same `order` are alternatives (any one suffices: NS at two DNS providers, MX backups).
   * Absent = 0.
   */
  order?: number;
  /** Vantage points that saw this provider, when only some did (absent: seen from all). */
  vantages?: string[];
  evidence: Evidence[];
}

/**
 * A provider the domain depends on through one of its providers: who answers DNS for the zone a
 * provider's endpoint lives in (Akamai's akamaiedge.net at UltraDNS). Kept apart from the direct
 * dependencies: it never makes a direct single-provider finding.
 */
export interface IndirectDependency {
  /** The provider's role for the zone: `dns`. */
  layer: Layer;
  provider: string;
  service?: string;
  indirect: true;
  /** The dependency this sits under: a direct one at depth 1, an indirect one deeper. */
  through: { layer: Layer; provider: string };
  /** The zone whose name servers this provider runs. */
  zone: string;
  /** 1 = DNS of a direct provider's zone; 2 = DNS of the zone of that DNS provider; ... */
  depth: number;
  /**
   * From the domain's side: `['cdn: akamai', 'dns of akamaiedge.net']`; a deeper hop names the
   * provider of the previous one: `['cdn: akamai', 'dns of akamaiedge.net: ultradns', 'dns of ultradns.net']`.
   */
  path: string[];
  /** Other providers also answering for the zone (`self` = the provider's own name servers). */
  alternatives?: string[];
  evidence: Evidence[];
}

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

export type FindingKind =
  | 'single-provider'
  | 'shared-fate'
  | 'redundant'
  | 'unresolved'
  | 'probe-failed'
  | 'region-concentration'
  | 'multi-cdn'
  | 'lame-delegation'
  | 'ns-out-of-sync'
  | 'delegation-mismatch'
  | 'ns-unresolvable'
  | 'ns-same-network'
  | 'ns-too-few'
  | 'ns-single-tld'
  | 'spf-permerror'
  | 'no-https';

export interface Finding {
  kind: FindingKind;
  severity: Severity;
  layer?: Layer;
  provider?: string;
  args: Record<string, string | number | string[]>;
  message: string;
  /** Accepted by a rule of the config's `accept` list: still reported, not counted for --fail-on. */
  accepted?: { reason: string; owner: string; expires: string };
}

export interface DomainResult {
  domain: string;
  error?: ErrorInfo;
  observations: Observation;
  dependencies: Dependency[];
  /** Dependencies through a provider's provider (--depth); absent when none were found. */
  indirect?: IndirectDependency[];
  risks: Finding[];
  /**
   * In a saved snapshot, on a domain that failed: the facts of its last good run, carried from
   * the baseline so the next run's drift compares with them rather than with the error.
   */
  lastGood?: LastGood;
}

/** What a domain's last successful audit found (see DomainResult.lastGood); evidence left out. */
export interface LastGood {
  /** `generatedAt` of the run that saw it. */
  generatedAt: string;
  dependencies: Dependency[];
  indirect?: IndirectDependency[];
  risks: Finding[];
}

export interface ProviderShare {
  provider: string;
  domains: number;
  share: number;
}

export interface LayerSummary {
  layer: Layer;
  /** Domains with at least one third-party provider seen at this layer. */
  covered: number;
  providers: ProviderShare[];
  /** Herfindahl-Hirschman index over provider shares, 0..10000. */
  hhi: number;
}

/**
 * What one provider's outage does to the portfolio. The counts are the figures; the lists name
 * the domains in code-unit order, all of them up to a cap (1000 by default, so that a summary of a
 * million domains stays small) and the first ones past it: a list shorter than its count is cut.
 * Snapshots written before the counts existed are read with the counts taken from the lists.
 */
export interface BlastRadius {
  provider: string;
  /** Domains that go down: the provider is their only path for DNS, CDN or hosting. */
  downCount: number;
  /** Domains that lose only certificates or e-mail. */
  degradedCount: number;
  /** Domains down only through a provider's provider (the DNS of a CDN's zone); absent when none. */
  downIndirectCount?: number;
  down: string[];
  degraded: string[];
  downIndirect?: string[];
  /** Domains that lose only certificates or e-mail through a provider's provider (a CA's OCSP CDN); absent when none. */
  degradedIndirectCount?: number;
  degradedIndirect?: string[];
  /**
   * Subsidiaries (catalogue `parent` relations) whose dependencies put domains in this radius:
   * microsoft owns github, so a GitHub Pages site is down if microsoft fails. Absent when none.
   */
  owns?: string[];
}

/** Something about the run rather than one domain, reported once (e.g. a resolver ignoring ECS). */
export interface RunNote {
  code: 'ecs-ignored' | 'dns-checks-unavailable';
  /** The resolver the note is about ("ip:port"). */
  resolver?: string;
  /** Domains concerned, and the first few of them. */
  count: number;
  examples: string[];
  message: string;
}

/**
 * One layer of the study view (Kashaf, Sekar, Agarwal, IMC 2020). Shares are of `Study.domains`.
 * A domain is *critically dependent* at a layer when one third-party provider's outage alone
 * takes the layer (no alternative, not even its own servers); *redundant* when it uses a third
 * party there but no single one can take the layer.
 */
export interface StudyLayer {
  layer: Layer;
  thirdParty: number;
  thirdPartyShare: number;
  critical: number;
  criticalShare: number;
  redundant: number;
  redundantShare: number;
  /** Providers by the domains critically dependent on them, most first. */
  providers: { provider: string; critical: number; criticalShare: number }[];
  /** k = 1..10: domains critically dependent on at least one of the top-k providers (the union). */
  concentration: { k: number; provider: string; critical: number; share: number }[];
  /** HHI (0..10000) over the providers' critical dependencies. */
  hhi: number;
  /** ca only: domains whose server staples an OCSP response (not critically dependent on the CA). */
  stapled?: number;
  /** ca only: domains whose certificate names CRLs and no OCSP responder (Let's Encrypt since 2025). */
  crlOnly?: number;
}

/** A provider's impact directly and through the providers that depend on it. */
export interface StudyAmplification {
  provider: string;
  /** Domains critically dependent on it at some layer. */
  direct: number;
  /** Further domains that lose a layer only through a provider that depends on it. */
  indirect: number;
  total: number;
  /** total / direct; null when it has no direct dependant. */
  ratio: number | null;
  /** The providers through which the indirect domains are lost ("cdn: akamai → dns"), most first. */
  paths: { path: string; domains: number }[];
}

/** One provider relying on another (a CDN's zone served by a DNS provider). */
export interface StudyProviderDependency {
  layer: Layer;
  provider: string;
  dependsOn: { layer: Layer; provider: string };
  /** Domains on which the relation was seen. */
  domains: number;
  /** Of them, those where the provider's zone has no other provider (nor its own servers). */
  critical: number;
}

export interface Study {
  /** Domains that resolved: the denominator of every share. */
  domains: number;
  layers: StudyLayer[];
  amplification: StudyAmplification[];
  providerDependencies: StudyProviderDependency[];
}

export interface Summary {
  domains: number;
  failed: number;
  findings: Record<Severity, number>;
  layers: LayerSummary[];
  blastRadius: BlastRadius[];
  /** Run-wide notes, each once; absent when there are none. */
  notes?: RunNote[];
  /** The study view; absent in documents of older versions. */
  study?: Study;
}

/** A resolver the run asked, and how many of its questions it answered (any rcode counts). */
export interface ResolverUse {
  /** "ip:port" (the port is left out of saved snapshots). */
  resolver: string;
  /** `flag`: given with --resolver; `system`: a nameserver line of /etc/resolv.conf. */
  source: 'flag' | 'system';
  /** Questions sent to it (not those answered from the cache). */
  asked: number;
  answered: number;
}

export interface AuditDocument {
  schema: 1;
  tool: { name: 'singlepath'; version: string };
  generatedAt: string;
  options: Record<string, unknown>;
  /** The resolvers actually used, with how many answered; absent in documents of older versions. */
  resolvers?: ResolverUse[];
  /** Set when the run was stopped before every domain was audited (SIGINT/SIGTERM). */
  incomplete?: { reason: string; audited: number };
  domains: DomainResult[];
  summary: Summary;
}
