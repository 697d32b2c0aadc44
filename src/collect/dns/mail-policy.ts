import type { DmarcObservation, SpfInclude, SpfObservation } from '../../types.js';
import { type Ask, recordsOf } from './hosts.js';

// Outbound mail as DNS states it: the SPF policy of the mail domain (RFC 7208) with its include:
// and redirect= chain, and the DMARC record (RFC 7489) with its report addresses. The TXT
// answers are shared between domains (one mail domain serves many names, one provider's include
// serves many customers), so the client's cache asks each once per run.

/** RFC 7208 4.6.4: at most 10 terms that cause DNS lookups; past it the policy is a permerror. */
export const SPF_LOOKUP_LIMIT = 10;
const MAX_RECORD = 1024;
const MAX_DIRECT = 32;
const MAX_REPORTS = 8;
const LOOKUP_TERMS = new Set(['include', 'a', 'mx', 'ptr', 'exists']);
const DIRECT_TERMS = new Set(['ip4', 'ip6', 'a', 'mx', 'ptr', 'exists']);

interface Term {
  /** Mechanism or modifier name, lower-case, qualifier dropped ("include", "redirect", "ip4"). */
  name: string;
  /** After ':' or '=' (domain-spec, address), as written; '' when none. */
  value: string;
}

/** The terms of one `v=spf1` record, in order. */
export function spfTerms(record: string): Term[] {
  const out: Term[] = [];
  for (const word of record.trim().split(/\s+/).slice(1)) {
    const body = word.replace(/^[+?~-]/, '');
    const m = /^([a-z0-9][a-z0-9_.-]*)(?:([:=/])(.*))?$/i.exec(body);
    if (!m) continue;
    const name = m[1]!.toLowerCase();
    out.push({ name, value: m[2] === '/' ? `/${m[3] ?? ''}` : (m[3] ?? '') });
  }
  return out;
}

type Policy = { record?: string; error?: 'no-policy' | 'multiple-policies' };

function policyOf(texts: string[]): Policy {
  const spf = texts.filter((t) => /^v=spf1(\s|$)/i.test(t));
  if (spf.length === 0) return { error: 'no-policy' };
  // RFC 7208 4.5: more than one record is a permerror; none of them is used.
  if (spf.length > 1) return { error: 'multiple-policies' };
  return { record: spf[0]! };
}

/** A domain-spec we can ask: no macros (they need the sender's address), a plausible host name. */
function askable(domain: string): string | undefined {
  const d = domain.toLowerCase().replace(/\.$/, '');
  if (d.includes('%') || d.length > 253 || !/^[a-z0-9_-]+(\.[a-z0-9_-]+)+$/.test(d)) return undefined;
  return d;
}

async function txtPolicy(name: string, ask: Ask): Promise<{ status: SpfObservation['status'] } & Policy> {
  const answer = await ask(name, 'TXT', true);
  if (answer.status !== 'NOERROR') return { status: answer.status };
  return { status: answer.status, ...policyOf(recordsOf(answer, 'TXT').map((r) => r.data)) };
}

/**
 * Walks the SPF policy of `mailDomain`: every include: and redirect= in evaluation order (a
 * record's terms left to right, each include's own policy before the next term), counting the
 * DNS-querying terms of the whole tree against the limit of 10. The includes of one record are
 * asked together; which ones are followed depends only on the records, never on timing.
 */
export async function observeSpf(mailDomain: string, ask: Ask): Promise<SpfObservation> {
  const top = await txtPolicy(mailDomain, ask);
  const obs: SpfObservation = { status: top.status, includes: [], direct: [], lookups: 0 };
  if (top.status !== 'NOERROR') return obs;
  if (!top.record) {
    obs.error = top.error;
    return obs;
  }
  obs.record = top.record.slice(0, MAX_RECORD);
  const visited = new Set([mailDomain]);
  const site = mailDomain;
  const walk = async (domain: string, record: string, own: boolean): Promise<void> => {
    const terms = spfTerms(record);
    // redirect= applies only when the record has no `all` (RFC 7208 6.1).
    const hasAll = terms.some((t) => t.name === 'all');
    const follow: { domain: string; mechanism: SpfInclude['mechanism'] }[] = [];
    for (const t of terms) {
      const counts = LOOKUP_TERMS.has(t.name) || (t.name === 'redirect' && !hasAll);
      if (counts) {
        if (obs.lookups >= SPF_LOOKUP_LIMIT) {
          obs.error = 'too-many-lookups';
          break;
        }
        obs.lookups++;
      }
      if (own && DIRECT_TERMS.has(t.name) && obs.direct.length < MAX_DIRECT)
        obs.direct.push(t.value ? `${t.name}${t.value.startsWith('/') ? '' : ':'}${t.value}` : t.name);
      if (t.name !== 'include' && !(t.name === 'redirect' && !hasAll)) continue;
      const target = askable(t.value);
      if (!target || visited.has(target)) continue;
      visited.add(target);
      follow.push({ domain: target, mechanism: t.name === 'include' ? 'include' : 'redirect' });
    }
    const policies = await Promise.all(follow.map((f) => txtPolicy(f.domain, ask)));
    for (const [i, f] of follow.entries()) {
      const p = policies[i]!;
      const inc: SpfInclude = { domain: f.domain, mechanism: f.mechanism, from: domain, status: p.status };
      if (p.error) inc.error = p.error;
      obs.includes.push(inc);
      // An include of the domain's own (_spf.example.com) is still its own policy.
      const ownToo = own && (f.domain === site || f.domain.endsWith(`.${site}`));
      if (p.record && obs.error !== 'too-many-lookups') await walk(f.domain, p.record, ownToo);
    }
  };
  await walk(mailDomain, top.record, true);
  return obs;
}

/** The `mailto:` domains of rua= and ruf= (RFC 7489 6.4: comma-separated URIs, `!size` suffix). */
export function dmarcReports(record: string): DmarcObservation['reports'] {
  const out = new Map<string, DmarcObservation['reports'][number]>();
  for (const part of record.split(';')) {
    const m = /^\s*(rua|ruf)\s*=\s*(.*)$/i.exec(part);
    if (!m) continue;
    const tag = m[1]!.toLowerCase() as 'rua' | 'ruf';
    for (const uri of m[2]!.split(',')) {
      const addr = /^\s*mailto:([^!\s]+)/i.exec(uri)?.[1];
      const domain = addr?.split('@')[1];
      const host = domain ? askable(domain) : undefined;
      if (host && out.size < MAX_REPORTS) out.set(`${tag} ${host}`, { tag, domain: host });
    }
  }
  return [...out.values()].sort((a, b) =>
    a.tag !== b.tag ? (a.tag < b.tag ? -1 : 1) : a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : 0,
  );
}

export async function observeDmarc(mailDomain: string, ask: Ask): Promise<DmarcObservation> {
  const answer = await ask(`_dmarc.${mailDomain}`, 'TXT', true);
  const obs: DmarcObservation = { status: answer.status, reports: [] };
  if (answer.status !== 'NOERROR') return obs;
  const record = recordsOf(answer, 'TXT')
    .map((r) => r.data)
    .find((t) => /^v=DMARC1\s*(;|$)/i.test(t));
  if (!record) return obs;
  obs.record = record.slice(0, MAX_RECORD);
  const p = /(?:^|;)\s*p\s*=\s*([a-z]+)/i.exec(record)?.[1];
  if (p) obs.policy = p.toLowerCase();
  obs.reports = dmarcReports(record);
  return obs;
}
