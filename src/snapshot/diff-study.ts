import { summarise } from '../analyse/portfolio.js';
import type { ReportDocument } from '../report/spill.js';
import { LAYERS, type Layer, type Study, type StudyLayer } from '../types.js';

// What moved in the study view (IMC 2020 table) between two snapshots. A snapshot written before
// the study existed has it worked out from its domains.

export interface StudyCount {
  before: number;
  after: number;
  shareBefore: number;
  shareAfter: number;
}

export interface StudyConcentrationChange {
  k: number;
  providerBefore?: string;
  providerAfter?: string;
  shareBefore?: number;
  shareAfter?: number;
}

export interface StudyLayerChange {
  layer: Layer;
  thirdParty: StudyCount;
  critical: StudyCount;
  redundant: StudyCount;
  hhiBefore: number;
  hhiAfter: number;
  /** The k whose share moved by the share threshold or whose k-th provider changed. */
  concentration: StudyConcentrationChange[];
}

export interface StudyAmplificationChange {
  provider: string;
  directBefore: number;
  directAfter: number;
  totalBefore: number;
  totalAfter: number;
  ratioBefore: number | null;
  ratioAfter: number | null;
}

export interface StudyProviderDependencyChange {
  layer: Layer;
  provider: string;
  dependsOn: { layer: Layer; provider: string };
  domainsBefore: number;
  domainsAfter: number;
  criticalBefore: number;
  criticalAfter: number;
}

export interface StudyChange {
  layers: StudyLayerChange[];
  amplification: StudyAmplificationChange[];
  providerDependencies: StudyProviderDependencyChange[];
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const round4 = (n: number): number => Math.round(n * 10000) / 10000;

/**
 * A document's study table; with domains failing on either side, worked out again without them
 * (a domain that failed tonight is its failure, not a move of the table).
 */
function studyOf(doc: ReportDocument, failing: ReadonlySet<string>): Study | undefined {
  if (failing.size === 0 || !doc.domains)
    return doc.summary?.study ?? (doc.domains ? summarise(doc.domains).study : undefined);
  const kept = (function* () {
    for (const r of doc.domains) if (!failing.has(r.domain)) yield r;
  })();
  return summarise(kept).study;
}

function count(
  b: StudyLayer | undefined,
  a: StudyLayer | undefined,
  field: 'thirdParty' | 'critical' | 'redundant',
): StudyCount {
  const share = `${field}Share` as const;
  return {
    before: b?.[field] ?? 0,
    after: a?.[field] ?? 0,
    shareBefore: b?.[share] ?? 0,
    shareAfter: a?.[share] ?? 0,
  };
}

function layerChange(
  layer: Layer,
  b: StudyLayer | undefined,
  a: StudyLayer | undefined,
  opts: { shareThreshold: number; hhiThreshold: number },
): StudyLayerChange | undefined {
  const moved = (c: StudyCount) => Math.abs(round4(c.shareAfter - c.shareBefore)) >= opts.shareThreshold;
  const concentration: StudyConcentrationChange[] = [];
  const ks = Math.max(b?.concentration.length ?? 0, a?.concentration.length ?? 0);
  for (let i = 0; i < ks; i++) {
    const x = b?.concentration[i];
    const y = a?.concentration[i];
    // Past a side's last provider its top-k union is all of its critical dependants.
    const shareBefore = (x ?? b?.concentration.at(-1))?.share ?? 0;
    const shareAfter = (y ?? a?.concentration.at(-1))?.share ?? 0;
    // A new k-th provider is news when it, or the one it replaced, weighs at least the threshold:
    // reshuffles in the long tail of a large portfolio are not.
    const weight = (l: StudyLayer | undefined, p: string | undefined) =>
      l?.providers.find((q) => q.provider === p)?.criticalShare ?? 0;
    const replaced =
      x?.provider !== y?.provider &&
      Math.max(weight(b, x?.provider), weight(a, y?.provider)) >= opts.shareThreshold;
    if (!replaced && Math.abs(round4(shareAfter - shareBefore)) < opts.shareThreshold) continue;
    const c: StudyConcentrationChange = { k: i + 1 };
    if (x) c.providerBefore = x.provider;
    if (y) c.providerAfter = y.provider;
    concentration.push({ ...c, shareBefore, shareAfter });
  }
  const out: StudyLayerChange = {
    layer,
    thirdParty: count(b, a, 'thirdParty'),
    critical: count(b, a, 'critical'),
    redundant: count(b, a, 'redundant'),
    hhiBefore: b?.hhi ?? 0,
    hhiAfter: a?.hhi ?? 0,
    concentration,
  };
  const changed =
    moved(out.thirdParty) ||
    moved(out.critical) ||
    moved(out.redundant) ||
    Math.abs(out.hhiAfter - out.hhiBefore) >= opts.hhiThreshold ||
    concentration.length > 0;
  return changed ? out : undefined;
}

export function diffStudy(
  oldDoc: ReportDocument,
  newDoc: ReportDocument,
  opts: { shareThreshold: number; hhiThreshold: number },
  failing: ReadonlySet<string> = new Set(),
): StudyChange | undefined {
  const was = studyOf(oldDoc, failing);
  const is = studyOf(newDoc, failing);
  if (!was && !is) return undefined;
  const out: StudyChange = { layers: [], amplification: [], providerDependencies: [] };
  for (const layer of LAYERS) {
    const c = layerChange(
      layer,
      was?.layers.find((l) => l.layer === layer),
      is?.layers.find((l) => l.layer === layer),
      opts,
    );
    if (c) out.layers.push(c);
  }

  const ampWas = new Map((was?.amplification ?? []).map((a) => [a.provider, a]));
  const ampIs = new Map((is?.amplification ?? []).map((a) => [a.provider, a]));
  const domains = Math.max(was?.domains ?? 0, is?.domains ?? 0, 1);
  for (const provider of new Set([...ampWas.keys(), ...ampIs.keys()])) {
    const b = ampWas.get(provider);
    const a = ampIs.get(provider);
    if ((b?.indirect ?? 0) === 0 && (a?.indirect ?? 0) === 0) continue; // no amplification either side
    const totalBefore = b?.total ?? 0;
    const totalAfter = a?.total ?? 0;
    const ratioBefore = b?.ratio ?? null;
    const ratioAfter = a?.ratio ?? null;
    const ratioMoved =
      (ratioBefore === null) !== (ratioAfter === null) ||
      Math.abs((ratioAfter ?? 0) - (ratioBefore ?? 0)) >= 0.1;
    if (!ratioMoved && Math.abs(totalAfter - totalBefore) / domains < opts.shareThreshold) continue;
    out.amplification.push({
      provider,
      directBefore: b?.direct ?? 0,
      directAfter: a?.direct ?? 0,
      totalBefore,
      totalAfter,
      ratioBefore,
      ratioAfter,
    });
  }
  out.amplification.sort(
    (x, y) =>
      Math.abs(y.totalAfter - y.totalBefore) - Math.abs(x.totalAfter - x.totalBefore) ||
      byString(x.provider, y.provider),
  );

  const edgeKey = (e: { layer: string; provider: string; dependsOn: { layer: string; provider: string } }) =>
    [e.layer, e.provider, e.dependsOn.layer, e.dependsOn.provider].join('\u0000');
  const edgesWas = new Map((was?.providerDependencies ?? []).map((e) => [edgeKey(e), e]));
  const edgesIs = new Map((is?.providerDependencies ?? []).map((e) => [edgeKey(e), e]));
  for (const k of new Set([...edgesWas.keys(), ...edgesIs.keys()])) {
    const b = edgesWas.get(k);
    const a = edgesIs.get(k);
    const e = (a ?? b)!;
    const appeared = !b || !a;
    const criticalFlip = (b?.critical ?? 0) > 0 !== (a?.critical ?? 0) > 0;
    if (!appeared && !criticalFlip) continue;
    out.providerDependencies.push({
      layer: e.layer,
      provider: e.provider,
      dependsOn: { ...e.dependsOn },
      domainsBefore: b?.domains ?? 0,
      domainsAfter: a?.domains ?? 0,
      criticalBefore: b?.critical ?? 0,
      criticalAfter: a?.critical ?? 0,
    });
  }
  out.providerDependencies.sort((x, y) => byString(edgeKey(x), edgeKey(y)));
  const empty = out.layers.length + out.amplification.length + out.providerDependencies.length === 0;
  return empty ? undefined : out;
}
