import { afterEach, describe, expect, it } from 'vitest';
import { DnsClient } from '../src/collect/dns/client.js';
import type { Ask } from '../src/collect/dns/hosts.js';
import { dmarcReports, observeSpf, spfTerms } from '../src/collect/dns/mail-policy.js';
import { observeDns } from '../src/collect/dns/observe.js';
import type { DnsAnswer } from '../src/types.js';
import { type LabDnsData, type LabRecord, startDnsServer } from './helpers/dns-server.js';

// Outbound mail as the mail domain's DNS states it: the SPF policy walked through include: and
// redirect= up to RFC 7208's limit of 10 lookups, and the DMARC report addresses.

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f()));
});

const txt = (name: string, data: string): LabRecord => ({ name, type: 'TXT', data });
// A chain of 12 includes: only the first 10 lookups are followed.
const longChain: LabRecord[] = Array.from({ length: 12 }, (_, i) =>
  txt(i === 0 ? 'many.test' : `s${i}.many.test`, `v=spf1 include:s${i + 1}.many.test -all`),
);

const DATA: LabDnsData = {
  zones: [
    'corp.test',
    'redir.test',
    'many.test',
    'twice.test',
    'loop.test',
    'google.com',
    'sendgrid.net',
    'mailgun.org',
  ],
  records: [
    { name: 'corp.test', type: 'A', data: '192.0.2.1' },
    { name: 'www.corp.test', type: 'A', data: '192.0.2.2' },
    { name: 'corp.test', type: 'MX', data: 'aspmx.l.google.com', priority: 1 },
    txt('corp.test', 'google-site-verification=abc'),
    txt('corp.test', 'v=spf1 include:_spf.corp.test include:sendgrid.net ip4:192.0.2.0/24 mx -all'),
    txt('_spf.corp.test', 'v=spf1 include:_spf.google.com ~all'),
    txt('_spf.google.com', 'v=spf1 include:_netblocks.google.com ~all'),
    txt('_netblocks.google.com', 'v=spf1 ip4:35.190.247.0/24 ~all'),
    txt('sendgrid.net', 'v=spf1 ip4:167.89.0.0/17 ~all'),
    txt(
      '_dmarc.corp.test',
      'v=DMARC1; p=reject; rua=mailto:a@rua.agari.com,mailto:b@corp.test!10m; ruf=mailto:f@ag.dmarcian.com',
    ),
    txt('redir.test', 'v=spf1 redirect=mailgun.org'),
    txt('mailgun.org', 'v=spf1 include:_spf.mailgun.org ~all'),
    txt('twice.test', 'v=spf1 include:sendgrid.net -all'),
    txt('twice.test', 'v=spf1 include:mailgun.org -all'),
    txt('loop.test', 'v=spf1 include:loop.test -all redirect=mailgun.org'),
    ...longChain,
  ],
};

async function lab() {
  const server = await startDnsServer(DATA);
  const client = new DnsClient({
    resolvers: [{ host: server.host, port: server.port }],
    timeoutMs: 1000,
    retries: 0,
    loopbackOnly: true,
  });
  cleanup.push(
    () => client.close(),
    () => server.close(),
  );
  return { server, client };
}

describe('SPF: what the mail domain authorises to send', () => {
  it('follows include: chains in evaluation order and keeps its own direct mechanisms', async () => {
    const { client } = await lab();
    const obs = await observeDns('www.corp.test', client);
    expect(obs.spf).toEqual({
      status: 'NOERROR',
      record: 'v=spf1 include:_spf.corp.test include:sendgrid.net ip4:192.0.2.0/24 mx -all',
      includes: [
        { domain: '_spf.corp.test', mechanism: 'include', from: 'corp.test', status: 'NOERROR' },
        { domain: '_spf.google.com', mechanism: 'include', from: '_spf.corp.test', status: 'NOERROR' },
        { domain: '_netblocks.google.com', mechanism: 'include', from: '_spf.google.com', status: 'NOERROR' },
        { domain: 'sendgrid.net', mechanism: 'include', from: 'corp.test', status: 'NOERROR' },
      ],
      direct: ['ip4:192.0.2.0/24', 'mx'],
      lookups: 5,
    });
  });

  it('follows redirect= and ignores it when the record ends in all', async () => {
    const { client } = await lab();
    const redir = await observeDns('redir.test', client);
    expect(redir.spf?.includes.map((i) => [i.domain, i.mechanism])).toEqual([
      ['mailgun.org', 'redirect'],
      ['_spf.mailgun.org', 'include'],
    ]);
    expect(redir.spf?.includes[1]).toMatchObject({ status: 'NXDOMAIN' });
    const loop = await observeDns('loop.test', client);
    // The self-include is not asked again; redirect= is void beside -all.
    expect(loop.spf?.includes).toEqual([]);
    expect(loop.spf?.lookups).toBe(1);
  });

  it('stops at 10 DNS-querying terms and says the policy is past the limit', async () => {
    const { server, client } = await lab();
    const obs = await observeDns('many.test', client);
    expect(obs.spf?.lookups).toBe(10);
    expect(obs.spf?.error).toBe('too-many-lookups');
    expect(obs.spf?.includes.map((i) => i.domain)).toEqual(
      Array.from({ length: 10 }, (_, i) => `s${i + 1}.many.test`),
    );
    expect(server.count('s11.many.test', 'TXT')).toBe(0);
  });

  it('uses no policy when the domain publishes two', async () => {
    const { client } = await lab();
    const obs = await observeDns('twice.test', client);
    expect(obs.spf).toEqual({
      status: 'NOERROR',
      includes: [],
      direct: [],
      lookups: 0,
      error: 'multiple-policies',
    });
  });

  it('asks each TXT once per run, whatever the number of names under one mail domain', async () => {
    const { server, client } = await lab();
    await Promise.all(['corp.test', 'www.corp.test'].map((d) => observeDns(d, client)));
    await observeDns('twice.test', client);
    expect(server.count('corp.test', 'TXT')).toBe(1);
    expect(server.count('_dmarc.corp.test', 'TXT')).toBe(1);
    expect(server.count('sendgrid.net', 'TXT')).toBe(1);
  });

  it('parses terms with qualifiers, prefixes and modifiers', () => {
    expect(
      spfTerms('v=spf1 +a/24 ~mx:mail.x.test -ip6:2001:db8::/32 ?include:_spf.x.test exp=e.x.test ~all'),
    ).toEqual([
      { name: 'a', value: '/24' },
      { name: 'mx', value: 'mail.x.test' },
      { name: 'ip6', value: '2001:db8::/32' },
      { name: 'include', value: '_spf.x.test' },
      { name: 'exp', value: 'e.x.test' },
      { name: 'all', value: '' },
    ]);
  });
});

describe('DMARC report addresses', () => {
  it('reads the rua and ruf mailto domains', async () => {
    const { client } = await lab();
    const obs = await observeDns('corp.test', client);
    expect(obs.dmarc).toEqual({
      status: 'NOERROR',
      record:
        'v=DMARC1; p=reject; rua=mailto:a@rua.agari.com,mailto:b@corp.test!10m; ruf=mailto:f@ag.dmarcian.com',
      policy: 'reject',
      reports: [
        { tag: 'rua', domain: 'corp.test' },
        { tag: 'rua', domain: 'rua.agari.com' },
        { tag: 'ruf', domain: 'ag.dmarcian.com' },
      ],
    });
  });

  it('skips URIs that are not mailto and addresses without a domain', () => {
    expect(
      dmarcReports('v=DMARC1; p=none; rua=https://x.test/r, mailto:nobody, mailto:R@Vali.Email'),
    ).toEqual([{ tag: 'rua', domain: 'vali.email' }]);
  });
});

describe('bounds of what is kept', () => {
  const answerWith =
    (text: string): Ask =>
    async (name, type) =>
      ({
        name,
        type,
        status: 'NOERROR',
        answers: [{ name, type: 'TXT', ttl: 60, data: text }],
        authority: [],
        resolver: '127.0.0.1:53',
        transport: 'udp',
        durationMs: 1,
      }) as DnsAnswer;

  it('keeps 1024 characters of the record and 32 own mechanisms', async () => {
    const ranges = Array.from({ length: 40 }, (_, i) => `ip4:198.51.100.${i}`).join(' ');
    const record = `v=spf1 ${ranges} ${'a:'.padEnd(900, 'x')}.example.com -all`;
    const obs = await observeSpf('example.com', answerWith(record));
    expect(obs.record).toHaveLength(1024);
    expect(obs.direct).toHaveLength(32);
    expect(obs.direct[0]).toBe('ip4:198.51.100.0');
  });

  it('keeps 8 DMARC report addresses', () => {
    const rua = Array.from({ length: 12 }, (_, i) => `mailto:r@r${i}.example.net`).join(',');
    expect(dmarcReports(`v=DMARC1; p=none; rua=${rua}`)).toHaveLength(8);
  });
});
