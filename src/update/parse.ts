import { array, FormatError, isObj, jsonObject, type RangeEntry, region, slug, str } from './parse-util.js';
import type { WebLayer } from './published.js';

// Parsers for the published lists other than AWS's (parse-aws.ts). Each returns flat entries;
// update.ts validates the CIDRs, groups them and refuses an empty result.

/** Google's cloud.json and goog.json: {"prefixes": [{ipv4Prefix | ipv6Prefix, service?, scope?}]}. */
function googlePrefixes(
  body: string,
  each: (p: Record<string, unknown>, cidr: string) => RangeEntry,
): RangeEntry[] {
  return array(jsonObject(body), 'prefixes').map((p, i) => {
    if (!isObj(p)) throw new FormatError(`prefixes[${i}]: expected an object`);
    const cidr = p.ipv4Prefix ?? p.ipv6Prefix;
    return each(p, str(cidr, `prefixes[${i}].ipv4Prefix`));
  });
}

/** cloud.json: the ranges Google Cloud customers get, with the region as `scope`. */
export function parseGoogleCloud(body: string): RangeEntry[] {
  return googlePrefixes(body, (p, cidr) => ({
    provider: 'google',
    layer: 'cloud',
    region: region(p.scope),
    cidr,
  }));
}

/**
 * goog.json: every range Google announces, Cloud's included. Read as the Google front end
 * (like AS15169 in the catalogue); cloud.json's more specific or equal ranges take Cloud back.
 */
export function parseGoogleServices(body: string): RangeEntry[] {
  return googlePrefixes(body, (_p, cidr) => ({
    provider: 'google',
    layer: 'cdn',
    service: 'google-frontend',
    cidr,
  }));
}

/** A plain list, one CIDR a line (Cloudflare's ips-v4 / ips-v6). */
export function textList(provider: string, layer: WebLayer) {
  return (body: string): RangeEntry[] => {
    if (/^\s*[[{<]/.test(body))
      throw new FormatError('expected one CIDR a line, got a JSON or HTML document');
    return body
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'))
      .map((cidr) => ({ provider, layer, cidr }));
  };
}

/** Fastly's public IP list: {"addresses": [...], "ipv6_addresses": [...]}. */
export function parseFastly(body: string): RangeEntry[] {
  const doc = jsonObject(body);
  return [...array(doc, 'addresses'), ...array(doc, 'ipv6_addresses', true)].map((c, i) => ({
    provider: 'fastly',
    layer: 'cdn',
    cidr: str(c, `addresses[${i}]`),
  }));
}

/** Oracle's public_ip_ranges.json: {"regions": [{region, cidrs: [{cidr, tags: ["OCI" | "OSN" | ...]}]}]}. */
export function parseOracle(body: string): RangeEntry[] {
  const out: RangeEntry[] = [];
  array(jsonObject(body), 'regions').forEach((r, i) => {
    if (!isObj(r)) throw new FormatError(`regions[${i}]: expected an object`);
    const reg = region(str(r.region, `regions[${i}].region`));
    array(r, 'cidrs').forEach((c, j) => {
      const path = `regions[${i}].cidrs[${j}]`;
      if (!isObj(c)) throw new FormatError(`${path}: expected an object`);
      const tags = Array.isArray(c.tags) ? c.tags.filter((t): t is string => typeof t === 'string') : [];
      const tag = tags.includes('OCI') ? 'OCI' : tags[0];
      out.push({
        provider: 'oracle',
        layer: 'cloud',
        service: tag ? slug(tag) : undefined,
        region: reg,
        cidr: str(c.cidr, `${path}.cidr`),
      });
    });
  });
  return out;
}

/**
 * GitHub's meta API. Only GitHub's own front doors are read; `actions`, `codespaces`, `copilot`,
 * `importer` and the like list Azure and AWS addresses GitHub rents, which are not its network.
 * A range listed under several keys keeps the first key here.
 */
const GITHUB_KEYS = ['pages', 'web', 'api', 'git', 'hooks', 'packages'];

export function parseGithub(body: string): RangeEntry[] {
  const doc = jsonObject(body);
  const seen = new Set<string>();
  const out: RangeEntry[] = [];
  for (const key of GITHUB_KEYS) {
    array(doc, key, true).forEach((c, i) => {
      const cidr = str(c, `${key}[${i}]`).toLowerCase();
      if (seen.has(cidr)) return;
      seen.add(cidr);
      out.push({ provider: 'github', layer: 'cdn', service: slug(key), cidr });
    });
  }
  return out;
}
