import type { Finding, FindingKind, Layer } from '../types.js';

// What removes a finding's single path: remediation kept as data beside the messages, per
// finding kind, made concrete per layer and, where the way out is known, per provider. Shown by
// --explain, in Markdown, HTML and SARIF (as each rule's help). Tests assert every kind has some.

/** What each finding kind is about, in one line (a SARIF rule's description, a docs heading). */
export const KIND_TITLES: Record<FindingKind, string> = {
  'single-provider': 'One provider alone carries a layer of the service: its outage takes the layer down',
  'shared-fate': 'One provider sits under several layers of the service',
  redundant: 'The layer has independent alternatives',
  unresolved: 'The name does not resolve',
  'probe-failed': 'The HTTP or HTTPS probe failed',
  'region-concentration': 'Several layers sit in one region of one provider',
  'multi-cdn': 'Several CDNs serve the name depending on where users are',
  'lame-delegation': 'A delegated name server does not serve the zone (lame or not answering)',
  'ns-out-of-sync': "The zone's name servers disagree (serial or answers)",
  'delegation-mismatch': "The parent's and the zone's NS sets differ",
  'ns-unresolvable': 'A name server name does not resolve',
  'ns-same-network': 'Every name server is on one address, prefix or network',
  'ns-too-few': 'The zone has fewer than two name servers',
  'ns-single-tld': "Every name server is under one TLD other than the zone's",
  'spf-permerror': 'The SPF policy is a permanent error for receivers',
  'no-https': 'The site answers plain HTTP only',
};

/** What removes one provider as the single path of a layer. */
const SINGLE_BY_LAYER: Record<Layer, string> = {
  dns: 'Serve the zone from a second, independent DNS provider too: a secondary fed by zone transfer (AXFR/IXFR with NOTIFY), or two primaries kept in step by a tool such as octoDNS or DNSControl (with DNSSEC, a multi-signer setup, RFC 8901). List both providers at the registrar and in the zone, and check with --dns-checks that both answer.',
  cdn: 'Put a second CDN beside this one with DNS steering (weighted or failover records at a DNS provider that is not the CDN itself), keep the origin reachable by both, and test the failover before you need it.',
  cloud:
    'Run the service in a second region, or a second provider, behind health-checked DNS or a load balancer that does not live in the same failure domain; at least keep a static fallback (a maintenance page on another host).',
  ca: "Make certificate renewal able to fall back: an ACME client configured with two CAs (for example Let's Encrypt and another ACME CA such as ZeroSSL, Google Trust Services or Buypass), and CAA records that allow both.",
  email:
    'Add a backup MX at another provider (a lower-preference MX that queues and forwards), or route inbound mail through a second gateway; for outbound, a second sending service and SPF/DKIM for both.',
};

/** A single sending service (the only sender the SPF policy authorises). */
const SINGLE_OUTBOUND =
  'Authorise a second, independent sending service in SPF and sign for it with DKIM, so that mail can be switched to it when this one fails; keep the SPF record within its 10 DNS lookups (past them receivers reject the whole policy).';

/** Provider-specific ways out, where the provider is known to offer or need one. */
const SINGLE_BY_PROVIDER: Partial<Record<string, Partial<Record<Layer, string>>>> = {
  cloudflare: {
    dns: 'Cloudflare can act as a primary with outgoing zone transfers to a secondary, or as a secondary of another primary (zone transfers are a plan feature); otherwise keep a second provider in step through the API.',
    cdn: 'Cloudflare in front of everything: keep a DNS provider other than Cloudflare able to point the name at the origin or another CDN (a proxied record cannot fail over to itself).',
  },
  aws: {
    dns: 'Route 53 offers no zone transfer: keep a second provider in step through the API (octoDNS or DNSControl both drive Route 53) and list its servers beside the awsdns ones.',
  },
  google: {
    dns: 'Cloud DNS offers no outgoing zone transfer: keep a second provider in step through the API (octoDNS or DNSControl).',
  },
  microsoft: {
    dns: 'Azure DNS offers no zone transfer: keep a second provider in step through the API (octoDNS or DNSControl).',
  },
  letsencrypt: {
    ca: "Let's Encrypt alone: add a second ACME CA to the client (certbot --server, acme.sh --server, Caddy's issuers list) and to CAA.",
  },
};

const ADVICE: Record<Exclude<FindingKind, 'single-provider'>, string> = {
  'shared-fate':
    'One company carries several layers: move one of them (most often DNS) to a provider that does not share the outage, so that a failure of this provider leaves a way to point users elsewhere.',
  redundant: 'Nothing to remove: keep both paths tested (a failover that was never exercised is not one).',
  unresolved:
    'The name does not resolve: remove it from the list if it is retired, or fix its records; a dangling name that points at a deprovisioned service can be taken over.',
  'probe-failed':
    'The service did not answer over HTTP(S): check that it is meant to be up; if it is retired, remove the DNS records that still point at it.',
  'region-concentration':
    'Several layers sit in one region of one provider: spread them over a second region (or provider) with health-checked failover.',
  'multi-cdn':
    'Several CDNs serve this name by region: make sure each region can fail over to another CDN, not only to itself.',
  'lame-delegation':
    "Load the zone on that provider (by zone transfer or its API) so that its servers answer authoritatively, or remove its name servers from both the registrar's delegation and the zone's NS records.",
  'ns-out-of-sync':
    'Repair the path that keeps the servers in step (NOTIFY and IXFR/AXFR with the right TSIG key and ACL, or the provider sync job): until then the servers behind serve stale answers and are no alternative.',
  'delegation-mismatch':
    "Make the registrar's delegation and the zone's own NS records list the same names: names only the zone lists are never asked by a resolver starting cold; names only the parent lists keep getting traffic after you removed them.",
  'ns-unresolvable':
    'Remove the name server that does not resolve from the delegation and the zone, or restore its address records; if its domain is unregistered, register it yourself now or remove it at once (anyone who registers it can answer for your zone).',
  'ns-same-network':
    'Put at least one name server on another network (another AS and prefix): a secondary DNS service fed by zone transfer is the usual way. Two names on one address are one server.',
  'ns-too-few':
    'Add a second name server on another network (RFC 2182 asks for at least two); a secondary DNS service fed by zone transfer is enough.',
  'no-https':
    "Serve the site over HTTPS (a certificate from an ACME CA such as Let's Encrypt, or the CDN's own), redirect HTTP to it, and once it works send HSTS; if the name is not meant to serve anything, remove its records.",
  'spf-permerror':
    'Bring the SPF policy back to one record within 10 DNS lookups: drop include: of senders no longer used, replace nested includes by the ip4:/ip6: ranges a sender publishes (and keep them current), or send some streams from a subdomain with its own policy; remove include: of domains that publish no policy.',
  'ns-single-tld':
    "Use name servers under more than one TLD (Route 53's spread over .com, .net, .org and .co.uk is an example), so that one TLD's outage does not take every name server with it.",
};

/** Remediation for a finding: what removes the single path, concrete to the provider when known. */
export function adviceFor(
  f: Pick<Finding, 'kind' | 'layer' | 'provider'> & { args?: Finding['args'] },
): string {
  if (f.kind !== 'single-provider') return ADVICE[f.kind] ?? '';
  if (f.layer === 'email' && f.args?.direction === 'outbound') return SINGLE_OUTBOUND;
  if (f.provider === 'self' && f.layer === 'dns')
    return 'Your own name servers share one network: add a secondary on another network (another AS and prefix), for example a secondary DNS service fed by zone transfer.';
  const layer = f.layer ?? 'dns';
  const specific = f.provider ? SINGLE_BY_PROVIDER[f.provider]?.[layer] : undefined;
  return specific ? `${specific} ${SINGLE_BY_LAYER[layer]}` : SINGLE_BY_LAYER[layer];
}

/** The general advice of a finding kind (a SARIF rule's help), not specific to one provider. */
export function kindAdvice(kind: FindingKind): string {
  return kind === 'single-provider'
    ? `Add an independent second provider at that layer. By layer: ${Object.entries(SINGLE_BY_LAYER)
        .map(([l, t]) => `${l}: ${t}`)
        .join(' ')}`
    : ADVICE[kind];
}
