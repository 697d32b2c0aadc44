import dnsPacket from 'dns-packet';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DnsClient } from '../src/collect/dns/client.js';
import { DEADLINE_QUERIES, observeDns } from '../src/collect/dns/observe.js';
import { MAX_RECORDS_PER_SECTION, parseResponse } from '../src/collect/dns/packet.js';
import { FrameReader } from '../src/collect/dns/tcp.js';
import type { AuditDocument } from '../src/types.js';
import { runCli } from './helpers/cli.js';
import { type DnsFault, type LabRecord, startDnsServer } from './helpers/dns-server.js';
import { type Lab, type LabFixture, startLab } from './helpers/lab.js';

// Hostile and broken DNS through the real CLI: each failure mode is one domain of the same run,
// ends in its own status, and leaves the others whole. Then each DNS bound at and past its value.

const Z = 'dnsfault.test';
const chain = (prefix: string, hops: number, ip = '104.16.2.1'): LabRecord[] => [
  ...Array.from({ length: hops }, (_, i) => ({
    name: `${prefix}${i}.${Z}`,
    type: 'CNAME' as const,
    data: `${prefix}${i + 1}.${Z}`,
  })),
  { name: `${prefix}${hops}.${Z}`, type: 'A', data: ip },
];
const many = (name: string, n: number): LabRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    name,
    type: 'A' as const,
    data: `104.${16 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`,
  }));
const hosts = (zone: string, type: 'NS' | 'MX', n: number): LabRecord[] =>
  Array.from({ length: n }, (_, i) => [
    { name: zone, type, data: `h${String(i).padStart(2, '0')}.${zone}`, priority: 10 + i },
    { name: `h${String(i).padStart(2, '0')}.${zone}`, type: 'A' as const, data: `104.18.0.${i + 1}` },
  ]).flat();

// Slow hops for the per-domain deadline: every name answers after SLOW_MS with one CNAME only.
const TIMEOUT_MS = 500;
const SLOW_MS = 300;
const slow = (prefix: string, hops: number): Record<string, DnsFault> =>
  Object.fromEntries(
    Array.from({ length: hops + 1 }, (_, i) => [
      `${prefix}${i}.${Z}`,
      { delayMs: SLOW_MS, fault: 'cname-only' as const },
    ]),
  );

const FAULTS: Record<string, DnsFault> = {
  [`spoof-name.${Z}`]: 'wrong-name',
  [`spoof-type.${Z}`]: 'wrong-type',
  [`spoof-id.${Z}`]: 'wrong-id',
  [`spoof-source.${Z}`]: 'wrong-source',
  [`ptrloop.${Z}`]: 'pointer-loop',
  [`cut.${Z}`]: 'cut',
  [`garbage.${Z}`]: 'garbage',
  [`stall.${Z}`]: 'tcp-stall',
  ...slow('slow', 7),
  ...slow('quick', 1),
};

const fixture: LabFixture = {
  zones: [Z, 'ns8.test', 'ns9.test', 'mx8.test', 'mx9.test'],
  records: [
    { name: `ok.${Z}`, type: 'A', data: '104.16.1.1' },
    { name: `ok2.${Z}`, type: 'A', data: '104.16.1.2' },
    ...Object.keys(FAULTS)
      .filter((n) => !n.includes('slow') && !n.includes('quick'))
      .map((name) => ({ name, type: 'A' as const, data: '104.16.9.9' })),
    ...chain('hop8-', 8),
    ...chain('hop9-', 9),
    ...chain('slow', 7),
    ...chain('quick', 1),
    ...many(`rr64.${Z}`, 64),
    ...many(`rr65.${Z}`, 65),
    // ~54 KB (dns-packet does not compress names): over UDP only TC=1 fits; over TCP the whole answer, of which 64 records are used.
    ...many(`rr1500.${Z}`, 1500),
    ...hosts('ns8.test', 'NS', 8),
    ...hosts('ns9.test', 'NS', 9),
    ...hosts('mx8.test', 'MX', 8),
    ...hosts('mx9.test', 'MX', 9),
    { name: 'www.ns8.test', type: 'A', data: '104.16.3.1' },
    { name: 'www.ns9.test', type: 'A', data: '104.16.3.2' },
    { name: 'www.mx8.test', type: 'A', data: '104.16.3.3' },
    { name: 'www.mx9.test', type: 'A', data: '104.16.3.4' },
  ],
  faults: FAULTS,
  sites: {},
};

const EXPECTED_STATUS: [string, string][] = [
  [`spoof-name.${Z}`, 'TIMEOUT'],
  [`spoof-type.${Z}`, 'TIMEOUT'],
  [`spoof-id.${Z}`, 'TIMEOUT'],
  [`spoof-source.${Z}`, 'TIMEOUT'],
  [`ptrloop.${Z}`, 'TIMEOUT'],
  [`cut.${Z}`, 'TIMEOUT'],
  [`garbage.${Z}`, 'TIMEOUT'],
  [`stall.${Z}`, 'TRUNCATED'],
  [`hop9-0.${Z}`, 'CNAME_TOO_LONG'],
  [`slow0.${Z}`, 'TIMEOUT'],
];
const HEALTHY = [`ok.${Z}`, `ok2.${Z}`];
const BOUNDED = [
  `hop8-0.${Z}`,
  `rr64.${Z}`,
  `rr65.${Z}`,
  `rr1500.${Z}`,
  'www.ns8.test',
  'www.ns9.test',
  'www.mx8.test',
  'www.mx9.test',
  `quick0.${Z}`,
];

let lab: Lab;
let doc: AuditDocument;
let elapsed: number;

beforeAll(async () => {
  lab = await startLab(fixture);
  const domains = [HEALTHY[0]!, ...EXPECTED_STATUS.map(([d]) => d), ...BOUNDED, HEALTHY[1]!];
  const started = Date.now();
  const run = await runCli(
    ['audit', '-', '--format', 'json', '--no-http', '--timeout', String(TIMEOUT_MS), '--retries', '0'].concat(
      ['--resolver', lab.resolver],
    ),
    { stdin: domains.join('\n') },
  );
  elapsed = Date.now() - started;
  expect(run.code, run.stderr).toBe(0);
  doc = JSON.parse(run.stdout);
});
afterAll(() => lab?.close());

const get = (name: string) => {
  const d = doc.domains.find((x) => x.domain === name);
  if (!d) throw new Error(`${name} missing from the output`);
  return d;
};

describe('hostile DNS through the CLI: one fault per domain, the rest unharmed', () => {
  it('every input domain is in the output', () => {
    expect(doc.domains).toHaveLength(HEALTHY.length + EXPECTED_STATUS.length + BOUNDED.length);
  });

  it.each(EXPECTED_STATUS)('%s ends in %s', (name, status) => {
    expect(get(name).observations.dns.status).toBe(status);
    expect(get(name).error?.code).toBe(status);
  });

  it('the healthy domains around the faults are complete', () => {
    for (const name of HEALTHY) {
      const d = get(name);
      expect(d.error).toBeUndefined();
      expect(d.observations.dns.addresses).toHaveLength(1);
    }
  });

  it('the run is bounded by the per-domain deadline, not by the sum of slow answers', () => {
    // 8 sequential answers of 300 ms would take 2.4 s; the deadline is 4 x 500 ms.
    expect(elapsed).toBeLessThan(DEADLINE_QUERIES * TIMEOUT_MS + 4000);
  });
});

describe('DNS bounds at and past their value, through the CLI', () => {
  it('CNAME hops: 8 followed, 9 is CNAME_TOO_LONG', () => {
    const at = get(`hop8-0.${Z}`).observations.dns;
    expect(at.status).toBe('NOERROR');
    expect(at.cnames).toHaveLength(8);
    expect(get(`hop9-0.${Z}`).observations.dns.cnames).toHaveLength(8);
  });

  it(`records used per answer: ${MAX_RECORDS_PER_SECTION}`, () => {
    expect(get(`rr64.${Z}`).observations.dns.addresses).toHaveLength(64);
    expect(get(`rr65.${Z}`).observations.dns.addresses).toHaveLength(64);
    expect(get(`rr65.${Z}`).error).toBeUndefined();
  });

  it('an answer too large for UDP comes over TCP, and is still capped at 64 records', () => {
    const d = get(`rr1500.${Z}`);
    expect(d.error).toBeUndefined();
    expect(d.observations.dns.addresses).toHaveLength(64);
    expect(lab.dns.tcpQueries).toBeGreaterThan(0);
  });

  it('name servers per zone: 8 kept, the 9th dropped', () => {
    expect(get('www.ns8.test').observations.dns.ns.hosts).toHaveLength(8);
    const nine = get('www.ns9.test').observations.dns.ns;
    expect(nine.hosts.map((h) => h.host)).toEqual(
      Array.from({ length: 8 }, (_, i) => `h${String(i).padStart(2, '0')}.ns9.test`),
    );
  });

  it('MX hosts: 8 kept, the lowest-priority 9th dropped', () => {
    expect(get('www.mx8.test').observations.dns.mx.hosts).toHaveLength(8);
    const nine = get('www.mx9.test').observations.dns.mx.hosts;
    expect(nine).toHaveLength(8);
    expect(nine.map((h) => h.host)).not.toContain('h08.mx9.test');
  });

  it('per-domain deadline: a slow chain inside it completes, one past it is TIMEOUT', () => {
    const quick = get(`quick0.${Z}`).observations.dns;
    expect(quick.status).toBe('NOERROR');
    expect(quick.cnames).toEqual([`quick1.${Z}`]);
    const slowDns = get(`slow0.${Z}`).observations.dns;
    expect(slowDns.status).toBe('TIMEOUT');
    // It got some way down the chain before the deadline stopped it.
    expect(slowDns.cnames.length).toBeGreaterThan(2);
    expect(slowDns.cnames.length).toBeLessThan(7);
  });
});

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f()));
});

async function direct(faults: Record<string, DnsFault>, records: LabRecord[], timeoutMs = 1000) {
  const server = await startDnsServer({ zones: ['d.test'], records, faults });
  const client = new DnsClient({
    resolvers: [{ host: server.host, port: server.port }],
    timeoutMs,
    retries: 0,
    loopbackOnly: true,
  });
  cleanup.push(
    () => client.close(),
    () => server.close(),
  );
  return { server, client };
}

describe('DNS bounds at and past their value, in the library', () => {
  it('per-domain deadline: an observation needing 2 x 150 ms passes at 400 ms, is TIMEOUT at 100 ms', async () => {
    const slowName = { delayMs: 150 };
    const { client } = await direct({ 'w1.d.test': slowName, 'w2.d.test': slowName }, [
      { name: 'w1.d.test', type: 'A', data: '104.16.0.1' },
      { name: 'w2.d.test', type: 'A', data: '104.16.0.2' },
    ]);
    const at = await observeDns('w1.d.test', client, { deadlineMs: 400 });
    expect(at.status).toBe('NOERROR');
    const started = performance.now();
    const past = await observeDns('w2.d.test', client, { deadlineMs: 100 });
    expect(past.status).toBe('TIMEOUT');
    expect(past.ns.status).toBe('TIMEOUT');
    expect(performance.now() - started).toBeLessThan(140);
  });

  it(`the default deadline is ${DEADLINE_QUERIES} query budgets (timeout x attempts)`, async () => {
    const hop = { delayMs: 200, fault: 'cname-only' as const };
    const names = (p: string, n: number) => Array.from({ length: n + 1 }, (_, i) => `${p}${i}.d.test`);
    const faults = Object.fromEntries([...names('long', 8), ...names('short', 1)].map((n) => [n, hop]));
    const records: LabRecord[] = [];
    for (const [p, n] of [
      ['long', 8],
      ['short', 1],
    ] as const) {
      const all = names(p, n);
      for (const [i, name] of all.slice(0, -1).entries())
        records.push({ name, type: 'CNAME', data: all[i + 1]! });
      records.push({ name: all.at(-1)!, type: 'A', data: '104.16.0.3' });
    }
    const { client } = await direct(faults, records, 300);
    expect(client.queryBudgetMs()).toBe(300);
    // 1200 ms: three sequential answers (600 ms) fit, ten (2000 ms) do not.
    const [short, long] = await Promise.all([
      observeDns('short0.d.test', client),
      observeDns('long0.d.test', client),
    ]);
    expect(short.status).toBe('NOERROR');
    expect(long.status).toBe('TIMEOUT');
  });

  it('a compression pointer loop is dropped, not followed', () => {
    const q = { type: 'A' as const, name: 'loop.d.test' };
    const head = dnsPacket.encode({ type: 'response', id: 7, flags: 0, questions: [q] });
    head.writeUInt16BE(1, 6);
    const rr = Buffer.alloc(16);
    rr.writeUInt16BE(0xc000 | head.length, 0);
    rr.writeUInt16BE(1, 2);
    rr.writeUInt16BE(1, 4);
    rr.writeUInt16BE(4, 10);
    expect(parseResponse(Buffer.concat([head, rr]), { id: 7, name: 'loop.d.test', type: 'A' })).toBeNull();
    // A forward pointer (to bytes not yet read) is refused the same way.
    rr.writeUInt16BE(0xc000 | (head.length + 20), 0);
    expect(parseResponse(Buffer.concat([head, rr]), { id: 7, name: 'loop.d.test', type: 'A' })).toBeNull();
  });

  it('TCP frames: 65535 bytes (the 2-byte prefix maximum) reassemble; a short frame never completes', () => {
    // The first message a chunk completes, or null.
    const push = (r: FrameReader, chunk: Buffer) => r.feed(chunk)[0] ?? null;
    const reader = new FrameReader();
    const body = Buffer.alloc(65535, 1);
    expect(push(reader, Buffer.from([0xff, 0xff]))).toBeNull();
    expect(push(reader, body.subarray(0, 40000))).toBeNull();
    expect(push(reader, body.subarray(40000))?.length).toBe(65535);
    const short = new FrameReader();
    expect(push(short, Buffer.from([0xff, 0xff, 1, 2, 3]))).toBeNull();
  });

  it('a TCP answer that announces 65535 bytes and stalls ends in TRUNCATED after the timeout', async () => {
    const { client } = await direct({ 'stall.d.test': 'tcp-stall' }, [], 300);
    const started = performance.now();
    const a = await client.query('stall.d.test', 'A');
    expect(a.status).toBe('TRUNCATED');
    expect(performance.now() - started).toBeLessThan(1500);
  });

  // A reply from the wrong source never even reaches the client: its socket is connected to the
  // resolver, so the kernel delivers nothing from another address or port (nothing to count).
  it.each<[DnsFault, string, number]>([
    ['wrong-name', 'name', 1],
    ['wrong-type', 'type', 1],
    ['wrong-id', 'id', 1],
    ['wrong-source', 'source address', 0],
  ])(
    'a reply with the wrong %s is dropped (%s), not believed, counted when it arrives (%i)',
    async (fault, _what, dropped) => {
      const { client } = await direct(
        { 'x.d.test': fault },
        [{ name: 'x.d.test', type: 'A', data: '104.16.0.1' }],
        200,
      );
      const a = await client.query('x.d.test', 'A');
      expect(a.status).toBe('TIMEOUT');
      expect(a.answers).toEqual([]);
      expect(client.stats().dropped).toBe(dropped);
    },
  );
});
