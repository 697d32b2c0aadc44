import {
  type BlastRadius,
  type DomainResult,
  LAYERS,
  type Layer,
  type LayerSummary,
  SEVERITIES,
  type Severity,
  type Summary,
} from '../types.js';
import { indirectImpact } from './indirect.js';
import {
  alreadyFailing,
  byString,
  lineage,
  lostLayers,
  type Relations,
  SELF,
  SERVING_LAYERS,
} from './layer-loss.js';
import { RunNotes } from './notes.js';
import { StudyBuilder } from './study.js';

// Portfolio figures built one domain at a time, so that a streamed audit of a million domains
// keeps only counters plus, for the blast radius, a bounded sample of names per provider.

/** Names kept per blast-radius list by default; the counts are always exact. */
export const RADIUS_NAMES = 1000;

/**
 * A count and the `cap` first names in code-unit order. Names are appended unsorted; when twice
 * the cap has piled up they are sorted and cut back, so each add costs O(log cap) amortised and
 * memory stays bounded. Keeping the smallest names (not the first seen) makes the sample
 * independent of completion order: shards merged give the same lists as one run.
 */
class NameSample {
  count = 0;
  private names: string[] = [];

  constructor(private readonly cap: number) {}

  add(name: string): void {
    this.count++;
    if (this.cap === 0) return;
    this.names.push(name);
    if (this.names.length >= 2 * this.cap) this.names = this.sorted();
  }

  sorted(): string[] {
    this.names.sort(byString);
    if (this.names.length > this.cap) this.names.length = this.cap;
    return this.names;
  }
}

interface Radius {
  /** Subsidiaries whose dependencies count in this provider's radius (github for microsoft). */
  owns?: Set<string>;
  down: NameSample;
  degraded: NameSample;
  downIndirect?: NameSample;
  degradedIndirect?: NameSample;
}

export interface SummaryOptions {
  /** Names kept per blast-radius list (default RADIUS_NAMES; Infinity keeps all). */
  radiusNames?: number;
}

const round = (value: number, digits: number): number => Math.round(value * 10 ** digits) / 10 ** digits;

export class SummaryBuilder {
  private domains = 0;
  private failed = 0;
  private readonly findings = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  private readonly covered = new Map<Layer, number>(LAYERS.map((l) => [l, 0]));
  /** layer → provider → number of domains using it there. */
  private readonly users = new Map<Layer, Map<string, number>>(LAYERS.map((l) => [l, new Map()]));
  private readonly radius = new Map<string, Radius>();
  private readonly notes = new RunNotes();
  private readonly study = new StudyBuilder();
  private readonly lineageOf: (provider: string) => readonly string[];

  private readonly cap: number;

  constructor(relations?: Relations, options: SummaryOptions = {}) {
    this.lineageOf = lineage(relations);
    this.cap = options.radiusNames ?? RADIUS_NAMES;
    if (!(this.cap >= 0)) throw new RangeError(`radiusNames must be 0 or more, not ${this.cap}`);
  }

  private entry(provider: string): Radius {
    let entry = this.radius.get(provider);
    if (!entry) {
      entry = { down: new NameSample(this.cap), degraded: new NameSample(this.cap) };
      this.radius.set(provider, entry);
    }
    return entry;
  }

  add(result: DomainResult): void {
    this.domains++;
    if (result.error) this.failed++;
    for (const risk of result.risks) this.findings[risk.severity]++;
    // A name that does not resolve serves nothing: it counts as failed, not in shares or blast radius.
    if (alreadyFailing(result)) {
      this.notes.add(result);
      return;
    }
    this.study.add(result);
    // DMARC report receivers carry no traffic: no share of the layer, nothing in a blast radius.
    const deps = result.dependencies.filter((d) => d.provider !== SELF && d.direction !== 'reports');

    for (const layer of LAYERS) {
      let here: Set<string> | undefined;
      for (const d of deps) {
        if (d.layer !== layer) continue;
        here ??= new Set();
        here.add(d.provider);
      }
      if (!here) continue;
      this.covered.set(layer, this.covered.get(layer)! + 1);
      const counts = this.users.get(layer)!;
      for (const p of here) counts.set(p, (counts.get(p) ?? 0) + 1);
    }

    // Every provider the domain touches, and their parents: a parent's outage is the children's.
    const candidates = new Set(deps.flatMap((d) => this.lineageOf(d.provider)));
    for (const candidate of candidates) {
      // Every dependency, self included: the domain's own infrastructure never fails and, as an
      // alternative in a layer, keeps it up (as what-if judges it).
      const lost = lostLayers(result.dependencies, (p) => this.lineageOf(p).includes(candidate));
      // Every provider touched gets an entry, zero included: "its outage costs nothing" is news too.
      const entry = this.entry(candidate);
      if (lost.length > 0)
        for (const d of deps)
          if (d.provider !== candidate && this.lineageOf(d.provider).includes(candidate)) {
            entry.owns ??= new Set();
            entry.owns.add(d.provider);
          }
      if (lost.some((l) => SERVING_LAYERS.has(l))) entry.down.add(result.domain);
      else if (lost.length > 0) entry.degraded.add(result.domain);
    }
    this.addIndirect(result, result.dependencies);
    this.notes.add(result);
  }

  /** The tier "down via a provider's provider": the outage of the DNS of a provider's zone. */
  private addIndirect(result: DomainResult, deps: DomainResult['dependencies']): void {
    const indirect = result.indirect ?? [];
    const candidates = new Set(indirect.flatMap((d) => this.lineageOf(d.provider)));
    for (const candidate of candidates) {
      const failed = (p: string) => this.lineageOf(p).includes(candidate);
      const hit = indirectImpact(deps, indirect, failed);
      if (!hit) continue;
      const entry = this.entry(candidate);
      if (hit.down) {
        entry.downIndirect ??= new NameSample(this.cap);
        entry.downIndirect.add(result.domain);
      } else if (lostLayers(deps, failed).length === 0) {
        // Only certificates or e-mail lost, and only through a provider's provider (a CA's OCSP CDN).
        entry.degradedIndirect ??= new NameSample(this.cap);
        entry.degradedIndirect.add(result.domain);
      }
    }
  }

  finish(): Summary {
    const summary: Summary = {
      domains: this.domains,
      failed: this.failed,
      findings: { ...this.findings },
      layers: LAYERS.map((layer) => this.layerSummary(layer)),
      blastRadius: this.blastRadius(),
    };
    const notes = this.notes.finish();
    if (notes.length > 0) summary.notes = notes;
    summary.study = this.study.finish();
    return summary;
  }

  private layerSummary(layer: Layer): LayerSummary {
    const counts = [...this.users.get(layer)!];
    counts.sort(([a, x], [b, y]) => y - x || byString(a, b));
    const incidences = counts.reduce((sum, [, n]) => sum + n, 0);
    // HHI over provider–domain incidences at this layer: each provider's share of all
    // (provider, domain) pairs, in percent, squared and summed. 10000 = one provider serves every
    // covered domain; 5000 = two equal providers. Incidences rather than domains, so that a domain
    // with NS at two providers counts for both. Rounded to an integer, as HHI is usually quoted.
    const hhi = incidences === 0 ? 0 : counts.reduce((sum, [, n]) => sum + ((100 * n) / incidences) ** 2, 0);
    return {
      layer,
      covered: this.covered.get(layer)!,
      providers: counts.map(([provider, domains]) => ({
        provider,
        domains,
        share: this.domains === 0 ? 0 : round(domains / this.domains, 4),
      })),
      hhi: Math.round(hhi),
    };
  }

  private blastRadius(): BlastRadius[] {
    const out = [...this.radius].map(([provider, r]) => {
      const b: BlastRadius = {
        provider,
        downCount: r.down.count,
        degradedCount: r.degraded.count,
        down: [...r.down.sorted()],
        degraded: [...r.degraded.sorted()],
      };
      if (r.downIndirect?.count) {
        b.downIndirectCount = r.downIndirect.count;
        b.downIndirect = [...r.downIndirect.sorted()];
      }
      if (r.degradedIndirect?.count) {
        b.degradedIndirectCount = r.degradedIndirect.count;
        b.degradedIndirect = [...r.degradedIndirect.sorted()];
      }
      if (r.owns?.size) b.owns = [...r.owns].sort(byString);
      return b;
    });
    return out.sort(
      (a, b) =>
        b.downCount - a.downCount ||
        b.degradedCount - a.degradedCount ||
        (b.downIndirectCount ?? 0) - (a.downIndirectCount ?? 0) ||
        byString(a.provider, b.provider),
    );
  }
}

export function summarise(
  results: Iterable<DomainResult>,
  relations?: Relations,
  options?: SummaryOptions,
): Summary {
  const builder = new SummaryBuilder(relations, options);
  for (const result of results) builder.add(result);
  return builder.finish();
}
