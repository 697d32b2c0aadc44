import { sortFindings } from '../analyse/domain.js';
import { byString } from '../analyse/layer-loss.js';
import { mapResults, type ReportDocument } from '../report/spill.js';
import {
  type AuditDocument,
  type Dependency,
  type DomainResult,
  type Evidence,
  LAYERS,
  type Observation,
} from '../types.js';

// What two runs over unchanged infrastructure still disagree on: timings, TTL countdowns, query
// counts (they depend on the shared cache and so on concurrency), resolver source ports,
// round-robin answer order and per-request header values (request ids, cache node names, dates).
// stableDocument() removes exactly those, so equal infrastructure gives byte-equal snapshots.

/** Header values that change on every request; names and presence are kept, values masked. */
const VOLATILE_HEADERS = new Set([
  'age',
  'akamai-grn',
  'cf-cache-status',
  'cf-ray',
  'content-length',
  'date',
  'etag',
  'expires',
  'last-modified',
  'server-timing',
  'set-cookie',
  'traceparent',
  'tracestate',
  'x-amz-cf-id',
  'x-amz-cf-pop',
  'x-amz-id-2',
  'x-azure-ref',
  'x-cache',
  'x-cache-hits',
  'x-cloud-trace-context',
  'x-envoy-upstream-service-time',
  'x-iinfo',
  'x-msedge-ref',
  'x-response-time',
  'x-runtime',
  'x-served-by',
  'x-timer',
  'x-vercel-cache',
  'x-vercel-id',
]);
const ID_HEADER = /(?:^|-)(?:request|req|trace|correlation|span|upload|invocation)-?ids?$/;
export const MASK = '*';

export function isVolatileHeader(name: string): boolean {
  const n = name.toLowerCase();
  return VOLATILE_HEADERS.has(n) || ID_HEADER.test(n);
}

/** Measurements that differ between identical runs: zeroed so the document keeps its shape. */
const VOLATILE_NUMBERS = new Set(['durationMs', 'ttl', 'queries']);

/** "192.0.2.1:53" / "[2001:db8::1]:53" → the address alone: the port is the lab's, not a fact. */
function stripPort(value: string): string {
  const v6 = /^\[([^\]]+)\](?::\d+)?$/.exec(value);
  if (v6) return v6[1]!;
  return /^[^:]+:\d+$/.test(value) ? value.slice(0, value.lastIndexOf(':')) : value;
}

function scrub(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(scrub);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (VOLATILE_NUMBERS.has(key) && typeof v === 'number') out[key] = 0;
    else if (key === 'resolver' && typeof v === 'string') out[key] = stripPort(v);
    else out[key] = scrub(v);
  }
  return out;
}

function stableHeaders(headers: Record<string, string[]>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const name of Object.keys(headers).sort(byString))
    out[name] = isVolatileHeader(name) ? headers[name]!.map(() => MASK) : [...headers[name]!];
  return out;
}

function stableEvidence(e: Evidence): Evidence {
  if (e.signal !== 'header') return e;
  const colon = e.value.indexOf(':');
  const name = colon < 0 ? '' : e.value.slice(0, colon);
  return colon > 0 && isVolatileHeader(name) ? { ...e, value: `${name}: ${MASK}` } : e;
}

const byAddress = (a: { family: number; ip: string }, b: { family: number; ip: string }): number =>
  a.family - b.family || byString(a.ip, b.ip);

function stableObservation(obs: Observation): Observation {
  const o = scrub(obs) as Observation;
  const dns = o.dns;
  if (dns) {
    // Round-robin DNS rotates answers; the set is the fact, not the order.
    dns.addresses?.sort(byAddress);
    dns.ns?.hosts?.sort((a, b) => byString(a.host, b.host));
    for (const h of dns.ns?.hosts ?? []) h.addresses?.sort(byAddress);
    dns.mx?.hosts?.sort((a, b) => a.priority - b.priority || byString(a.host, b.host));
    for (const h of dns.mx?.hosts ?? []) h.addresses?.sort(byAddress);
  }
  if (o.http?.headers) o.http.headers = stableHeaders(o.http.headers);
  o.tls?.san?.sort(byString);
  return o;
}

const layerIndex = (d: Dependency): number => LAYERS.indexOf(d.layer);

/** Order of dependencies within a domain: layer, position, then identity. */
export function compareDependencies(a: Dependency, b: Dependency): number {
  return (
    layerIndex(a) - layerIndex(b) ||
    byString(a.direction ?? '', b.direction ?? '') ||
    (a.order ?? 0) - (b.order ?? 0) ||
    byString(a.provider, b.provider) ||
    byString(a.service ?? '', b.service ?? '') ||
    byString(a.region ?? '', b.region ?? '') ||
    byString(a.via ?? '', b.via ?? '')
  );
}

function stableResult(r: DomainResult): DomainResult {
  const out: DomainResult = {
    ...r,
    observations: stableObservation(r.observations),
    dependencies: (r.dependencies ?? [])
      .map((d) => ({ ...d, evidence: (d.evidence ?? []).map(stableEvidence) }))
      .sort(compareDependencies),
    risks: sortFindings((r.risks ?? []).map((f) => ({ ...f }))),
  };
  return out;
}

export interface StableOptions {
  /** Keep `generatedAt` (saving a snapshot); by default it is blanked (comparing two documents). */
  keepGeneratedAt?: boolean;
}

/**
 * A copy of the document without volatile values, every list in a fixed order. Saving it makes
 * two snapshots of unchanged infrastructure identical apart from `generatedAt`; comparing two
 * stable documents (default options) says whether anything at all changed. The input is not
 * modified.
 */
export function stableDocument(doc: AuditDocument, opts: StableOptions = {}): AuditDocument {
  return stableReport(doc, opts) as AuditDocument;
}

/**
 * stableDocument for a report whose results may be kept on disk: those are made stable one at a
 * time as they are read (they come back sorted by name already); an array is copied and sorted.
 */
export function stableReport(doc: ReportDocument, opts: StableOptions = {}): ReportDocument {
  if (doc.resolvers)
    doc = { ...doc, resolvers: doc.resolvers.map((r) => ({ ...r, resolver: stripPort(r.resolver) })) };
  if (doc.domains && !Array.isArray(doc.domains))
    return {
      ...doc,
      generatedAt: opts.keepGeneratedAt ? doc.generatedAt : '',
      domains: mapResults(doc.domains, stableResult),
      summary: structuredClone(doc.summary),
    };
  const domains = ((doc.domains ?? []) as DomainResult[])
    .map(stableResult)
    .sort((a, b) => byString(a.domain, b.domain));
  return {
    ...doc,
    generatedAt: opts.keepGeneratedAt ? doc.generatedAt : '',
    domains,
    summary: structuredClone(doc.summary),
  };
}
