import { array, FormatError, isObj, jsonObject, type RangeEntry, region, slug, str } from './parse-util.js';
import type { WebLayer } from './published.js';

// AWS ip-ranges.json: {"prefixes": [{ip_prefix, region, service, network_border_group}],
// "ipv6_prefixes": [{ipv6_prefix, ...}]}. A prefix is listed once per service, and every one
// also appears under the catch-all AMAZON; the specific service wins for the same prefix.

const CDN_SERVICES: Record<string, string> = {
  CLOUDFRONT: 'cloudfront',
  CLOUDFRONT_ORIGIN_FACING: 'cloudfront',
  GLOBALACCELERATOR: 'global-accelerator',
};
const CATCH_ALL = 'AMAZON';

/** Lower rank wins when one prefix is listed under several services. */
function rank(service: string): number {
  if (service in CDN_SERVICES) return 0;
  return service === CATCH_ALL ? 2 : 1;
}

export function parseAws(body: string): RangeEntry[] {
  const doc = jsonObject(body);
  const best = new Map<string, { service: string; region?: string }>();
  const lists: [string, string][] = [
    ['prefixes', 'ip_prefix'],
    ['ipv6_prefixes', 'ipv6_prefix'],
  ];
  for (const [listKey, prefixKey] of lists) {
    array(doc, listKey).forEach((p, i) => {
      const path = `${listKey}[${i}]`;
      if (!isObj(p)) throw new FormatError(`${path}: expected an object`);
      const cidr = str(p[prefixKey], `${path}.${prefixKey}`).toLowerCase();
      const service = str(p.service, `${path}.service`);
      const prev = best.get(cidr);
      const r = rank(service);
      if (!prev || r < rank(prev.service) || (r === rank(prev.service) && service < prev.service))
        best.set(cidr, { service, region: region(p.region) });
    });
  }
  return [...best].map(([cidr, { service, region }]) => {
    const layer: WebLayer = service in CDN_SERVICES ? 'cdn' : 'cloud';
    const svc = CDN_SERVICES[service] ?? (service === CATCH_ALL ? undefined : slug(service));
    // CloudFront and Global Accelerator are anycast: their "GLOBAL" region is dropped.
    return { provider: 'aws', layer, service: svc, region: layer === 'cdn' ? undefined : region, cidr };
  });
}
