import type { Dependency, Evidence, Observation, SpfInclude } from '../types.js';
import { type ClassifyContext, classifyHostSet, registrable } from './hosts.js';
import { matchAddress, matchHost } from './memo.js';

// Outbound mail: the senders the mail domain's SPF policy authorises, one `email` dependency per
// company with `direction: 'outbound'`. An include is named by the catalogue's `spf` rules, else by
// the provider operating its domain, else by its registrable domain (an unknown third party, as
// for MX). The domain's own includes (_spf.example.com) are looked through to what they include;
// its own ip4/ip6/a mechanisms are `self` unless a CIDR rule names the network, and `mx` stands
// for the inbound MX providers. DMARC report receivers become `direction: 'reports'`.

interface Sender {
  provider: string;
  service?: string;
  evidence: Evidence[];
}

export function classifyOutbound(obs: Observation, ctx: ClassifyContext): Dependency[] {
  const spf = obs.dns.spf;
  if (!spf?.record) return [];
  const mailDomain = obs.dns.mailDomain;
  const children = new Map<string, SpfInclude[]>();
  for (const inc of spf.includes) {
    const list = children.get(inc.from) ?? [];
    list.push(inc);
    children.set(inc.from, list);
  }
  const own = (domain: string) => registrable(domain) === ctx.site || registrable(domain) === mailDomain;
  const senders: Sender[] = [];
  const visit = (from: string, depth: number): void => {
    for (const inc of children.get(from) ?? []) {
      const term = `${inc.mechanism === 'include' ? 'include:' : 'redirect='}${inc.domain}`;
      const evidence: Evidence[] = [{ signal: 'spf', value: term }];
      const m = matchHost(ctx.catalogue, 'spf', inc.domain);
      if (m) {
        senders.push(
          m.service
            ? { provider: m.provider, service: m.service, evidence }
            : { provider: m.provider, evidence },
        );
        continue;
      }
      const owner = ctx.catalogue.ownerOf(registrable(inc.domain));
      if (owner) senders.push({ provider: owner, evidence });
      else if (own(inc.domain) && depth < 16) visit(inc.domain, depth + 1);
      else senders.push({ provider: registrable(inc.domain), evidence });
    }
  };
  visit(mailDomain, 0);
  for (const term of spf.direct) senders.push(...directSenders(term, obs, ctx));
  return merge(senders, 'outbound');
}

function directSenders(term: string, obs: Observation, ctx: ClassifyContext): Sender[] {
  const evidence: Evidence[] = [{ signal: 'spf', value: term }];
  const [name, ...rest] = term.split(':');
  const value = rest.join(':');
  if (name === 'mx' && value === '') {
    // `mx`: the hosts that receive the domain's mail may also send it.
    const inbound = classifyHostSet('mx', 'email', obs.dns.mx.hosts, ctx);
    return inbound.map((d) => ({ provider: d.provider, evidence }));
  }
  if (name === 'ip4' || name === 'ip6') {
    const ip = value.split('/')[0] ?? '';
    const m = matchAddress(ctx.catalogue, ip, undefined);
    return [{ provider: m ? m.provider : 'self', evidence }];
  }
  // a, a:host, mx:host, exists:, ptr: hosts the domain names; a third party's host names it.
  const host = value.split('/')[0] ?? '';
  if (host && !host.includes('%')) {
    const owner = registrable(host);
    if (owner !== ctx.site && owner !== obs.dns.mailDomain)
      return [{ provider: ctx.catalogue.ownerOf(owner) ?? owner, evidence }];
  }
  return [{ provider: 'self', evidence }];
}

function merge(senders: Sender[], direction: 'outbound' | 'reports'): Dependency[] {
  const by = new Map<string, Dependency>();
  for (const s of senders) {
    const prev = by.get(s.provider);
    if (prev) {
      prev.evidence.push(...s.evidence);
      if (prev.service !== s.service) delete prev.service;
      continue;
    }
    const dep: Dependency = {
      layer: 'email',
      provider: s.provider,
      direction,
      order: 0,
      evidence: [...s.evidence],
    };
    if (s.service) dep.service = s.service;
    by.set(s.provider, dep);
  }
  return [...by.values()];
}

/** Where the DMARC aggregate (rua) and failure (ruf) reports are sent. */
export function classifyReports(obs: Observation, ctx: ClassifyContext): Dependency[] {
  const reports = obs.dns.dmarc?.reports ?? [];
  const senders: Sender[] = reports.map((r) => {
    const evidence: Evidence[] = [{ signal: 'dmarc', value: `${r.tag} mailto:…@${r.domain}` }];
    const m = matchHost(ctx.catalogue, 'dmarc', r.domain);
    if (m)
      return m.service
        ? { provider: m.provider, service: m.service, evidence }
        : { provider: m.provider, evidence };
    const owner = registrable(r.domain);
    const provider =
      owner === ctx.site || owner === obs.dns.mailDomain ? 'self' : (ctx.catalogue.ownerOf(owner) ?? owner);
    return { provider, evidence };
  });
  return merge(senders, 'reports');
}
