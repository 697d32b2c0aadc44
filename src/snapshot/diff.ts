import { severityAtLeast } from '../analyse/domain.js';
import { byString, type Relations } from '../analyse/layer-loss.js';
import { summarise } from '../analyse/portfolio.js';
import { mapResults, type ReportDocument, type ResultList } from '../report/spill.js';
import {
  type BlastRadius,
  type Dependency,
  type DomainResult,
  type Finding,
  type FindingKind,
  LAYERS,
  type Layer,
  type LayerSummary,
  SEVERITIES,
  type Severity,
} from '../types.js';
import { diffStudy, type StudyChange } from './diff-study.js';
import { compareDependencies } from './normalise.js';

// Drift between two snapshots. Only facts that mean something for failure are compared: the
// domain set, dependencies (layer, provider, service, region, via, order — never evidence, whose
// values carry addresses and request ids), findings (kind, severity, layer, provider), error codes
// and the portfolio summary. Every list is sorted, so the same pair always gives the same diff.

/** A dependency without its evidence: what the diff compares and shows. */
export interface DependencyRef {
  provider: string;
  service?: string;
  region?: string;
  via?: string;
  order?: number;
  /** E-mail: `outbound` (an SPF sender) or `reports` (DMARC); absent = inbound. */
  direction?: Dependency['direction'];
}

/** One layer of one domain whose providers changed. */
export interface LayerChange {
  domain: string;
  layer: Layer;
  before: DependencyRef[];
  after: DependencyRef[];
  /** Providers now at this layer that were not (the provider is the unit of failure). */
  gained: string[];
  lost: string[];
  /** Providers present in both whose service, region, via or position changed. */
  changed: string[];
  /** Never set since failing domains are a state of their own (SnapshotDiff.domains.failing). */
  failing?: true;
}

export interface FindingRef {
  domain: string;
  kind: FindingKind;
  severity: Severity;
  layer?: Layer;
  provider?: string;
  message: string;
  /** new: the domain itself is new. */
  newDomain?: true;
  /** Never set since failing domains are a state of their own (SnapshotDiff.domains.failing). */
  failing?: true;
  /** Accepted in the newer snapshot (config `accept`): reported, not counted for --fail-on-new. */
  accepted?: true;
}

export interface SeverityChange extends Omit<FindingRef, 'severity' | 'newDomain' | 'failing'> {
  before: Severity;
  after: Severity;
}

export interface ErrorChange {
  domain: string;
  /** Code before (stopped, changed) or after (started). */
  code: string;
  /** Code after, for `changed`. */
  to?: string;
  message?: string;
  newDomain?: true;
}

/**
 * A domain that fails in the new run. What its failure hides (providers, findings) is not drift:
 * nothing of it is reported lost or resolved.
 */
export interface FailingDomain {
  domain: string;
  code: string;
  message?: string;
  /** It failed in the old run too, with this code. */
  before?: string;
  /** When the old run's facts of it were good, or carried from an earlier good run: that run's date. */
  lastGood?: string;
  newDomain?: true;
}

/** A domain that failed in the old run and not in the new one. */
export interface RecoveredDomain {
  domain: string;
  /** The code it failed with. */
  code: string;
  /**
   * Its findings and providers were compared with its last good result, of this date (carried in
   * the old snapshot); absent: nothing to compare with, so none of its findings counts as new.
   */
  lastGood?: string;
  /** Without a last good result: its findings now, by severity (shown, not counted as new). */
  findings?: Partial<Record<Severity, number>>;
}

export interface ShareChange {
  provider: string;
  domainsBefore: number;
  domainsAfter: number;
  shareBefore: number;
  shareAfter: number;
  delta: number;
}

export interface PortfolioLayerChange {
  layer: Layer;
  coveredBefore: number;
  coveredAfter: number;
  hhiBefore: number;
  hhiAfter: number;
  hhiDelta: number;
  providers: ShareChange[];
}

export interface RadiusSide {
  before: number;
  after: number;
  added: string[];
  removed: string[];
}

export interface BlastRadiusChange {
  provider: string;
  down: RadiusSide;
  degraded: RadiusSide;
}

export interface DiffTotals {
  domains: [number, number];
  failed: [number, number];
  findings: Record<Severity, [number, number]>;
}

/** A mail direction one side's snapshot did not record (written before it was asked). */
export type UnrecordedDirection = 'outbound' | 'reports';

export interface SnapshotDiff {
  schema: 1;
  old: { generatedAt: string };
  new: { generatedAt: string };
  /** Context, not change: counts before and after. */
  totals: DiffTotals;
  /**
   * Context, not change: per mail direction, the domains whose older (or newer) side did not
   * record it (no SPF or DMARC observation: a snapshot of a version that did not ask). Their
   * senders or report receivers, and the findings about them, are unknown on that side and left
   * out of both sides. Absent when every domain recorded both.
   */
  unrecorded?: Partial<Record<UnrecordedDirection, number>>;
  domains: { added: string[]; removed: string[]; failing: FailingDomain[]; recovered: RecoveredDomain[] };
  layers: LayerChange[];
  findings: { new: FindingRef[]; resolved: FindingRef[]; severity: SeverityChange[] };
  /** The same failures as `domains.failing`/`recovered`, by code (kept for readers of schema 1). */
  errors: { started: ErrorChange[]; stopped: ErrorChange[]; changed: ErrorChange[] };
  portfolio: {
    layers: PortfolioLayerChange[];
    blastRadius: BlastRadiusChange[];
    /** What moved in the study view (IMC 2020 table); absent when nothing did. */
    study?: StudyChange;
  };
}

export interface DiffOptions {
  /** Smallest provider share move reported, as a fraction (0.01 = one percentage point). */
  shareThreshold?: number;
  /** Smallest HHI move reported (0..10000 scale; 100 is where merger guidelines start to look). */
  hhiThreshold?: number;
  /**
   * Company relations of the catalogue. Used when a snapshot's blast-radius lists are cut (large
   * portfolios): the radius is then worked out again from the domain results, every name kept.
   */
  relations?: Relations;
}

export const DIFF_DEFAULTS = { shareThreshold: 0.01, hhiThreshold: 100 } as const;

const round4 = (n: number): number => Math.round(n * 10000) / 10000;
const severityIndex = (s: Severity): number => SEVERITIES.indexOf(s);
const layerIndex = (l: Layer | undefined): number => (l ? LAYERS.indexOf(l) : -1);

/**
 * A document's results one per name in name order: a list kept on disk comes sorted; an array
 * is sorted here. Of results sharing a name the last counts (as a map by name would have it).
 */
function* byName(results: ResultList | undefined): Generator<DomainResult> {
  const sorted = Array.isArray(results)
    ? [...(results as DomainResult[])].sort((a, b) => byString(a.domain, b.domain))
    : (results ?? []);
  let held: DomainResult | undefined;
  for (const r of sorted) {
    if (held && held.domain !== r.domain) yield held;
    held = r;
  }
  if (held) yield held;
}

/** The two documents' results side by side, by name (either side absent for a name). */
export function* joined(
  oldDomains: ResultList | undefined,
  newDomains: ResultList | undefined,
): Generator<[DomainResult | undefined, DomainResult | undefined]> {
  const a = byName(oldDomains);
  const b = byName(newDomains);
  let x = a.next();
  let y = b.next();
  while (!x.done || !y.done) {
    const order = x.done ? 1 : y.done ? -1 : byString(x.value.domain, y.value.domain);
    if (order < 0) {
      yield [x.value as DomainResult, undefined];
      x = a.next();
    } else if (order > 0) {
      yield [undefined, y.value as DomainResult];
      y = b.next();
    } else {
      yield [x.value as DomainResult, y.value as DomainResult];
      x = a.next();
      y = b.next();
    }
  }
}

function ref(d: Dependency): DependencyRef {
  const out: DependencyRef = { provider: d.provider };
  if (d.service !== undefined) out.service = d.service;
  if (d.region !== undefined) out.region = d.region;
  if (d.via !== undefined) out.via = d.via;
  if (d.order) out.order = d.order;
  if (d.direction !== undefined) out.direction = d.direction;
  return out;
}

const refKey = (r: DependencyRef): string =>
  JSON.stringify([
    r.provider,
    r.service ?? '',
    r.region ?? '',
    r.via ?? '',
    r.order ?? 0,
    ...(r.direction ? [r.direction] : []),
  ]);

function layerRefs(r: DomainResult | undefined, layer: Layer): DependencyRef[] {
  const deps = (r?.dependencies ?? []).filter((d) => d.layer === layer);
  const refs = [...deps].sort(compareDependencies).map(ref);
  const seen = new Set<string>();
  return refs.filter((x) => !seen.has(refKey(x)) && seen.add(refKey(x)));
}

function providerSignature(refs: DependencyRef[], provider: string): string {
  return refs
    .filter((r) => r.provider === provider)
    .map(refKey)
    .sort(byString)
    .join('|');
}

function diffLayers(oldR: DomainResult, newR: DomainResult): LayerChange[] {
  const out: LayerChange[] = [];
  for (const layer of LAYERS) {
    const before = layerRefs(oldR, layer);
    const after = layerRefs(newR, layer);
    const was = new Set(before.map((r) => r.provider));
    const is = new Set(after.map((r) => r.provider));
    const gained = [...is].filter((p) => !was.has(p)).sort(byString);
    const lost = [...was].filter((p) => !is.has(p)).sort(byString);
    const changed = [...is]
      .filter((p) => was.has(p) && providerSignature(before, p) !== providerSignature(after, p))
      .sort(byString);
    if (!gained.length && !lost.length && !changed.length) continue;
    out.push({ domain: newR.domain, layer, before, after, gained, lost, changed });
  }
  return out;
}

// What a side did not record is unknown, not absent: outbound senders (SPF) and DMARC report
// receivers came with a later version than MX, and a first diff across that upgrade would
// otherwise call every domain's senders new. A direction is compared only when both sides of the
// domain recorded it (its SPF or DMARC observation is there, whatever it found).
const recordedBy: Record<UnrecordedDirection, (r: DomainResult) => boolean> = {
  outbound: (r) => r.observations?.dns?.spf !== undefined,
  reports: (r) => r.observations?.dns?.dmarc !== undefined,
};

/** Directions one side did not record while the other has something of them to leave out. */
function unrecorded(a: DomainResult, b: DomainResult): UnrecordedDirection[] {
  const has = (r: DomainResult, d: UnrecordedDirection) =>
    r.dependencies.some((x) => x.layer === 'email' && x.direction === d) ||
    r.risks.some((f) => f.args?.direction === d);
  return (['outbound', 'reports'] as const).filter(
    (d) => (!recordedBy[d](a) || !recordedBy[d](b)) && (has(a, d) || has(b, d)),
  );
}

/** The result without the mail directions given: their dependencies and the findings about them. */
function withoutDirections(r: DomainResult, dirs: readonly UnrecordedDirection[]): DomainResult {
  if (dirs.length === 0) return r;
  const drop = (d: unknown) => typeof d === 'string' && (dirs as readonly string[]).includes(d);
  return {
    ...r,
    dependencies: r.dependencies.filter((d) => !(d.layer === 'email' && drop(d.direction))),
    risks: r.risks.filter((f) => !drop(f.args?.direction)),
  };
}

/**
 * The document as the diff compares it when some domains' directions are unknown on one side:
 * those left out, the summary worked out again from what is left (both sides the same way).
 */
function comparable(
  doc: ReportDocument,
  strip: ReadonlyMap<string, UnrecordedDirection[]>,
  relations: Relations | undefined,
): ReportDocument {
  const domains = mapResults(doc.domains ?? [], (r) => withoutDirections(r, strip.get(r.domain) ?? []));
  const summary = summarise(domains, relations, { radiusNames: Number.POSITIVE_INFINITY });
  return { ...doc, domains, summary: { ...doc.summary, ...summary } };
}

// Findings are the same finding when domain, kind, layer and provider agree. Kinds without a
// provider are told apart by the argument that names them (which probe, which region);
// `redundant` groups of one layer are paired in order, so a changed alternative is not news, and
// an `unresolved` whose status changed is an error change, not a new finding.
const IDENTITY_ARGS: Partial<Record<FindingKind, string>> = {
  'probe-failed': 'probe',
  'region-concentration': 'region',
  'ns-unresolvable': 'host',
};

function findingKey(domain: string, f: Finding): string {
  const arg = IDENTITY_ARGS[f.kind];
  const id = arg === undefined ? '' : JSON.stringify(f.args?.[arg] ?? '');
  // A sender (outbound) is another position than the same provider's MX; inbound findings keep
  // the identity they had before directions were recorded.
  const key = [domain, f.kind, f.layer ?? '', f.provider ?? '', id];
  if (f.args?.direction === 'outbound') key.push('outbound');
  return JSON.stringify(key);
}

function findingRef(domain: string, f: Finding): FindingRef {
  const out: FindingRef = { domain, kind: f.kind, severity: f.severity, message: f.message ?? '' };
  if (f.layer !== undefined) out.layer = f.layer;
  if (f.provider !== undefined) out.provider = f.provider;
  if (f.accepted) out.accepted = true;
  return out;
}

function group(domain: string, risks: readonly Finding[] | undefined): Map<string, Finding[]> {
  const map = new Map<string, Finding[]>();
  for (const f of risks ?? []) {
    const key = findingKey(domain, f);
    map.set(key, [...(map.get(key) ?? []), f]);
  }
  // Pair in a fixed order: most severe first, so a duplicate pairs with its like.
  for (const list of map.values()) list.sort((a, b) => severityIndex(a.severity) - severityIndex(b.severity));
  return map;
}

interface FindingDiff {
  added: FindingRef[];
  resolved: FindingRef[];
  severity: SeverityChange[];
}

function diffFindings(domain: string, oldR: DomainResult | undefined, newR: DomainResult): FindingDiff {
  const out: FindingDiff = { added: [], resolved: [], severity: [] };
  const before = group(domain, oldR?.risks);
  const after = group(domain, newR.risks);
  for (const [key, now] of after) {
    const was = before.get(key) ?? [];
    now.forEach((f, i) => {
      const prev = was[i];
      if (!prev) {
        const r = findingRef(domain, f);
        if (!oldR) r.newDomain = true;
        out.added.push(r);
      } else if (prev.severity !== f.severity) {
        const { severity: _s, ...rest } = findingRef(domain, f);
        out.severity.push({ ...rest, before: prev.severity, after: f.severity });
      }
    });
    for (const prev of was.slice(now.length)) out.resolved.push(findingRef(domain, prev));
  }
  for (const [key, was] of before) {
    if (after.has(key)) continue;
    for (const prev of was) out.resolved.push(findingRef(domain, prev));
  }
  return out;
}

/**
 * The facts a domain's drift is measured from: its old result, or when that failed, the last good
 * result the old snapshot carried (undefined: nothing to compare with).
 */
function factsOf(oldR: DomainResult): DomainResult | undefined {
  if (!oldR.error) return oldR;
  const good = oldR.lastGood;
  if (!good) return undefined;
  const facts: DomainResult = {
    domain: oldR.domain,
    observations: oldR.observations,
    dependencies: good.dependencies ?? [],
    risks: good.risks ?? [],
  };
  if (good.indirect) facts.indirect = good.indirect;
  return facts;
}

/** The date of the good facts a failing domain's next run can compare with. */
function lastGoodDate(oldR: DomainResult | undefined, oldDoc: ReportDocument): string | undefined {
  if (!oldR) return undefined;
  if (!oldR.error) return oldDoc.generatedAt ?? '';
  return oldR.lastGood?.generatedAt;
}

function compareFindings(a: FindingRef | SeverityChange, b: FindingRef | SeverityChange): number {
  const sev = (x: FindingRef | SeverityChange) => severityIndex('severity' in x ? x.severity : x.after);
  return (
    sev(a) - sev(b) ||
    byString(a.domain, b.domain) ||
    byString(a.kind, b.kind) ||
    layerIndex(a.layer) - layerIndex(b.layer) ||
    byString(a.provider ?? '', b.provider ?? '') ||
    byString(a.message, b.message)
  );
}

function diffError(oldR: DomainResult | undefined, newR: DomainResult, errors: SnapshotDiff['errors']): void {
  const was = oldR?.error;
  const is = newR.error;
  if (is && !was) {
    const e: ErrorChange = { domain: newR.domain, code: String(is.code), message: is.message };
    if (!oldR) e.newDomain = true;
    errors.started.push(e);
  } else if (was && !is) {
    errors.stopped.push({ domain: newR.domain, code: String(was.code) });
  } else if (was && is && String(was.code) !== String(is.code)) {
    errors.changed.push({
      domain: newR.domain,
      code: String(was.code),
      to: String(is.code),
      message: is.message,
    });
  }
}

function diffShares(
  before: LayerSummary | undefined,
  after: LayerSummary | undefined,
  threshold: number,
): ShareChange[] {
  const was = new Map((before?.providers ?? []).map((p) => [p.provider, p]));
  const is = new Map((after?.providers ?? []).map((p) => [p.provider, p]));
  const out: ShareChange[] = [];
  for (const provider of new Set([...was.keys(), ...is.keys()])) {
    const b = was.get(provider);
    const a = is.get(provider);
    const delta = round4((a?.share ?? 0) - (b?.share ?? 0));
    if (Math.abs(delta) < threshold) continue;
    out.push({
      provider,
      domainsBefore: b?.domains ?? 0,
      domainsAfter: a?.domains ?? 0,
      shareBefore: b?.share ?? 0,
      shareAfter: a?.share ?? 0,
      delta,
    });
  }
  return out.sort((x, y) => Math.abs(y.delta) - Math.abs(x.delta) || byString(x.provider, y.provider));
}

/**
 * Per-layer shares of a document, leaving out the domains failing on either side: a domain that
 * failed tonight took its providers' shares with it, which is its failure, not a move.
 */
function layersWithout(doc: ReportDocument, failing: ReadonlySet<string>): LayerSummary[] {
  if (failing.size === 0) return doc.summary?.layers ?? [];
  const kept = (function* () {
    for (const r of doc.domains ?? []) if (!failing.has(r.domain)) yield r;
  })();
  return summarise(kept).layers;
}

function diffPortfolioLayers(
  oldDoc: ReportDocument,
  newDoc: ReportDocument,
  opts: { shareThreshold: number; hhiThreshold: number },
  failing: ReadonlySet<string>,
) {
  const was = new Map(layersWithout(oldDoc, failing).map((l) => [l.layer, l]));
  const is = new Map(layersWithout(newDoc, failing).map((l) => [l.layer, l]));
  const out: PortfolioLayerChange[] = [];
  for (const layer of LAYERS) {
    const b = was.get(layer);
    const a = is.get(layer);
    const hhiDelta = (a?.hhi ?? 0) - (b?.hhi ?? 0);
    const providers = diffShares(b, a, opts.shareThreshold);
    if (Math.abs(hhiDelta) < opts.hhiThreshold && !providers.length) continue;
    out.push({
      layer,
      coveredBefore: b?.covered ?? 0,
      coveredAfter: a?.covered ?? 0,
      hhiBefore: b?.hhi ?? 0,
      hhiAfter: a?.hhi ?? 0,
      hhiDelta,
      providers,
    });
  }
  return out;
}

function radiusSide(
  before: readonly string[] = [],
  after: readonly string[] = [],
  failing: ReadonlySet<string> = new Set(),
): RadiusSide {
  const was = new Set(before);
  const is = new Set(after);
  // A domain failing on either side moves in or out of a radius by its failure, not by a change.
  return {
    before: was.size,
    after: is.size,
    added: [...is].filter((d) => !was.has(d) && !failing.has(d)).sort(byString),
    removed: [...was].filter((d) => !is.has(d) && !failing.has(d)).sort(byString),
  };
}

/** A list shorter than its count names only the first domains. */
const isCut = (r: BlastRadius) =>
  (r.downCount ?? r.down.length) > r.down.length ||
  (r.degradedCount ?? r.degraded.length) > r.degraded.length;

const isWhole = (doc: ReportDocument) => !(doc.summary?.blastRadius ?? []).some(isCut);

/** The snapshot's blast radius worked out again from its domains, every name kept. */
const rebuilt = (doc: ReportDocument, relations: Relations | undefined) =>
  summarise(doc.domains ?? [], relations, { radiusNames: Number.POSITIVE_INFINITY }).blastRadius;

function diffBlastRadius(
  oldDoc: ReportDocument,
  newDoc: ReportDocument,
  relations: Relations | undefined,
  failing: ReadonlySet<string>,
): BlastRadiusChange[] {
  const index = (list: BlastRadius[]) => new Map(list.map((r) => [r.provider, r]));
  // Both sides from the summaries when both lists are whole (each used the relations of its
  // day); else both rebuilt with the same relations, so that a side is never compared with
  // one worked out under other company relations.
  const whole = isWhole(oldDoc) && isWhole(newDoc);
  const was = index(whole ? (oldDoc.summary?.blastRadius ?? []) : rebuilt(oldDoc, relations));
  const is = index(whole ? (newDoc.summary?.blastRadius ?? []) : rebuilt(newDoc, relations));
  const out: BlastRadiusChange[] = [];
  for (const provider of new Set([...was.keys(), ...is.keys()])) {
    const down = radiusSide(was.get(provider)?.down, is.get(provider)?.down, failing);
    const degraded = radiusSide(was.get(provider)?.degraded, is.get(provider)?.degraded, failing);
    const moved = (s: RadiusSide) => s.added.length > 0 || s.removed.length > 0;
    if (moved(down) || moved(degraded)) out.push({ provider, down, degraded });
  }
  const growth = (c: BlastRadiusChange) => Math.abs(c.down.after - c.down.before);
  return out.sort(
    (x, y) =>
      growth(y) - growth(x) ||
      Math.abs(y.degraded.after - y.degraded.before) - Math.abs(x.degraded.after - x.degraded.before) ||
      byString(x.provider, y.provider),
  );
}

function totals(oldDoc: ReportDocument, newDoc: ReportDocument): DiffTotals {
  const count = (doc: ReportDocument, s: Severity) => doc.summary?.findings?.[s] ?? 0;
  return {
    domains: [oldDoc.domains?.length ?? 0, newDoc.domains?.length ?? 0],
    failed: [oldDoc.summary?.failed ?? 0, newDoc.summary?.failed ?? 0],
    findings: Object.fromEntries(SEVERITIES.map((s) => [s, [count(oldDoc, s), count(newDoc, s)]])) as Record<
      Severity,
      [number, number]
    >,
  };
}

/**
 * What changed from `oldDoc` to `newDoc`. A new domain's findings and errors count as new (a
 * domain arriving with everything on one provider is news); a removed domain's findings are not
 * "resolved" — the domain is listed as removed instead.
 */
export function diffDocuments(
  oldDoc: ReportDocument,
  newDoc: ReportDocument,
  opts: DiffOptions = {},
): SnapshotDiff {
  const o = { ...DIFF_DEFAULTS, ...opts };
  const diff: SnapshotDiff = {
    schema: 1,
    old: { generatedAt: oldDoc.generatedAt ?? '' },
    new: { generatedAt: newDoc.generatedAt ?? '' },
    totals: totals(oldDoc, newDoc),
    domains: { added: [], removed: [], failing: [], recovered: [] },
    layers: [],
    findings: { new: [], resolved: [], severity: [] },
    errors: { started: [], stopped: [], changed: [] },
    portfolio: { layers: [], blastRadius: [] },
  };
  const failing = new Set<string>();
  const strip = new Map<string, UnrecordedDirection[]>();
  // One pass over both in name order: the documents may keep their results on disk.
  for (const [oldR, newR] of joined(oldDoc.domains, newDoc.domains)) {
    if (!newR) {
      diff.domains.removed.push(oldR!.domain);
      continue;
    }
    const domain = newR.domain;
    if (!oldR) diff.domains.added.push(domain);
    diffError(oldR, newR, diff.errors);
    // A failure on either side is a state of its own, never a source of new or resolved
    // findings: what a failed run did not see is not a change of the infrastructure.
    if (newR.error) {
      const state: FailingDomain = { domain, code: String(newR.error.code), message: newR.error.message };
      if (oldR?.error) state.before = String(oldR.error.code);
      const since = lastGoodDate(oldR, oldDoc);
      if (since !== undefined) state.lastGood = since;
      if (!oldR) state.newDomain = true;
      diff.domains.failing.push(state);
      failing.add(domain);
      continue;
    }
    const facts = oldR ? factsOf(oldR) : undefined;
    if (oldR?.error) {
      const state: RecoveredDomain = { domain, code: String(oldR.error.code) };
      if (oldR.lastGood) state.lastGood = oldR.lastGood.generatedAt;
      else if (newR.risks.length) {
        const counts: Partial<Record<Severity, number>> = {};
        for (const s of SEVERITIES) {
          const n = newR.risks.filter((f) => f.severity === s).length;
          if (n) counts[s] = n;
        }
        state.findings = counts;
      }
      diff.domains.recovered.push(state);
      failing.add(domain);
      if (!facts) continue;
    }
    const dirs = facts ? unrecorded(facts, newR) : [];
    if (dirs.length) strip.set(domain, dirs);
    const was = facts && withoutDirections(facts, dirs);
    const now = withoutDirections(newR, dirs);
    if (was) diff.layers.push(...diffLayers(was, now));
    const f = diffFindings(domain, was, now);
    diff.findings.new.push(...f.added);
    diff.findings.resolved.push(...f.resolved);
    diff.findings.severity.push(...f.severity);
  }
  if (strip.size) {
    const counts: Partial<Record<UnrecordedDirection, number>> = {};
    for (const dirs of strip.values()) for (const d of dirs) counts[d] = (counts[d] ?? 0) + 1;
    diff.unrecorded = counts;
  }
  const [oldCmp, newCmp] = strip.size
    ? [comparable(oldDoc, strip, opts.relations), comparable(newDoc, strip, opts.relations)]
    : [oldDoc, newDoc];
  diff.portfolio.layers = diffPortfolioLayers(oldCmp, newCmp, o, failing);
  diff.portfolio.blastRadius = diffBlastRadius(oldCmp, newCmp, opts.relations, failing);
  const study = diffStudy(oldCmp, newCmp, o, failing);
  if (study) diff.portfolio.study = study;
  diff.findings.new.sort(compareFindings);
  diff.findings.resolved.sort(compareFindings);
  diff.findings.severity.sort(compareFindings);
  return diff;
}

/** True when nothing but the context (timestamps, totals) differs. */
export function isEmptyDiff(diff: SnapshotDiff): boolean {
  return (
    diff.domains.added.length +
      diff.domains.removed.length +
      diff.domains.failing.filter((f) => f.before !== f.code).length +
      diff.domains.recovered.length +
      diff.layers.length +
      diff.findings.new.length +
      diff.findings.resolved.length +
      diff.findings.severity.length +
      diff.errors.started.length +
      diff.errors.stopped.length +
      diff.errors.changed.length +
      diff.portfolio.layers.length +
      diff.portfolio.blastRadius.length +
      (diff.portfolio.study ? 1 : 0) ===
    0
  );
}

/**
 * A finding at or above `threshold` that was not there before: a new finding, or one whose
 * severity rose across the threshold (a low shared-fate that became critical is new at critical).
 */
export function hasNewFindingAtLeast(diff: SnapshotDiff, threshold: Severity): boolean {
  return (
    diff.findings.new.some((f) => !f.accepted && severityAtLeast(f.severity, threshold)) ||
    diff.findings.severity.some(
      (c) => !c.accepted && severityAtLeast(c.after, threshold) && !severityAtLeast(c.before, threshold),
    )
  );
}
