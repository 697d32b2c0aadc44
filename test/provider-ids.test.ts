import { describe, expect, it } from 'vitest';
import { loadCatalogue } from '../src/catalogue/load.js';
import { ProviderIds, resolveOutage } from '../src/cli/provider-ids.js';
import type { ReportDocument } from '../src/report/spill.js';

// Provider ids as people type them (issue 20): any case, a product of one provider, the nearest
// ids for a typo; regions checked against what is known.

const catalogue = loadCatalogue();
const ids = new ProviderIds(catalogue);
const doc = {
  domains: [
    {
      domain: 'api.example',
      observations: {},
      risks: [],
      dependencies: [{ layer: 'cloud', provider: 'aws', region: 'us-east-1', evidence: [] }],
    },
  ],
} as unknown as ReportDocument;

describe('provider ids', () => {
  it('in any case, and by a product or name of one provider', () => {
    expect(ids.resolve('CloudFlare')).toBe('cloudflare');
    expect(ids.resolve('route53')).toBe('aws');
    expect(ids.resolve('Route-53')).toBe('aws');
    expect(ids.resolve('cloudfront')).toBe('aws');
  });

  it('an ambiguous product names its providers; a typo gets the nearest ids', () => {
    expect(() => ids.resolve('pages')).toThrow(/"pages" is ambiguous: .*cloudflare.*github/);
    expect(() => ids.resolve('cloudflar')).toThrow(/did you mean cloudflare/);
    expect(() => ids.resolve('fastlyy')).toThrow(/did you mean fastly/);
  });

  it("a region seen, listed or of the provider's form is accepted; another is refused with the known ones", () => {
    const parents = {};
    expect(resolveOutage(['AWS@US-EAST-1'], catalogue, doc, parents)).toEqual(['aws@us-east-1']);
    expect(resolveOutage(['aws@eu-west-3'], catalogue, doc, parents)).toEqual(['aws@eu-west-3']);
    expect(() => resolveOutage(['aws@mars-1'], catalogue, doc, parents)).toThrow(
      /unknown region "mars-1" for aws: known us-east-1/,
    );
    expect(() => resolveOutage(['aws@'], catalogue, doc, parents)).toThrow(/region after @ is empty/);
  });
});
