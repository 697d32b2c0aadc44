import type { Finding } from '../types.js';

const LAYER_WORDS: Record<string, string> = {
  dns: 'authoritative DNS',
  cdn: 'edge (CDN)',
  cloud: 'hosting (cloud)',
  ca: 'certificate authority',
  email: 'e-mail',
};

/** The one place finding codes become words; tests assert codes, not these sentences. */
export function describeFinding(f: Omit<Finding, 'message'>): string {
  const words = f.layer ? (LAYER_WORDS[f.layer] ?? f.layer) : '';
  const layer =
    f.args.direction === 'outbound'
      ? `outbound ${words} (senders SPF authorises)`
      : f.args.direction === 'inbound'
        ? `inbound ${words} (MX)`
        : words;
  const list = (v: unknown) => (Array.isArray(v) ? v.join(', ') : String(v ?? ''));
  switch (f.kind) {
    case 'single-provider':
      if (f.provider === 'self' && f.args.network)
        return `${layer} is the organisation's own, on one ${f.args.network === 'ip' ? 'server address' : f.args.network === 'prefix' ? 'network prefix' : 'network (AS)'} (${list(f.args.value)})`;
      return `${layer} depends on ${f.provider} alone`;
    case 'shared-fate':
      return `${f.provider} sits under ${list(f.args.layers)}${
        Array.isArray(f.args.singleLayers) && f.args.singleLayers.length
          ? ` (single path at ${list(f.args.singleLayers)})`
          : ''
      }`;
    case 'redundant':
      return `${layer} has alternatives: ${list(f.args.providers)}`;
    case 'unresolved':
      return `the name does not resolve (${list(f.args.status)})`;
    case 'probe-failed':
      return `the ${list(f.args.probe)} probe failed (${list(f.args.status)})`;
    case 'region-concentration':
      return `${f.provider} region ${list(f.args.region)} carries ${list(f.args.layers)}`;
    case 'multi-cdn':
      return `${layer} is served by several providers depending on where users are: ${list(f.args.seen)}`;
    case 'lame-delegation':
      return `${f.provider} is delegated ${list(f.args.zone)} but does not serve it (${list(f.args.servers)}): it is no alternative`;
    case 'ns-out-of-sync':
      return `the name servers of ${list(f.args.zone)} disagree${f.args.serial !== undefined ? ` (newest serial ${list(f.args.serial)})` : ''}: ${list(f.args.servers)}; servers out of step are no alternative`;
    case 'delegation-mismatch':
      return `the parent and ${list(f.args.zone)} list different name servers${mismatch(f.args.parentOnly, 'only the parent lists', "resolvers use them until they read the zone's own set")}${mismatch(f.args.childOnly, 'only the zone lists', 'a resolver starting cold never asks them')}`;
    case 'ns-unresolvable':
      return `name server ${list(f.args.host)} does not resolve (${list(f.args.status)})${
        f.args.registered === 'no'
          ? `: its domain ${f.provider} is not registered, and whoever registers it can answer for the zone`
          : ''
      }`;
    case 'ns-same-network':
      return `every name server is on one ${f.args.scope === 'ip' ? 'address' : f.args.scope === 'prefix' ? 'network prefix' : 'network (AS)'}: ${list(f.args.network)}`;
    case 'ns-too-few':
      return `${list(f.args.zone)} has fewer than two name servers (parent lists ${list(f.args.parent)}, the zone ${list(f.args.child)})`;
    case 'no-https':
      return `the site answers plain HTTP only (HTTPS: ${list(f.args.status)}); what HTTP showed is classified`;
    case 'spf-permerror':
      return f.args.reason === 'too-many-lookups'
        ? `the SPF policy needs more than 10 DNS lookups (${list(f.args.lookups)} counted before stopping): receivers treat it as a permanent error, so no sender passes SPF`
        : f.args.reason === 'multiple-policies'
          ? `${list(f.args.domain)} publishes more than one SPF record: receivers treat the policy as a permanent error`
          : `the SPF policy includes ${list(f.args.domain)}, which publishes no SPF policy: receivers treat the whole policy as a permanent error`;
    case 'ns-single-tld':
      return `every name server of ${list(f.args.zone)} is under .${list(f.args.tld)}: one TLD's outage takes them all`;
  }
}

function mismatch(names: unknown, what: string, why: string): string {
  if (!Array.isArray(names) || names.length === 0) return '';
  return `; ${what} ${names.join(', ')} (${why})`;
}
