import { getDomain } from 'tldts';
import type { DnsAnswer, DnsObservation, MxHost } from '../../types.js';
import { withDeadline } from '../deadline.js';
import type { DnsClient, QueryOptions } from './client.js';
import { type Ask, addressesOf, addressStatus, recordsOf, resolveHost } from './hosts.js';
import { observeDmarc, observeSpf } from './mail-policy.js';

export interface ObserveDnsOptions {
  maxCnameHops?: number;
  maxNameServers?: number;
  maxMx?: number;
  /**
   * Wall-clock bound for the whole observation (default DEADLINE_QUERIES × the client's query
   * budget). Past it, questions still open and any later ones answer TIMEOUT, so a resolver that
   * answers every question just inside the timeout cannot hold one domain for minutes.
   */
  deadlineMs?: number;
}

const SHARED: QueryOptions = Object.freeze({ shared: true });
const ONE_OFF: QueryOptions = Object.freeze({});

/** Default deadline in query budgets: the longest sequential path (SOA, NS, NS address) plus one. */
export const DEADLINE_QUERIES = 4;

/**
 * Raw DNS facts about one domain: its CNAME chain and addresses, the zone apex and its name
 * servers, the mail domain and its MX hosts. Three independent branches run in parallel; the
 * client's cache makes facts shared between domains (a zone's NS, a CDN's addresses) cost one
 * query per run.
 */
export async function observeDns(
  domain: string,
  client: DnsClient,
  opts: ObserveDnsOptions = {},
): Promise<DnsObservation> {
  const name = domain.toLowerCase().replace(/\.$/, '');
  const deadlineMs = opts.deadlineMs ?? DEADLINE_QUERIES * client.queryBudgetMs();
  // Stand-ins for the client (tests, library callers) may offer query() alone.
  const hasLookup = typeof (client as Partial<DnsClient>).lookup === 'function';
  const bound = withDeadline((n, type, shared) => {
    const query = shared ? SHARED : ONE_OFF;
    return hasLookup ? client.lookup(n, type, query) : client.query(n, type, query);
  }, deadlineMs);
  const ask = bound.ask;
  const registrable = getDomain(name) ?? null;
  try {
    const [target, zone, mail] = await Promise.all([
      addressBranch(name, ask, opts.maxCnameHops ?? 8),
      zoneBranch(name, registrable, ask, opts.maxNameServers ?? 8),
      mailBranch(registrable ?? name, ask, opts.maxMx ?? 8),
    ]);
    // One literal, in the order the spread of the three parts gave (it is the output's order).
    return {
      status: target.status,
      cnames: target.cnames,
      finalName: target.finalName,
      addresses: target.addresses,
      zone: zone.zone,
      ns: zone.ns,
      mailDomain: mail.mailDomain,
      mx: mail.mx,
      spf: mail.spf,
      dmarc: mail.dmarc,
      queries: bound.asked,
    };
  } finally {
    bound.stop();
  }
}

export type AddressPart = Pick<DnsObservation, 'status' | 'cnames' | 'finalName' | 'addresses'>;

/** The CNAME chain and addresses of a name; vantage views walk it the same way (collect/vantage.ts). */
export async function addressBranch(domain: string, ask: Ask, maxHops: number): Promise<AddressPart> {
  const cnames: string[] = [];
  const seen = new Set([domain]);
  let asked = domain;
  for (;;) {
    const a = await ask(asked, 'A');
    // A recursive resolver returns the whole chain in the answer; walk it from the asked name.
    let end = asked;
    for (let next = cnameOf(a, end); next !== undefined; next = cnameOf(a, end)) {
      if (seen.has(next)) return { status: 'CNAME_LOOP', cnames, finalName: end, addresses: [] };
      if (cnames.length >= maxHops)
        return { status: 'CNAME_TOO_LONG', cnames, finalName: end, addresses: [] };
      cnames.push(next);
      seen.add(next);
      end = next;
    }
    if (a.status !== 'NOERROR') return { status: a.status, cnames, finalName: end, addresses: [] };
    const hasA = recordsOf(a, 'A').length > 0;
    // Chain ended on a name the resolver did not chase (no address, no SOA saying NODATA): ask it.
    const chased = hasA || end === asked || a.authority.some((r) => r.type === 'SOA');
    if (!chased) {
      asked = end;
      continue;
    }
    const aaaa = await ask(end, 'AAAA');
    const answers = [a, aaaa];
    const addresses = addressesOf(answers);
    return { status: addressStatus(answers, addresses), cnames, finalName: end, addresses };
  }
}

function cnameOf(answer: DnsAnswer, owner: string): string | undefined {
  return answer.answers.find((r) => r.type === 'CNAME' && r.name === owner)?.data;
}

type ZonePart = Pick<DnsObservation, 'zone' | 'ns'>;

async function zoneBranch(
  domain: string,
  registrable: string | null,
  ask: Ask,
  maxNs: number,
): Promise<ZonePart> {
  const zone = apexOf(domain, registrable, await ask(domain, 'SOA'));
  if (!zone.apex) return { zone, ns: { status: 'SKIPPED', hosts: [] } };
  const ns = await ask(zone.apex, 'NS', true);
  const names = unique(recordsOf(ns, 'NS').map((r) => r.data)).filter((h) => h !== '.');
  const hosts = await Promise.all(
    names
      .sort()
      .slice(0, maxNs)
      .map((h) => resolveHost(h, ask)),
  );
  return { zone, ns: { status: ns.status, hosts } };
}

/**
 * The SOA owner when it is the domain or one of its parents (and not above the registrable
 * domain: an NXDOMAIN carries the TLD's SOA). Otherwise, e.g. the SOA of a CNAME target's
 * zone, the registrable domain from the public suffix list.
 */
function apexOf(domain: string, registrable: string | null, soa: DnsAnswer): DnsObservation['zone'] {
  const inside = (child: string, parent: string) => child === parent || child.endsWith(`.${parent}`);
  const owners = [...soa.answers, ...soa.authority]
    .filter((r) => r.type === 'SOA' && inside(domain, r.name))
    .filter((r) => registrable === null || inside(r.name, registrable))
    .map((r) => r.name)
    .sort((a, b) => b.length - a.length);
  if (owners[0]) return { apex: owners[0], source: 'soa' };
  return registrable ? { apex: registrable, source: 'psl' } : { apex: null, source: 'none' };
}

type MailPart = Pick<DnsObservation, 'mailDomain' | 'mx' | 'spf' | 'dmarc'>;

/** Inbound (MX) and outbound (SPF) mail and DMARC reporting of the mail domain, in parallel. */
async function mailBranch(mailDomain: string, ask: Ask, maxMx: number): Promise<MailPart> {
  const [mx, spf, dmarc] = await Promise.all([
    mxHosts(mailDomain, ask, maxMx),
    observeSpf(mailDomain, ask),
    observeDmarc(mailDomain, ask),
  ]);
  return { mailDomain, mx, spf, dmarc };
}

async function mxHosts(mailDomain: string, ask: Ask, maxMx: number): Promise<DnsObservation['mx']> {
  const mx = await ask(mailDomain, 'MX', true);
  const best = new Map<string, number>();
  // RFC 7505 null MX ("."): the domain takes no mail, so there is no host to resolve.
  for (const r of recordsOf(mx, 'MX')) {
    if (r.data === '.') continue;
    best.set(r.data, Math.min(best.get(r.data) ?? Number.POSITIVE_INFINITY, r.priority ?? 0));
  }
  const chosen = [...best]
    .sort(([h1, p1], [h2, p2]) => p1 - p2 || (h1 < h2 ? -1 : h1 > h2 ? 1 : 0))
    .slice(0, maxMx);
  const hosts: MxHost[] = await Promise.all(
    chosen.map(async ([host, priority]) => {
      const h = await resolveHost(host, ask);
      return { host: h.host, status: h.status, addresses: h.addresses, priority };
    }),
  );
  return { status: mx.status, hosts };
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}
