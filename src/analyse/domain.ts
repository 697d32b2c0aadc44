import { type Dependency, type Finding, LAYERS, type Layer, SEVERITIES, type Severity } from '../types.js';
import { describeFinding } from './messages.js';
import { multiCdnFindings } from './multi-cdn.js';

// Per-domain risk: which providers are single paths, and which sit under several layers.
// Severity model (README "Severity"):
//   critical  one provider is the single path for DNS and for a serving layer (cdn/cloud)
//   high      a single DNS or edge (cdn) provider; a single cloud with no CDN in front;
//             one provider the single path at two layers, one of them serving or DNS
//   medium    a single CA or mail provider; a single cloud behind a CDN; one provider the
//             single path for both CA and e-mail
//   low       one provider present at several layers where at least one has an alternative
//   info      redundancy seen (two or more independent providers at a layer)

export interface DomainRiskOptions {
  /** child id -> parent id: one company under several ids shares fate (linode -> akamai). */
  parents?: Record<string, string>;
}

interface LayerPaths {
  /** Providers that alone carry a position of the layer, with the mail direction of that position. */
  single: { provider: string; direction?: 'inbound' | 'outbound' }[];
  /** Third-party providers acting as alternatives at some position. */
  alternatives: { providers: string[]; direction?: 'inbound' | 'outbound' }[];
}

/**
 * Alternatives only count when they are different companies: Linode and Akamai are one outage.
 * Mail received (MX) and mail sent (SPF) are separate positions: a sender is no alternative to an
 * MX host. DMARC report receivers carry no mail and hold no position.
 */
function layerPaths(deps: Dependency[], company: (id: string) => string): LayerPaths {
  const groups = new Map<string, Dependency[]>();
  for (const d of deps) {
    if (d.direction === 'reports') continue;
    const key = `${d.direction ?? ''}|${d.order ?? 0}`;
    const list = groups.get(key) ?? [];
    list.push(d);
    groups.set(key, list);
  }
  const single: LayerPaths['single'] = [];
  const alternatives: LayerPaths['alternatives'] = [];
  for (const group of groups.values()) {
    if (group.some((d) => d.provider === 'self')) continue;
    const first = group[0]!;
    const direction =
      first.layer === 'email' ? (first.direction === 'outbound' ? 'outbound' : 'inbound') : undefined;
    const ids = [...new Set(group.map((d) => d.provider))];
    const companies = [...new Set(ids.map(company))];
    // One id: name it (heroku, not its parent); several ids of one company: name the company.
    if (companies.length === 1)
      single.push({ provider: ids.length === 1 ? ids[0]! : companies[0]!, direction });
    else alternatives.push({ providers: [...new Set(group.map((d) => d.provider))].sort(), direction });
  }
  return { single, alternatives };
}

/** Completes a fresh literal in place (callers pass a new object): no copy per finding. */
function finding(f: Omit<Finding, 'message'>): Finding {
  const out = f as Finding;
  out.message = describeFinding(f);
  return out;
}

function singleSeverity(layer: Layer, hasCdn: boolean): Severity {
  if (layer === 'dns' || layer === 'cdn') return 'high';
  if (layer === 'cloud') return hasCdn ? 'medium' : 'high';
  return 'medium';
}

const SERVING: readonly Layer[] = ['cdn', 'cloud'];

export function domainRisks(deps: Dependency[], opts: DomainRiskOptions = {}): Finding[] {
  const company = (id: string) => {
    let top = id;
    // Bounded walk up the parent chain; a cycle in user data cannot hang it.
    for (let i = 0; i < 8 && opts.parents?.[top]; i++) top = opts.parents[top]!;
    return top;
  };
  const out: Finding[] = [];
  const singleAt = new Map<string, Set<Layer>>();
  const presentAt = new Map<string, Set<Layer>>();
  const hasCdn = deps.some((d) => d.layer === 'cdn' && d.provider !== 'self');
  for (const layer of LAYERS) {
    const layerDeps = deps.filter((d) => d.layer === layer);
    if (!layerDeps.length) continue;
    const paths = layerPaths(layerDeps, company);
    for (const { provider, direction } of paths.single) {
      out.push(
        finding({
          kind: 'single-provider',
          severity: singleSeverity(layer, hasCdn),
          layer,
          provider,
          args: direction ? { direction } : {},
        }),
      );
      const set = singleAt.get(company(provider)) ?? new Set();
      singleAt.set(company(provider), set.add(layer));
    }
    for (const { providers, direction } of paths.alternatives)
      out.push(
        finding({
          kind: 'redundant',
          severity: 'info',
          layer,
          args: direction ? { providers, direction } : { providers },
        }),
      );
    for (const d of layerDeps) {
      if (d.provider === 'self' || d.direction === 'reports') continue;
      const set = presentAt.get(company(d.provider)) ?? new Set();
      presentAt.set(company(d.provider), set.add(layer));
    }
  }
  for (const f of multiCdnFindings(deps, company)) out.push(finding(f));
  for (const [provider, layers] of presentAt) {
    if (layers.size < 2) continue;
    const single = singleAt.get(provider) ?? new Set();
    const singleLayers = LAYERS.filter((l) => single.has(l));
    let severity: Severity = 'low';
    if (single.has('dns') && SERVING.some((l) => single.has(l))) severity = 'critical';
    else if (singleLayers.length >= 2)
      severity = singleLayers.some((l) => l === 'dns' || SERVING.includes(l)) ? 'high' : 'medium';
    const list = LAYERS.filter((l) => layers.has(l));
    out.push(finding({ kind: 'shared-fate', severity, provider, args: { layers: list, singleLayers } }));
  }
  return sortFindings(out);
}

export function sortFindings(findings: Finding[]): Finding[] {
  const layerIndex = (f: Finding) => (f.layer ? LAYERS.indexOf(f.layer) : -1);
  return findings.sort(
    (a, b) =>
      SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
      a.kind.localeCompare(b.kind) ||
      layerIndex(a) - layerIndex(b) ||
      (a.provider ?? '').localeCompare(b.provider ?? '') ||
      String(a.args.direction ?? '').localeCompare(String(b.args.direction ?? '')),
  );
}

export function severityAtLeast(s: Severity, threshold: Severity): boolean {
  return SEVERITIES.indexOf(s) <= SEVERITIES.indexOf(threshold);
}
