import { isIPv4 } from 'node:net';
import { getDomain } from 'tldts';
import type {
  AddressInfo,
  DelegationObservation,
  DelegationStatus,
  NsNameCheck,
  NsServerCheck,
  Status,
} from '../../types.js';
import type { DirectAnswer, DirectClient } from './direct.js';
import type { RootServer } from './hints.js';
import type { Ask } from './hosts.js';
import { addressesOf } from './hosts.js';

// The DNS layer as its name servers see it. Per zone, once per run: walk down from the root to
// the parent (one label at a time, RFC 9156 style, so the referrals of `com` and `co.uk` are
// asked once and shared by every zone below them), take the parent's NS set and glue, then ask
// every address of every name server of both NS sets, directly and without recursion, for the
// zone's SOA and NS. Per domain: the audited name's answer at each authoritative server.
// docs/dns-checks.md describes the bounds and what each finding means.

/** NS names checked per zone, parent's and zone's own together. */
export const MAX_NS_NAMES = 8;
/** Addresses asked per NS name. */
export const MAX_ADDRESSES_PER_NAME = 4;
/** Server addresses asked per zone. */
export const MAX_SERVERS = 16;
/** Servers of one zone cut tried, one after another, for a step of the walk. */
export const MAX_CUT_TRIES = 3;
/** Labels walked at most (deeper zones are judged from the resolver's view). */
export const MAX_WALK_LABELS = 12;
/** NS names kept of one server's NS set, and of the zone's (a hostile server may send 64). */
const MAX_LISTED_NS = 16;
/** Characters kept of a server's answer for the audited name. */
const MAX_ANSWER = 200;
/** Zones and cuts remembered per run. */
const MAX_ENTRIES = 100_000;

interface Cut {
  status: DelegationStatus;
  /** The closest zone cut at or above the name asked for ('' = the root). */
  name: string;
  parent?: string;
  ns: string[];
  glue: Map<string, string[]>;
  /** Addresses to ask, filled on first use. */
  servers?: Promise<string[]>;
}

type ZoneFacts = Omit<DelegationObservation, 'zone'> & { zone: string };

export interface DelegationCheckerOptions {
  direct: DirectClient;
  /** Questions to the recursive resolver: NS names' own addresses, registrable domains' existence. */
  ask: Ask;
  root: readonly RootServer[];
  annotate?: (a: AddressInfo) => AddressInfo;
}

export class DelegationChecker {
  readonly #direct: DirectClient;
  readonly #ask: Ask;
  readonly #annotate: (a: AddressInfo) => AddressInfo;
  readonly #root: Cut;
  readonly #cuts = new Map<string, Promise<Cut>>();
  readonly #zones = new Map<string, Promise<ZoneFacts>>();
  #answered = 0;
  /** Direct replies over IPv6: until one comes, an IPv6 server that does not answer says nothing. */
  #answeredV6 = 0;
  #checked = 0;

  constructor(opts: DelegationCheckerOptions) {
    this.#direct = opts.direct;
    this.#ask = opts.ask;
    this.#annotate = opts.annotate ?? ((a) => a);
    const glue = new Map(opts.root.map((s) => [s.host, s.addresses.slice()]));
    this.#root = { status: 'OK', name: '', ns: opts.root.map((s) => s.host), glue };
  }

  /** Direct replies received this run (any server, any rcode): proof that direct queries get out. */
  get answered(): number {
    return this.#answered;
  }

  /** The zone's delegation and servers (shared by every domain of the zone), with `domain`'s answer at each. */
  async observe(domain: string, zone: string): Promise<DelegationObservation> {
    const facts = await this.zone(zone);
    if (facts.status !== 'OK') return { ...facts, servers: facts.servers.map((s) => ({ ...s })) };
    const servers = await Promise.all(
      facts.servers.map(async (s) => {
        const copy: NsServerCheck = { ...s };
        if (s.authoritative) copy.answer = digest(await this.#query(s.ip, domain, 'A', false), domain);
        return copy;
      }),
    );
    return { ...facts, servers };
  }

  /** Zones checked this run (each once while remembered). */
  get zonesChecked(): number {
    return this.#checked;
  }

  zone(zone: string): Promise<ZoneFacts> {
    const known = this.#zones.get(zone);
    if (known) return known;
    this.#checked++;
    const checking = this.#checkZone(zone);
    if (this.#zones.size < MAX_ENTRIES) this.#zones.set(zone, checking);
    return checking;
  }

  /** `remember` false: asked once anyway (a domain's own name), so not kept for the run. */
  async #query(ip: string, name: string, type: 'A' | 'NS' | 'SOA', remember = true): Promise<DirectAnswer> {
    const a = await this.#direct.query(ip, name, type, remember);
    if (a.status !== 'TIMEOUT' && a.status !== 'ERROR' && a.status !== 'SKIPPED') {
      this.#answered++;
      if (!isIPv4(ip)) this.#answeredV6++;
    }
    return a;
  }

  async #checkZone(zone: string): Promise<ZoneFacts> {
    const empty = (status: DelegationStatus, parent?: string): ZoneFacts => ({
      zone,
      status,
      ...(parent !== undefined ? { parent: parent || '.' } : {}),
      parentNs: [],
      childNs: [],
      names: [],
      servers: [],
    });
    if (zone.split('.').length > MAX_WALK_LABELS) return empty('SKIPPED');
    const cut = await this.#cutAt(zone);
    if (cut.status !== 'OK') return empty(cut.status, cut.name);
    if (cut.name !== zone) return empty('NOT_DELEGATED', cut.name);
    // The parent's whole set is kept for the comparison with the zone's (both cut the same way);
    // the names asked are picked across their domains, so a provider listed after eight names of
    // another is still asked.
    const parentNs = unique(cut.ns).slice(0, MAX_LISTED_NS);
    const names = new Map<string, NsNameCheck>();
    const servers: NsServerCheck[] = [];
    const ask = async (hosts: string[], fromParent: boolean) => {
      const found = await Promise.all(
        hosts.map((h) => this.#nameCheck(h, cut.glue.get(h) ?? [], fromParent)),
      );
      for (const n of found) names.set(n.host, n);
      // One address of every name first, then the second of each, ...: the budget reaches all names.
      const targets: { host: string; ip: string }[] = [];
      for (let i = 0; i < MAX_ADDRESSES_PER_NAME; i++)
        for (const n of found) if (n.addresses[i]) targets.push({ host: n.host, ip: n.addresses[i]! });
      const room = MAX_SERVERS - servers.length;
      servers.push(
        ...(await Promise.all(targets.slice(0, Math.max(0, room)).map((t) => this.#server(zone, t)))),
      );
    };
    await ask(spread(parentNs, MAX_NS_NAMES), true);
    const served = () => unique(servers.filter((s) => s.authoritative).flatMap((s) => s.ns ?? []));
    const extra = spread(
      served().filter((h) => !names.has(h)),
      Math.max(0, MAX_NS_NAMES - names.size),
    );
    await ask(extra, false);
    // Names the extra servers list that neither set had (a third view) are not followed further.
    const allChild = served().slice(0, MAX_LISTED_NS);
    for (const n of names.values()) n.child = allChild.includes(n.host);
    return {
      zone,
      status: 'OK',
      parent: cut.parent || '.',
      parentNs,
      childNs: allChild,
      names: [...names.values()].sort((a, b) => byString(a.host, b.host)),
      servers: servers.sort((a, b) => byString(a.host, b.host) || byString(a.ip, b.ip)),
    };
  }

  async #nameCheck(host: string, glue: string[], fromParent: boolean): Promise<NsNameCheck> {
    const answers = await Promise.all([this.#ask(host, 'A', true), this.#ask(host, 'AAAA', true)]);
    const resolved = addressesOf(answers).map((a) => a.ip);
    const addresses = unique([...glue, ...resolved])
      .sort((a, b) => Number(!isIPv4(a)) - Number(!isIPv4(b)))
      .slice(0, MAX_ADDRESSES_PER_NAME);
    const status: Status =
      resolved.length > 0
        ? 'NOERROR'
        : (answers.find((a) => a.status !== 'NOERROR')?.status ?? (glue.length ? 'NOERROR' : 'NO_ADDRESS'));
    const check: NsNameCheck = { host, parent: fromParent, child: false, status, addresses };
    if (resolved.length === 0 && status !== 'NOERROR') {
      const registrable = getDomain(host, { allowPrivateDomains: false });
      if (registrable) {
        const soa = await this.#ask(registrable, 'SOA', true);
        if (soa.status === 'NXDOMAIN') check.registered = false;
        else if (soa.status === 'NOERROR') check.registered = true;
      }
    }
    return check;
  }

  async #server(zone: string, t: { host: string; ip: string }): Promise<NsServerCheck> {
    const [asked, ns] = await Promise.all([this.#query(t.ip, zone, 'SOA'), this.#query(t.ip, zone, 'NS')]);
    // A host with IPv6 routes but no IPv6 connectivity times out on every IPv6 server: until an
    // IPv6 reply has come in this run, such a timeout is no verdict (unchecked, as SKIPPED).
    const soa: DirectAnswer =
      asked.status === 'TIMEOUT' && !isIPv4(t.ip) && this.#answeredV6 === 0
        ? { ...asked, status: 'SKIPPED' }
        : asked;
    const info = this.#annotate({ ip: t.ip, family: isIPv4(t.ip) ? 4 : 6 });
    const owned = soa.answers.some((r) => r.type === 'SOA' && r.name === zone);
    const authoritative = soa.status === 'NOERROR' && soa.authoritative && owned;
    const out: NsServerCheck = { host: t.host, ip: t.ip, status: soa.status, authoritative };
    const mname = soa.answers.find((r) => r.type === 'SOA' && r.name === zone)?.data;
    if (authoritative && mname) out.soaMname = mname;
    if (info.asn !== undefined) out.asn = info.asn;
    if (info.asnOrg !== undefined) out.asnOrg = info.asnOrg;
    if (authoritative && soa.serial !== undefined) out.serial = soa.serial;
    if (authoritative && ns.status === 'NOERROR' && ns.authoritative)
      out.ns = unique(ns.answers.filter((r) => r.type === 'NS' && r.name === zone).map((r) => r.data)).slice(
        0,
        MAX_LISTED_NS,
      );
    return out;
  }

  /** The closest zone cut at or above `name`, walked from the root one label at a time. */
  #cutAt(name: string): Promise<Cut> {
    if (name === '') return Promise.resolve(this.#root);
    const known = this.#cuts.get(name);
    if (known) return known;
    const finding = this.#findCut(name);
    if (this.#cuts.size < MAX_ENTRIES) this.#cuts.set(name, finding);
    return finding;
  }

  async #findCut(name: string): Promise<Cut> {
    const dot = name.indexOf('.');
    const above = await this.#cutAt(dot < 0 ? '' : name.slice(dot + 1));
    if (above.status !== 'OK') return above;
    const reply = await this.#askCut(above, name);
    if (!reply) {
      const status: DelegationStatus =
        above.name === '' && this.#answered === 0 ? 'NO_DIRECT' : 'PARENT_FAILED';
      return { status, name: above.name, ns: [], glue: new Map() };
    }
    if (reply.status === 'NXDOMAIN') return { status: 'NXDOMAIN', name: above.name, ns: [], glue: new Map() };
    // A referral (the parent's NS for the child), or the child's own NS when the same server
    // serves both zones and answers from the child.
    const referral = reply.authority.filter((r) => r.type === 'NS' && r.name === name);
    const own = reply.authoritative ? reply.answers.filter((r) => r.type === 'NS' && r.name === name) : [];
    const ns = unique((referral.length ? referral : own).map((r) => r.data));
    if (ns.length === 0) return above;
    const glue = new Map<string, string[]>();
    for (const r of reply.additional) {
      if ((r.type !== 'A' && r.type !== 'AAAA') || !ns.includes(r.name)) continue;
      glue.set(r.name, unique([...(glue.get(r.name) ?? []), r.data]));
    }
    return { status: 'OK', name, parent: above.name, ns, glue };
  }

  /** Asks servers of a cut in turn until one gives a usable reply (NOERROR or NXDOMAIN). */
  async #askCut(cut: Cut, name: string): Promise<DirectAnswer | null> {
    cut.servers ??= this.#cutServers(cut);
    const servers = await cut.servers;
    for (const ip of servers.slice(0, MAX_CUT_TRIES)) {
      const reply = await this.#query(ip, name, 'NS');
      if (reply.status === 'NXDOMAIN' && reply.authoritative) return reply;
      // A usable reply is authoritative (an answer or NODATA: no cut here) or a referral; a
      // NOERROR with neither is a lame server, or something on the path answering for it.
      const referral = reply.authority.some((r) => r.type === 'NS');
      if (reply.status === 'NOERROR' && (reply.authoritative || referral)) return reply;
    }
    return null;
  }

  /** One address per NS name (glue, else the resolver's), IPv4 first, names in order. */
  async #cutServers(cut: Cut): Promise<string[]> {
    const picks = await Promise.all(
      [...cut.ns].sort(byString).map(async (h) => {
        const glue = cut.glue.get(h) ?? [];
        if (glue.length) return glue;
        const a = await this.#ask(h, 'A', true);
        return addressesOf([a]).map((x) => x.ip);
      }),
    );
    const v4 = picks.map((p) => p.find((ip) => isIPv4(ip))).filter((ip): ip is string => !!ip);
    const v6 = picks.map((p) => p.find((ip) => !isIPv4(ip))).filter((ip): ip is string => !!ip);
    return unique([...v4, ...v6]);
  }
}

/**
 * Up to `max` names taken in turn from each registrable domain (ns1.a.com, ns1.b.net, ns2.a.com,
 * ...): a zone with eight names at one provider and two at another has both asked.
 */
function spread(hosts: readonly string[], max: number): string[] {
  const groups = new Map<string, string[]>();
  for (const h of hosts) {
    const key = getDomain(h, { allowPrivateDomains: false }) ?? h;
    groups.set(key, [...(groups.get(key) ?? []), h]);
  }
  const out: string[] = [];
  for (let i = 0; out.length < max; i++) {
    let took = false;
    for (const list of groups.values())
      if (list[i] && out.length < max) {
        out.push(list[i]!);
        took = true;
      }
    if (!took) break;
  }
  return out.sort(byString);
}

/** The audited name's answer at one server, as a short comparable string. */
function digest(a: DirectAnswer, name: string): string {
  if (a.status !== 'NOERROR') return a.status;
  const cname = a.answers.find((r) => r.type === 'CNAME' && r.name === name);
  if (cname) return `CNAME ${cname.data}`.slice(0, MAX_ANSWER);
  const addresses = a.answers
    .filter((r) => r.type === 'A' && r.name === name)
    .map((r) => r.data)
    .sort(byString);
  if (addresses.length) return addresses.join(' ').slice(0, MAX_ANSWER);
  if (!a.authoritative && a.authority.some((r) => r.type === 'NS')) return 'referral';
  return 'NODATA';
}

function unique(items: string[]): string[] {
  return [...new Set(items)].sort(byString);
}

function byString(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
