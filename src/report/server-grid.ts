import type { DomainResult, FindingKind } from '../types.js';

// The name servers of a zone as the direct checks saw them, for the findings that need a reader
// to see why (a lame server, an older serial, two names on one address). Renderers escape the
// cells; this only picks the rows and names each server's provider from what the analysis said.

/** Finding kinds whose reason is in the server grid. */
export const GRID_KINDS: ReadonlySet<FindingKind> = new Set<FindingKind>([
  'lame-delegation',
  'ns-out-of-sync',
  'delegation-mismatch',
  'ns-unresolvable',
  'ns-same-network',
  'ns-too-few',
]);

export const GRID_HEAD = [
  'server',
  'address',
  'provider',
  'AS',
  'listed by',
  'status',
  'AA',
  'serial',
  'answer',
];

export interface ServerGrid {
  zone: string;
  parent: string;
  rows: string[][];
}

/** The grid of a domain's zone, or null when no finding needs it (or the checks did not run). */
export function serverGrid(r: DomainResult): ServerGrid | null {
  const d = r.observations?.dns?.delegation;
  if (d?.status !== 'OK' || !r.risks.some((f) => GRID_KINDS.has(f.kind))) return null;
  const providerOf = (host: string): string => {
    for (const f of r.risks)
      if (f.kind === 'lame-delegation' && Array.isArray(f.args.servers))
        if (f.args.servers.some((s) => s.startsWith(`${host} `))) return f.provider ?? '';
    for (const dep of r.dependencies)
      if (dep.layer === 'dns' && dep.evidence.some((e) => e.signal === 'ns' && e.value === host))
        return dep.provider;
    return '';
  };
  const listedBy = (host: string): string => {
    const n = d.names.find((x) => x.host === host);
    return n ? [n.parent ? 'parent' : '', n.child ? 'zone' : ''].filter(Boolean).join('+') : '';
  };
  const rows = d.servers.map((s) => [
    s.host,
    s.ip,
    providerOf(s.host),
    s.asn !== undefined ? `AS${s.asn}` : '',
    listedBy(s.host),
    s.status,
    s.authoritative ? 'yes' : 'no',
    s.serial !== undefined ? String(s.serial) : '',
    s.answer ?? '',
  ]);
  for (const n of d.names)
    if (n.addresses.length === 0)
      rows.push([n.host, '', providerOf(n.host), '', listedBy(n.host), n.status, '', '', '']);
  return { zone: d.zone, parent: d.parent ?? '', rows };
}

/** Plain columns for a terminal, each cell through `esc`, two spaces between columns. */
export function gridLines(grid: ServerGrid, esc: (s: string) => string): string[] {
  const cells = [GRID_HEAD, ...grid.rows].map((row) => row.map((c) => esc(c).slice(0, 60)));
  const widths = GRID_HEAD.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  return cells.map((row) => `    ${row.map((c, i) => c.padEnd(widths[i]!)).join('  ')}`.trimEnd());
}
