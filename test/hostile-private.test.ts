import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConnectTo } from '../src/collect/connect-to.js';
import { type ProbeOptions, probeWeb } from '../src/collect/probe/index.js';
import { type AddressClass, classifyAddress } from '../src/net/private.js';
import type { AuditDocument } from '../src/types.js';
import { runCli } from './helpers/cli.js';
import { type Lab, startLab } from './helpers/lab.js';

// A DNS answer is attacker-controlled: pointing a name at 10.0.0.5 or 169.254.169.254 must not
// make the audit connect there (request forgery against the auditor's own network or cloud).

describe('classifyAddress', () => {
  it.each<[string, AddressClass]>([
    ['10.0.0.5', 'private'],
    ['10.255.255.255', 'private'],
    ['11.0.0.1', 'public'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.1.1', 'private'],
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['169.254.169.254', 'metadata'],
    ['169.254.170.2', 'metadata'],
    ['169.254.1.1', 'link-local'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.255', 'cgnat'],
    ['100.128.0.1', 'public'],
    ['100.100.100.200', 'metadata'],
    ['168.63.129.16', 'metadata'],
    ['0.0.0.0', 'reserved'],
    ['0.1.2.3', 'reserved'],
    ['224.0.0.1', 'reserved'],
    ['239.255.255.250', 'reserved'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['192.0.0.8', 'reserved'],
    ['104.16.1.1', 'public'],
    ['8.8.8.8', 'public'],
    // Documentation ranges stay public: nothing answers there, and examples use them.
    ['192.0.2.10', 'public'],
    ['::1', 'loopback'],
    ['::', 'reserved'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf::1', 'link-local'],
    ['fec0::1', 'private'],
    ['ff02::1', 'reserved'],
    ['fd00:ec2::254', 'metadata'],
    ['fd00:ec2::23', 'metadata'],
    ['::ffff:10.0.0.5', 'private'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['::ffff:a9fe:a9fe', 'metadata'],
    ['::ffff:8.8.8.8', 'public'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['64:ff9b::10.0.0.5', 'private'],
    ['64:ff9b::a9fe:a9fe', 'metadata'],
    ['64:ff9b::8.8.8.8', 'public'],
    ['64:ff9b:1::1', 'private'],
    ['::10.0.0.1', 'private'],
    ['::8.8.8.8', 'reserved'],
    ['2002:0a00:0005::1', 'private'],
    ['2002:0808:0808::1', 'public'],
    ['2001::1', 'reserved'],
    ['100::1', 'reserved'],
    ['2606:4700::1', 'public'],
    ['2001:db8::1', 'public'],
    ['4000::1', 'reserved'],
    ['not an ip', 'reserved'],
    ['', 'reserved'],
    ['999.1.1.1', 'reserved'],
  ])('%s is %s', (ip, cls) => {
    expect(classifyAddress(ip)).toBe(cls);
  });
});

const lab: { current?: Lab } = {};
let opts: ProbeOptions;

const fixture = {
  zones: ['hostile.test'],
  records: [
    { name: 'ok.hostile.test', type: 'A' as const, data: '104.16.1.1' },
    { name: 'ok2.hostile.test', type: 'A' as const, data: '104.16.1.2' },
    { name: 'rfc1918.hostile.test', type: 'A' as const, data: '10.0.0.5' },
    { name: 'imds.hostile.test', type: 'A' as const, data: '169.254.169.254' },
    { name: 'imds6.hostile.test', type: 'AAAA' as const, data: 'fd00:ec2::254' },
    { name: 'mapped.hostile.test', type: 'AAAA' as const, data: '::ffff:192.168.0.1' },
    { name: 'cgnat.hostile.test', type: 'A' as const, data: '100.64.1.1' },
    { name: 'self.hostile.test', type: 'A' as const, data: '127.0.0.1' },
    // A CNAME to a cloud's metadata name, as a hostile zone would write it.
    { name: 'gcp.hostile.test', type: 'CNAME' as const, data: 'metadata.google.internal.hostile.test' },
    { name: 'metadata.google.internal.hostile.test', type: 'A' as const, data: '169.254.169.254' },
  ],
  sites: {
    'ok.hostile.test': { headers: { 'cf-ray': '1-FRA' } },
    'ok2.hostile.test': { headers: { 'cf-ray': '2-FRA' } },
    'self.hostile.test': {},
    'hop.hostile.test': { redirect: 'https://10.0.0.5/admin' },
    'hop6.hostile.test': { redirect: 'http://[fd00:ec2::254]/latest/meta-data/' },
    'hoploop.hostile.test': { redirect: (p: string) => (p === '/' ? '/next' : undefined) },
  },
};

beforeAll(async () => {
  lab.current = await startLab(fixture);
  const web = lab.current.web;
  opts = {
    timeoutMs: 3000,
    connectTo: [parseConnectTo(`ok.hostile.test:443:127.0.0.1:${web.httpsPort}`)],
    ca: [web.rootCaPem],
    loopbackOnly: true,
  };
});
afterAll(() => lab.current?.close());

describe('probe: private addresses from DNS', () => {
  it.each([
    ['10.0.0.5', 'private-network'],
    ['169.254.169.254', 'cloud-metadata'],
    ['fd00:ec2::254', 'cloud-metadata'],
    ['::ffff:192.168.0.1', 'private-network'],
    ['100.64.1.1', 'CGNAT'],
    ['127.0.0.1', 'loopback'],
  ])('%s is not probed (%s)', async (ip, range) => {
    const before = { ...lab.current!.web.connections };
    const { tls, http } = await probeWeb('x.hostile.test', ip, opts);
    expect(tls).toMatchObject({ status: 'PRIVATE_ADDRESS', error: { code: 'PRIVATE_ADDRESS' } });
    expect(http).toMatchObject({
      status: 'PRIVATE_ADDRESS',
      scheme: 'http',
      error: { code: 'PRIVATE_ADDRESS' },
    });
    expect(http.error!.message).toContain(ip);
    expect(http.error!.message).toContain(range);
    expect(lab.current!.web.connections).toEqual(before);
  });

  it('allowPrivate opts in: the probe connects to the address DNS gave', async () => {
    // 127.0.0.1:443 and :80 are loopback, within the lab's network rule; most likely refused.
    const web = lab.current!.web;
    const denied = await probeWeb('self.hostile.test', '127.0.0.1', { ...opts, connectTo: [] });
    expect(denied.http.status).toBe('PRIVATE_ADDRESS');
    const { tls, http } = await probeWeb('self.hostile.test', '127.0.0.1', {
      ...opts,
      connectTo: [],
      allowPrivate: true,
    });
    expect(tls?.status).not.toBe('PRIVATE_ADDRESS');
    expect(http.status).not.toBe('PRIVATE_ADDRESS');
    expect(['127.0.0.1:443', '127.0.0.1:80']).toContain(http.connectedTo);
    // A rule that keeps the host (port only) does not name a target: the DNS address is still checked.
    const keepHost = [parseConnectTo(`self.hostile.test:443::${web.httpsPort}`)];
    const stillDenied = await probeWeb('self.hostile.test', '127.0.0.1', { ...opts, connectTo: keepHost });
    expect(stillDenied.http.status).toBe('PRIVATE_ADDRESS');
    const viaRule = await probeWeb('self.hostile.test', '127.0.0.1', {
      ...opts,
      connectTo: keepHost,
      allowPrivate: true,
    });
    expect(viaRule.tls?.status).toBe('OK');
    expect(viaRule.http).toMatchObject({ status: 'OK', httpStatus: 200 });
  });

  it('a --connect-to rule naming the target is an explicit override', async () => {
    const { http } = await probeWeb('ok.hostile.test', '10.0.0.5', opts);
    expect(http).toMatchObject({ status: 'OK', httpStatus: 200 });
  });

  it('allowPrivate still leaves the loopbackOnly safety net in place', async () => {
    const { http } = await probeWeb('x.hostile.test', '10.0.0.5', { ...opts, allowPrivate: true });
    expect(http).toMatchObject({ status: 'ERROR', error: { code: 'BLOCKED' } });
  });

  it.each([
    ['hop.hostile.test', 'https://10.0.0.5/admin'],
    ['hop6.hostile.test', 'http://[fd00:ec2::254]/latest/meta-data/'],
  ])('%s: a redirect to a private IP literal is recorded, not followed', async (host, location) => {
    const web = lab.current!.web;
    const rules = [parseConnectTo(`${host}:443:127.0.0.1:${web.httpsPort}`)];
    const requests = web.requests;
    const { http } = await probeWeb(host, '104.16.1.9', { ...opts, connectTo: rules, followCrossHost: true });
    expect(http).toMatchObject({ status: 'OK', httpStatus: 302, redirects: [{ status: 302, location }] });
    expect(web.requests).toBe(requests + 1);
  });

  it('a same-host redirect is still followed', async () => {
    const web = lab.current!.web;
    const rules = [parseConnectTo(`hoploop.hostile.test:443:127.0.0.1:${web.httpsPort}`)];
    const { http } = await probeWeb('hoploop.hostile.test', '104.16.1.9', { ...opts, connectTo: rules });
    expect(http.redirects).toHaveLength(1);
    expect(web.hits('hoploop.hostile.test')).toBe(2);
  });
});

describe('CLI: private addresses from DNS are reported, not probed', () => {
  const PRIVATE = [
    ['rfc1918.hostile.test', '10.0.0.5'],
    ['imds.hostile.test', '169.254.169.254'],
    ['imds6.hostile.test', 'fd00:ec2::254'],
    // The wire form comes back in hex; still judged by the IPv4 address it carries.
    ['mapped.hostile.test', '::ffff:c0a8:1'],
    ['cgnat.hostile.test', '100.64.1.1'],
    ['self.hostile.test', '127.0.0.1'],
    ['gcp.hostile.test', '169.254.169.254'],
  ];
  let doc: AuditDocument;
  let before: { https: number; http: number };

  beforeAll(async () => {
    const l = lab.current!;
    before = { ...l.web.connections };
    // Not the lab's catch-all rules: those would be explicit overrides for every host.
    const rules = ['ok.hostile.test', 'ok2.hostile.test'].flatMap((h) => [
      '--connect-to',
      `${h}:443:127.0.0.1:${l.web.httpsPort}`,
    ]);
    const domains = ['ok.hostile.test', ...PRIVATE.map(([d]) => d!), 'ok2.hostile.test'];
    const run = await runCli(
      [
        'audit',
        '-',
        '--format',
        'json',
        '--timeout',
        '2000',
        '--resolver',
        l.resolver,
        ...rules,
        '--ca-file',
        l.caFile,
      ],
      { stdin: domains.join('\n') },
    );
    expect(run.code, run.stderr).toBe(0);
    doc = JSON.parse(run.stdout);
  });

  const get = (name: string) => doc.domains.find((d) => d.domain === name)!;

  it.each(PRIVATE)('%s (%s) ends in PRIVATE_ADDRESS with the address', (name, ip) => {
    const d = get(name!);
    expect(d.error?.code).toBe('PRIVATE_ADDRESS');
    expect(d.error?.message).toContain(ip);
    expect(d.observations.http?.status).toBe('PRIVATE_ADDRESS');
    expect(d.observations.dns.status).toBe('NOERROR');
  });

  it('no connection reached the lab for them; the healthy domains were probed', () => {
    const l = lab.current!;
    // One TLS connection per healthy domain, nothing else.
    expect(l.web.connections.https - before.https).toBe(2);
    expect(l.web.connections.http - before.http).toBe(0);
    for (const name of ['ok.hostile.test', 'ok2.hostile.test']) {
      const d = get(name);
      expect(d.error).toBeUndefined();
      expect(d.observations.http).toMatchObject({ status: 'OK', httpStatus: 200 });
      expect(d.dependencies.some((x) => x.layer === 'cdn' && x.provider === 'cloudflare')).toBe(true);
    }
  });
});
