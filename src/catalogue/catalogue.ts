import { type IpRange, inRange, parseCidr, parseIp } from '../net/ip.js';
import type { CertName, Layer, SignalKind } from '../types.js';
import type { PublishedRangeSet } from '../update/published.js';
import { overlapWarnings, PublishedIndex } from '../update/range-index.js';
import { SOURCES } from '../update/sources.js';
import type { HostSignalSpec, ProviderSpec, RunsOnSpec } from './schema.js';
import { catalogueError } from './validate.js';

/** One catalogue signal that matched an observed fact. */
export interface SignalMatch {
  provider: string;
  layer: Layer;
  signal: SignalKind;
  /** The observed value that matched (host, header line, issuer). */
  value: string;
  service?: string;
  region?: string;
  weak?: boolean;
}

type HostKind = 'cname' | 'ns' | 'mx' | 'spf' | 'dmarc';
const HOST_KINDS: readonly HostKind[] = ['cname', 'ns', 'mx', 'spf', 'dmarc'];
type WebLayer = 'cdn' | 'cloud';

interface HostRule {
  provider: string;
  layer: Layer;
  service?: string;
  region?: RegExp;
  pattern?: RegExp;
  source: string;
}

interface HeaderRule {
  provider: string;
  name: string;
  pattern?: RegExp;
  layer: WebLayer;
  service?: string;
  weak: boolean;
}

interface CookieRule {
  provider: string;
  name: string;
  prefix: boolean;
  layer: WebLayer;
  service?: string;
  weak: boolean;
}

interface IssuerRule {
  provider: string;
  o?: RegExp;
  cn?: RegExp;
  service?: string;
}

interface AsnRule {
  provider: string;
  layer: Layer;
  service?: string;
}

interface CidrRule extends AsnRule {
  range: IpRange;
  region?: string;
  cidr: string;
}

const HOST_LAYER: Record<HostKind, Layer> = {
  cname: 'cdn',
  ns: 'dns',
  mx: 'email',
  spf: 'email',
  dmarc: 'email',
};
const MAX_WARNINGS = 20;

/**
 * The compiled catalogue: indexes built once from validated provider specs. Clashes between
 * providers (same suffix, overlapping suffixes, same ASN, overlapping CIDR, same header rule)
 * are errors here, so they fail the test suite instead of being settled by iteration order.
 */
export class Catalogue {
  readonly providers: ReadonlyMap<string, ProviderSpec>;
  private readonly suffixes: Record<HostKind, Map<string, HostRule>> = {
    cname: new Map(),
    ns: new Map(),
    mx: new Map(),
    spf: new Map(),
    dmarc: new Map(),
  };
  private readonly patterns: Record<HostKind, HostRule[]> = { cname: [], ns: [], mx: [], spf: [], dmarc: [] };
  private readonly asns = new Map<number, AsnRule>();
  private readonly cidrs: CidrRule[] = [];
  private readonly headers: HeaderRule[] = [];
  private readonly cookies: CookieRule[] = [];
  private readonly issuers: IssuerRule[] = [];
  private readonly ownDomains = new Map<string, string>();
  /** Providers' published address lists (update-data), kept apart from the hand-written CIDRs. */
  private readonly published: PublishedIndex;
  /** Things worth telling the user that do not stop loading (overlaps between published ranges). */
  readonly warnings: string[] = [];

  /**
   * `published` adds ranges from providers' own lists as CIDR signals: the most specific range
   * wins over the ASN and over a less specific hand-written one; the hand-written one wins ties.
   */
  constructor(specs: ProviderSpec[], source = 'catalogue', published: readonly PublishedRangeSet[] = []) {
    const problems: string[] = [];
    const byId = new Map<string, ProviderSpec>();
    for (const spec of specs) byId.set(spec.id, spec);
    this.providers = byId;
    for (const spec of [...byId.values()].sort((a, b) => a.id.localeCompare(b.id))) {
      this.compile(spec, problems);
    }
    for (const spec of byId.values()) {
      if (spec.parent && !byId.has(spec.parent))
        problems.push(`${spec.id}.parent: unknown provider "${spec.parent}"`);
      for (const r of spec.runsOn ?? [])
        if (!byId.has(r.provider)) problems.push(`${spec.id}.runsOn: unknown provider "${r.provider}"`);
    }
    this.checkOverlaps(problems);
    if (problems.length) throw catalogueError(source, problems);
    this.published = this.indexPublished(published);
  }

  private indexPublished(sets: readonly PublishedRangeSet[]): PublishedIndex {
    // Ties between equal ranges go to the earlier source in SOURCES, whatever order the sets came in.
    const order = SOURCES.map((s) => s.name);
    const rank = (s: PublishedRangeSet) =>
      order.includes(s.source) ? order.indexOf(s.source) : order.length;
    const known = sets.filter((s) => this.providers.has(s.provider)).sort((a, b) => rank(a) - rank(b));
    for (const id of new Set(sets.filter((s) => !this.providers.has(s.provider)).map((s) => s.provider)))
      this.warnings.push(`published ranges of unknown provider "${id}" ignored`);
    const index = new PublishedIndex(known);
    if (!index.size) return index;
    const handWritten = this.cidrs.map((c) => ({ provider: c.provider, cidr: c.cidr, range: c.range }));
    const overlaps = overlapWarnings([...handWritten, ...index.owners()], order);
    this.warnings.push(...overlaps.slice(0, MAX_WARNINGS));
    if (overlaps.length > MAX_WARNINGS)
      this.warnings.push(`... and ${overlaps.length - MAX_WARNINGS} more overlaps between providers' ranges`);
    return index;
  }

  /** CIDRs loaded from published lists. */
  get publishedRanges(): number {
    return this.published.size;
  }

  private compile(spec: ProviderSpec, problems: string[]): void {
    const s = spec.signals;
    const id = spec.id;
    for (const kind of HOST_KINDS) {
      (s[kind] ?? []).forEach((rule: HostSignalSpec & { layer?: WebLayer }, i) => {
        const compiled: HostRule = {
          provider: id,
          layer: rule.layer ?? HOST_LAYER[kind],
          service: rule.service,
          region: rule.region ? new RegExp(rule.region, 'i') : undefined,
          source: `${id}.signals.${kind}[${i}]`,
        };
        if (rule.pattern !== undefined) {
          this.patterns[kind].push({ ...compiled, pattern: new RegExp(rule.pattern, 'i') });
          return;
        }
        const suffix = rule.suffix!;
        const prev = this.suffixes[kind].get(suffix);
        if (prev)
          problems.push(`${compiled.source}: suffix "${suffix}" is already claimed by ${prev.source}`);
        else this.suffixes[kind].set(suffix, compiled);
      });
    }
    for (const rule of s.asn ?? []) {
      for (const asn of rule.asns) {
        const prev = this.asns.get(asn);
        if (prev && prev.provider !== id)
          problems.push(`${id}.signals.asn: AS${asn} is already claimed by ${prev.provider}`);
        else if (!prev) this.asns.set(asn, { provider: id, layer: rule.layer, service: rule.service });
      }
    }
    for (const rule of s.cidr ?? []) {
      for (const cidr of rule.cidrs) {
        const range = parseCidr(cidr);
        if (range)
          this.cidrs.push({
            provider: id,
            layer: rule.layer,
            service: rule.service,
            region: rule.region,
            range,
            cidr,
          });
      }
    }
    for (const rule of s.header ?? []) {
      this.headers.push({
        provider: id,
        name: rule.name,
        pattern: rule.pattern ? new RegExp(rule.pattern, 'i') : undefined,
        layer: rule.layer,
        service: rule.service,
        weak: rule.weak ?? false,
      });
    }
    for (const rule of s.cookie ?? []) {
      const prefix = rule.name.endsWith('*');
      const name = prefix ? rule.name.slice(0, -1) : rule.name;
      this.cookies.push({
        provider: id,
        name,
        prefix,
        layer: rule.layer,
        service: rule.service,
        weak: rule.weak ?? false,
      });
    }
    for (const rule of s.issuer ?? []) {
      this.issuers.push({
        provider: id,
        o: rule.o ? new RegExp(rule.o, 'i') : undefined,
        cn: rule.cn ? new RegExp(rule.cn, 'i') : undefined,
        service: rule.service,
      });
    }
    for (const d of spec.domains ?? []) {
      const prev = this.ownDomains.get(d);
      if (prev && prev !== id) problems.push(`${id}.domains: "${d}" is already claimed by ${prev}`);
      else this.ownDomains.set(d, id);
    }
  }

  private checkOverlaps(problems: string[]): void {
    for (const kind of HOST_KINDS) {
      for (const [suffix, rule] of this.suffixes[kind]) {
        const labels = suffix.split('.');
        for (let i = 1; i < labels.length; i++) {
          const parent = this.suffixes[kind].get(labels.slice(i).join('.'));
          if (parent && parent.provider !== rule.provider)
            problems.push(`${rule.source}: suffix "${suffix}" overlaps ${parent.source} of another provider`);
        }
      }
    }
    for (let i = 0; i < this.cidrs.length; i++) {
      for (let j = i + 1; j < this.cidrs.length; j++) {
        const a = this.cidrs[i]!;
        const b = this.cidrs[j]!;
        if (a.provider === b.provider || a.range.family !== b.range.family) continue;
        if (a.range.start <= b.range.end && b.range.start <= a.range.end)
          problems.push(`${a.provider}.signals.cidr: ${a.cidr} overlaps ${b.cidr} of ${b.provider}`);
      }
    }
    const seen = new Map<string, string>();
    for (const h of this.headers) {
      const key = `${h.name}\u0000${h.pattern?.source ?? ''}`;
      const prev = seen.get(key);
      if (prev && prev !== h.provider)
        problems.push(
          `${h.provider}.signals.header: "${h.name}" ${h.pattern ? `/${h.pattern.source}/ ` : ''}is already claimed by ${prev}`,
        );
      seen.set(key, h.provider);
    }
  }

  get size(): number {
    return this.providers.size;
  }

  parentOf(id: string): string | undefined {
    return this.providers.get(id)?.parent;
  }

  runsOn(id: string): RunsOnSpec[] {
    return this.providers.get(id)?.runsOn ?? [];
  }

  /** Provider that operates this registrable domain (its own zones, not a customer's). */
  ownerOf(registrableDomain: string): string | undefined {
    return this.ownDomains.get(registrableDomain);
  }

  /** Longest label-aligned suffix first, then patterns; null when nothing matches. */
  matchHost(kind: HostKind, host: string): SignalMatch | null {
    const name = host.toLowerCase().replace(/\.$/, '');
    const labels = name.split('.');
    for (let i = 0; i < labels.length; i++) {
      const rule = this.suffixes[kind].get(labels.slice(i).join('.'));
      if (rule) return hostMatch(kind, rule, name);
    }
    for (const rule of this.patterns[kind]) if (rule.pattern!.test(name)) return hostMatch(kind, rule, name);
    return null;
  }

  /** Provider owning an address: a CIDR rule (most specific, hand-written or published) wins over the ASN. */
  matchAddress(ip: string, asn: number | undefined): Omit<SignalMatch, 'value'> | null {
    const parsed = parseIp(ip);
    let best: CidrRule | undefined;
    if (parsed) {
      for (const rule of this.cidrs)
        if (inRange(parsed, rule.range) && (!best || rule.range.bits > best.range.bits)) best = rule;
    }
    const pub = parsed ? this.published.lookup(parsed) : undefined;
    if (pub && (!best || pub.bits > best.range.bits))
      return {
        provider: pub.provider,
        layer: pub.layer,
        service: pub.service,
        region: pub.region,
        signal: 'cidr',
      };
    if (best)
      return {
        provider: best.provider,
        layer: best.layer,
        service: best.service,
        region: best.region,
        signal: 'cidr',
      };
    const rule = asn === undefined ? undefined : this.asns.get(asn);
    return rule ? { provider: rule.provider, layer: rule.layer, service: rule.service, signal: 'asn' } : null;
  }

  matchHeaders(headers: Record<string, string[]>): SignalMatch[] {
    const out: SignalMatch[] = [];
    for (const rule of this.headers) {
      const values = headers[rule.name];
      if (!values) continue;
      const hit = rule.pattern ? values.find((v) => rule.pattern!.test(v)) : values[0];
      if (hit === undefined) continue;
      out.push({
        provider: rule.provider,
        layer: rule.layer,
        signal: 'header',
        value: `${rule.name}: ${hit.slice(0, 120)}`,
        service: rule.service,
        weak: rule.weak || undefined,
      });
    }
    const cookies = cookieNames(headers['set-cookie'] ?? []);
    for (const rule of this.cookies) {
      const hit = cookies.find((c) => (rule.prefix ? c.startsWith(rule.name) : c === rule.name));
      if (hit === undefined) continue;
      out.push({
        provider: rule.provider,
        layer: rule.layer,
        signal: 'cookie',
        value: `cookie ${hit.slice(0, 80)}`,
        service: rule.service,
        weak: rule.weak || undefined,
      });
    }
    return out;
  }

  matchIssuer(issuer: CertName | undefined): SignalMatch | null {
    if (!issuer) return null;
    for (const rule of this.issuers) {
      if (rule.o && !(issuer.O !== undefined && rule.o.test(issuer.O))) continue;
      if (rule.cn && !(issuer.CN !== undefined && rule.cn.test(issuer.CN))) continue;
      const value = [issuer.O && `O=${issuer.O}`, issuer.CN && `CN=${issuer.CN}`].filter(Boolean).join(', ');
      return {
        provider: rule.provider,
        layer: 'ca',
        signal: 'issuer',
        value: value.slice(0, 200),
        service: rule.service,
      };
    }
    return null;
  }

  /** Counts of signals per provider, for `singlepath providers`. */
  signalCounts(id: string): Record<string, number> {
    const s = this.providers.get(id)?.signals ?? {};
    const counts: Record<string, number> = {};
    for (const [kind, list] of Object.entries(s)) {
      const n = (list as unknown[]).reduce<number>((acc, item) => {
        const rec = item as { asns?: unknown[]; cidrs?: unknown[] };
        return acc + (rec.asns?.length ?? rec.cidrs?.length ?? 1);
      }, 0);
      if (n) counts[kind] = n;
    }
    return counts;
  }

  /** Layers a provider has signals for. */
  layersOf(id: string): Layer[] {
    const s = this.providers.get(id)?.signals ?? {};
    const layers = new Set<Layer>();
    if (s.ns?.length) layers.add('dns');
    if (s.mx?.length || s.spf?.length || s.dmarc?.length) layers.add('email');
    if (s.issuer?.length) layers.add('ca');
    for (const list of [s.cname, s.asn, s.cidr, s.header, s.cookie])
      for (const r of list ?? []) layers.add(r.layer);
    return ['dns', 'cdn', 'cloud', 'ca', 'email'].filter((l) => layers.has(l as Layer)) as Layer[];
  }
}

function hostMatch(kind: HostKind, rule: HostRule, name: string): SignalMatch {
  const region = rule.region ? rule.region.exec(name)?.groups?.region : undefined;
  return {
    provider: rule.provider,
    layer: rule.layer,
    signal: kind,
    value: name,
    service: rule.service,
    region,
  };
}

function cookieNames(setCookie: string[]): string[] {
  return setCookie.map((c) => c.split('=')[0]!.trim()).filter(Boolean);
}
