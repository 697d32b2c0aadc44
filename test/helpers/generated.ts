import { readFileSync } from 'node:fs';
import type { LabFixture } from './lab.js';

// A lab of many similar domains across a few zones (shards, --jobs): names dN.zoneM.test, zones on
// Cloudflare or Route 53 name servers, addresses at Cloudflare or AWS.

export function generatedLab(n: number, zones: number): { fixture: LabFixture; domains: string[] } {
  const fixture: LabFixture = {
    zones: ['cloudflare.com', 'awsdns-25.com'],
    records: [],
    sites: {},
    faults: {},
  };
  fixture.records.push({ name: 'ada.ns.cloudflare.com', type: 'A', data: '173.245.58.61' });
  for (let z = 0; z < zones; z++) {
    const zone = `zone${z}.test`;
    fixture.zones.push(zone);
    fixture.records.push({
      name: zone,
      type: 'NS',
      data: z % 2 ? 'ada.ns.cloudflare.com' : 'ns-205.awsdns-25.com',
    });
  }
  const domains: string[] = [];
  for (let i = 0; i < n; i++) {
    const name = `d${i}.zone${i % zones}.test`;
    domains.push(name);
    fixture.records.push({ name, type: 'A', data: i % 3 ? `104.16.${i % 250}.1` : `52.6.${i % 250}.1` });
  }
  return { fixture, domains };
}

/** The records of an NDJSON file (domain lines, then the summary line). */
// biome-ignore lint/suspicious/noExplicitAny: test records are checked field by field
export function readNdjson(path: string): any[] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}
