import {
  parseFastly,
  parseGithub,
  parseGoogleCloud,
  parseGoogleServices,
  parseOracle,
  textList,
} from './parse.js';
import { parseAws } from './parse-aws.js';
import type { RangeEntry } from './parse-util.js';

// The published lists update-data knows. The URLs are defaults only: tests and mirrors pass
// `--source NAME=URL`. Order matters once loaded: where two lists give the very same range,
// the one listed first here wins (after any hand-written catalogue rule).

export interface SourceDef {
  name: string;
  url: string;
  description: string;
  parse: (body: string) => RangeEntry[];
  /** Only loaded when this other source's file is cached too (see google-services). */
  requires?: string;
}

export const SOURCES: readonly SourceDef[] = [
  {
    name: 'aws',
    url: 'https://ip-ranges.amazonaws.com/ip-ranges.json',
    description: 'AWS ip-ranges.json (CloudFront as cdn, other services as cloud with region)',
    parse: parseAws,
  },
  {
    name: 'google-cloud',
    url: 'https://www.gstatic.com/ipranges/cloud.json',
    description: 'Google Cloud customer ranges (cloud, scope as region)',
    parse: parseGoogleCloud,
  },
  {
    name: 'google-services',
    url: 'https://www.gstatic.com/ipranges/goog.json',
    description: "Google's announced ranges (cdn google-frontend; Cloud's own ranges win)",
    parse: parseGoogleServices,
    // goog.json includes Cloud's ranges: without cloud.json it would call a VM a front end.
    requires: 'google-cloud',
  },
  {
    name: 'cloudflare-ipv4',
    url: 'https://www.cloudflare.com/ips-v4',
    description: 'Cloudflare IPv4 edge ranges (cdn)',
    parse: textList('cloudflare', 'cdn'),
  },
  {
    name: 'cloudflare-ipv6',
    url: 'https://www.cloudflare.com/ips-v6',
    description: 'Cloudflare IPv6 edge ranges (cdn)',
    parse: textList('cloudflare', 'cdn'),
  },
  {
    name: 'fastly',
    url: 'https://api.fastly.com/public-ip-list',
    description: 'Fastly public IP list (cdn)',
    parse: parseFastly,
  },
  {
    name: 'oracle',
    url: 'https://docs.oracle.com/en-us/iaas/tools/public_ip_ranges.json',
    description: 'Oracle Cloud public_ip_ranges.json (cloud with region)',
    parse: parseOracle,
  },
  {
    name: 'github',
    url: 'https://api.github.com/meta',
    description: 'GitHub meta: pages, web, api, git... (cdn; not the Azure ranges of actions)',
    parse: parseGithub,
  },
];

export function sourceNamed(name: string): SourceDef | undefined {
  return SOURCES.find((s) => s.name === name);
}

/** Defaults of `update-data` (here, not in update.ts, so that the CLI reads them without loading undici). */
export const UPDATE_DEFAULTS = { timeoutMs: 30_000, maxBytes: 20 * 1024 * 1024 } as const;
