import { describe, expect, it } from 'vitest';
import { domainRisks } from '../src/analyse/domain.js';
import { loadCatalogue } from '../src/catalogue/load.js';
import { classify } from '../src/classify/index.js';
import type { Dependency } from '../src/types.js';
import { addr, host, observation } from './helpers/observation.js';

// Layers right (issue 17): DNS-level traffic steering answers DNS only. Azure Traffic Manager and
// Akamai's GTM hand out the address of an endpoint: a DNS dependency of that name, in series with
// the zone's own DNS, not the edge that terminates the traffic.

const catalogue = loadCatalogue();
const R53 = [host('ns-205.awsdns-25.com'), host('ns-771.awsdns-32.net')];

const text = (d: Dependency) =>
  `${d.layer}:${d.provider}${d.service ? `/${d.service}` : ''}${d.order ? `#${d.order}` : ''}`;

const CASES: [about: string, cnames: string[], address: ReturnType<typeof addr>, want: string[]][] = [
  [
    'Azure Traffic Manager in front of App Service',
    ['example.trafficmanager.net', 'example-eu.azurewebsites.net'],
    addr('20.50.2.10', 8075, 'MICROSOFT-CORP-MSN-AS-BLOCK'),
    ['dns:aws/route53', 'dns:microsoft/traffic-manager#1', 'cloud:microsoft/app-service'],
  ],
  [
    'Akamai GTM handing out an origin on AWS',
    ['www.example.com.akadns.net'],
    addr('3.5.140.10', 16509, 'AMAZON-02'),
    ['dns:aws/route53', 'dns:akamai/global-traffic-management#1', 'cloud:aws'],
  ],
  [
    'Akamai GTM in front of Akamai’s own edge',
    ['www.example.com.akadns.net', 'www.example.com.edgekey.net', 'e1234.a.akamaiedge.net'],
    addr('23.50.1.1', 20940, 'Akamai International B.V.'),
    ['dns:aws/route53', 'dns:akamai/global-traffic-management#1', 'cdn:akamai'],
  ],
  [
    'Front Door’s own Traffic Manager profile stays the edge',
    ['example.azurefd.net', 'star-azurefd-prod.trafficmanager.net'],
    addr('13.107.246.40', 8068, 'MICROSOFT-CORP-MSN-AS-BLOCK'),
    ['dns:aws/route53', 'cdn:microsoft/front-door'],
  ],
];

describe('DNS steering is a DNS dependency, not the edge', () => {
  it.each(CASES)('%s', (_about, cnames, address, want) => {
    const deps = classify(
      observation({ domain: 'www.example.com', ns: R53, cnames, addresses: [address] }),
      catalogue,
    );
    expect(deps.filter((d) => d.layer !== 'email').map(text)).toEqual(want);
  });

  it('in series with the zone’s DNS: the steering provider alone is a single DNS path', () => {
    const deps = classify(
      observation({
        domain: 'www.example.com',
        ns: [host('ns1-01.azure-dns.com'), host('ns-205.awsdns-25.com')],
        cnames: ['example.trafficmanager.net', 'example-eu.azurewebsites.net'],
        addresses: [addr('20.50.2.10', 8075)],
      }),
      catalogue,
    );
    const codes = domainRisks(deps).map((f) =>
      `${f.severity} ${f.kind} ${f.layer ?? ''} ${f.provider ?? ''}`.trim(),
    );
    expect(codes).toContain('high single-provider dns microsoft');
    expect(codes).toContain('info redundant dns');
    expect(codes).not.toContain('high single-provider cdn microsoft');
  });
});
