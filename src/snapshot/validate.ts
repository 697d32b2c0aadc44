import { LAYERS, SEVERITIES } from '../types.js';

// Saved results (snapshots, NDJSON, journals) come back from disk, where anyone may have edited
// them: every field a renderer prints or indexes a table with is checked here, enums included,
// and the first problem named by its path (`risks[2].severity`). Renderers escape anyway.

type Problem = string | undefined;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
const isNumber = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
const layers = new Set<unknown>(LAYERS);
const severities = new Set<unknown>(SEVERITIES);
/** Finding kinds: checked as a token rather than the list (new kinds come with new analyses). */
const TOKEN = /^[a-z0-9][a-z0-9-]{0,63}$/;

function oneOf(v: unknown, allowed: Set<unknown>, path: string): Problem {
  return allowed.has(v) ? undefined : `${path} must be one of ${[...allowed].join(', ')}`;
}

function optionalString(v: unknown, path: string): Problem {
  return v === undefined || typeof v === 'string' ? undefined : `${path} must be a string`;
}

function stringList(v: unknown, path: string, optional = true): Problem {
  if (v === undefined && optional) return undefined;
  return Array.isArray(v) && v.every((s) => typeof s === 'string')
    ? undefined
    : `${path} must be a list of strings`;
}

function evidence(v: unknown, path: string): Problem {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) return `${path} must be an array`;
  for (const [i, e] of v.entries()) {
    if (!isObject(e)) return `${path}[${i}] must be an object`;
    if (typeof e.signal !== 'string' || typeof e.value !== 'string')
      return `${path}[${i}] needs "signal" and "value" strings`;
  }
  return undefined;
}

function dependency(d: unknown, path: string, indirect: boolean): Problem {
  if (!isObject(d)) return `${path} must be an object`;
  const p =
    oneOf(d.layer, layers, `${path}.layer`) ??
    (typeof d.provider === 'string' ? undefined : `${path}.provider must be a string`) ??
    optionalString(d.service, `${path}.service`) ??
    optionalString(d.region, `${path}.region`) ??
    optionalString(d.via, `${path}.via`) ??
    (d.direction === undefined || d.direction === 'outbound' || d.direction === 'reports'
      ? undefined
      : `${path}.direction must be "outbound" or "reports"`) ??
    (d.order === undefined || isNumber(d.order) ? undefined : `${path}.order must be a number`) ??
    stringList(d.vantages, `${path}.vantages`) ??
    evidence(d.evidence, `${path}.evidence`);
  if (p || !indirect) return p;
  if (!isObject(d.through)) return `${path}.through must be an object`;
  return (
    oneOf(d.through.layer, layers, `${path}.through.layer`) ??
    (typeof d.through.provider === 'string' ? undefined : `${path}.through.provider must be a string`) ??
    optionalString(d.zone, `${path}.zone`) ??
    stringList(d.path, `${path}.path`) ??
    stringList(d.alternatives, `${path}.alternatives`)
  );
}

function finding(f: unknown, path: string): Problem {
  if (!isObject(f)) return `${path} must be an object`;
  if (typeof f.kind !== 'string' || !TOKEN.test(f.kind)) return `${path}.kind must be a finding kind`;
  return (
    oneOf(f.severity, severities, `${path}.severity`) ??
    (f.layer === undefined ? undefined : oneOf(f.layer, layers, `${path}.layer`)) ??
    optionalString(f.provider, `${path}.provider`) ??
    optionalString(f.message, `${path}.message`) ??
    (f.args === undefined || isObject(f.args) ? undefined : `${path}.args must be an object`)
  );
}

/** The first problem of a saved domain result, or undefined when renderers can trust it. */
export function domainProblem(data: unknown): Problem {
  if (!isObject(data)) return 'must be an object';
  if (typeof data.domain !== 'string' || data.domain === '') return 'no "domain" name';
  if (!Array.isArray(data.dependencies) || !Array.isArray(data.risks))
    return '"dependencies" and "risks" must be arrays';
  if (!isObject(data.observations)) return 'no "observations"';
  if (data.error !== undefined) {
    if (!isObject(data.error) || typeof data.error.code !== 'string')
      return 'error must be an object with a "code" string';
    const p = optionalString(data.error.message, 'error.message');
    if (p) return p;
  }
  for (const [i, d] of data.dependencies.entries()) {
    const p = dependency(d, `dependencies[${i}]`, false);
    if (p) return p;
  }
  if (data.indirect !== undefined) {
    if (!Array.isArray(data.indirect)) return 'indirect must be an array';
    for (const [i, d] of data.indirect.entries()) {
      const p = dependency(d, `indirect[${i}]`, true);
      if (p) return p;
    }
  }
  for (const [i, f] of data.risks.entries()) {
    const p = finding(f, `risks[${i}]`);
    if (p) return p;
  }
  return undefined;
}

/** The first problem of a saved summary (its blast radius is checked by read.ts). */
export function summaryProblem(s: unknown): Problem {
  if (!isObject(s)) return 'summary must be an object';
  if (!isCount(s.domains) || !isCount(s.failed)) return 'summary.domains and summary.failed must be counts';
  if (!isObject(s.findings)) return 'summary.findings must be an object';
  for (const sev of SEVERITIES)
    if (s.findings[sev] !== undefined && !isCount(s.findings[sev]))
      return `summary.findings.${sev} must be a count`;
  if (!Array.isArray(s.layers)) return 'summary.layers must be an array';
  for (const [i, l] of s.layers.entries()) {
    const path = `summary.layers[${i}]`;
    if (!isObject(l)) return `${path} must be an object`;
    const p =
      oneOf(l.layer, layers, `${path}.layer`) ??
      (isCount(l.covered) ? undefined : `${path}.covered must be a count`) ??
      (isNumber(l.hhi) ? undefined : `${path}.hhi must be a number`);
    if (p) return p;
    if (!Array.isArray(l.providers)) return `${path}.providers must be an array`;
    for (const [j, share] of l.providers.entries()) {
      if (
        !isObject(share) ||
        typeof share.provider !== 'string' ||
        !isCount(share.domains) ||
        !isNumber(share.share)
      )
        return `${path}.providers[${j}] needs "provider", "domains" and "share"`;
    }
  }
  if (s.notes !== undefined) {
    if (!Array.isArray(s.notes)) return 'summary.notes must be an array';
    for (const [i, n] of s.notes.entries())
      if (!isObject(n) || typeof n.message !== 'string')
        return `summary.notes[${i}] needs a "message" string`;
  }
  return undefined;
}
