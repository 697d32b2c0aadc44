// singlepath and Zonemaster side by side on the DNS situations of docs/dns-checks.md: the world of
// test/helpers/dns-situations.ts (NSD, Knot, BIND and Unbound in a network namespace with no route
// out) is started once, singlepath audits www.<zone> of every situation, `zonemaster-cli` tests every
// zone with --hints at the world's root, and each tool is judged on what the situation is about.
// Prints a Markdown table and writes it, with the method, to docs/zonemaster-comparison.md.
//
//   npm run build && npm run compare:zonemaster        (root, Linux; ZONEMASTER_JOBS=4 by default)
//
// Every program runs inside the namespace (world.cli, world.run): the host sends nothing.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SITUATIONS, WORLD, worldAudit } from '../test/helpers/dns-situations.js';
import { BIN, startWorld, type World } from '../test/helpers/dns-world.js';

const REPO = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const DOC = join(REPO, 'docs', 'zonemaster-comparison.md');
const ZONEMASTER = '/usr/bin/zonemaster-cli';
const JOBS = Math.max(1, Number(process.env.ZONEMASTER_JOBS) || 4);

// ---- Zonemaster's messages and what counts

const LEVELS = ['DEBUG3', 'DEBUG2', 'DEBUG', 'INFO', 'NOTICE', 'WARNING', 'ERROR', 'CRITICAL'] as const;
const rank = (level: string): number => LEVELS.indexOf(level as (typeof LEVELS)[number]);
const WARNING = rank('WARNING');
const NOTICE = rank('NOTICE');

interface ZmMessage {
  level: string;
  module: string;
  tag: string;
  testcase: string;
  args?: Record<string, unknown>;
}

/**
 * Tags that are artefacts of the lab, not of the situation: ignored everywhere (shown as a count).
 * Levels and test cases as in Zonemaster-Engine 4.6.2's default profile (`zonemaster-cli --dump-profile`).
 */
export const IGNORED: { tags: string[]; where: string; why: string }[] = [
  {
    tags: ['(module DNSSEC)', 'NOT_SIGNED', 'NEITHER_DNSKEY_NOR_DS'],
    where: 'DNSSEC01–18',
    why: 'the lab zones are unsigned by design (no DS in the lab root or TLDs)',
  },
  {
    tags: ['NAMESERVER_IP_WITHOUT_REVERSE', 'NAMESERVER_IP_PTR_MISMATCH', 'NO_RESPONSE_PTR_QUERY'],
    where: 'ADDRESS02, ADDRESS03',
    why: 'the lab root has no in-addr.arpa, so no address has a PTR',
  },
  {
    tags: ['NAMESERVER_IP_PRIVATE_NETWORK'],
    where: 'ADDRESS01',
    why: "the lab's self-hosted servers sit on the documentation prefixes 192.0.2.0/24 and 198.51.100.0/24 (RFC 5737)",
  },
  {
    tags: ['NO_IPV6_NS_CHILD', 'NO_IPV6_NS_DEL'],
    where: 'DELEGATION01',
    why: 'the lab is IPv4-only and Zonemaster runs with --no-ipv6',
  },
  {
    tags: [
      'REFRESH_MINIMUM_VALUE_LOWER',
      'RETRY_MINIMUM_VALUE_LOWER',
      'EXPIRE_MINIMUM_VALUE_LOWER',
      'SOA_DEFAULT_TTL_MAXIMUM_VALUE_LOWER',
    ],
    where: 'ZONE02, ZONE04, ZONE05, ZONE06',
    why: "the lab's SOA timers are short on purpose (3600 600 86400 60)",
  },
  { tags: ['Z09_MISSING_MAIL_TARGET'], where: 'ZONE09', why: 'the lab zones have no MX' },
  {
    tags: ['RNAME_MAIL_DOMAIN_INVALID'],
    where: 'SYNTAX06',
    why: 'the SOA RNAME hostmaster@<zone> has no mail server in the lab',
  },
  {
    tags: ['ERROR_ASN_DATABASE', 'EMPTY_ASN_SET', 'CN04_ERROR_PREFIX_DATABASE', 'CN04_EMPTY_PREFIX_SET'],
    where: 'CONNECTIVITY03 (CONNECTIVITY04)',
    why: 'the ASN database (asnlookup.zonemaster.net, asn.cymru.com) does not exist under the lab root',
  },
];
const IGNORED_TAGS = new Set(IGNORED.flatMap((i) => i.tags));
const ignored = (m: ZmMessage): boolean => m.module === 'DNSSEC' || IGNORED_TAGS.has(m.tag);

// Tags grounded in the test case specifications (zonemaster/zonemaster docs/public/specifications/tests)
// and the engine that runs here (/usr/share/perl5/Zonemaster/Engine/Test/*.pm, Zonemaster-Engine 4.6.2).
const LAME = [
  'IS_NOT_AUTHORITATIVE', // DELEGATION04
  'NS_FAILED', // BASIC02
  'CHILD_ZONE_LAME', // CONSISTENCY05
  ...['NO_RESPONSE', 'NO_RESPONSE_SOA_QUERY', 'NO_RESPONSE_NS_QUERY'].flatMap((t) => [
    `CN01_${t}_UDP`,
    `CN02_${t}_TCP`,
  ]),
  ...[
    'SOA_RECORD_NOT_AA',
    'NS_RECORD_NOT_AA',
    'UNEXPECTED_RCODE_SOA_QUERY',
    'UNEXPECTED_RCODE_NS_QUERY',
  ].flatMap((t) => [`CN01_${t}_UDP`, `CN02_${t}_TCP`]), // CONNECTIVITY01/02
  'NAMESERVER_NO_UDP_53',
  'NAMESERVER_NO_TCP_53', // CONNECTIVITY01/02 (older engines)
];
const MISMATCH = [
  'EXTRA_NAME_PARENT',
  'EXTRA_NAME_CHILD',
  'TOTAL_NAME_MISMATCH', // DELEGATION07
  'IN_BAILIWICK_ADDR_MISMATCH',
  'OUT_OF_BAILIWICK_ADDR_MISMATCH',
  'EXTRA_ADDRESS_CHILD', // CONSISTENCY05
];
const UNRESOLVABLE = [
  'CAN_NOT_BE_RESOLVED',
  'NO_RESOLUTION', // NAMESERVER06
  'FAKE_DELEGATION_NO_IP',
  'FAKE_DELEGATION_IN_ZONE_NO_IP',
];
const INCONSISTENT = [
  'MULTIPLE_SOA_SERIALS',
  'SOA_SERIAL_VARIATION', // CONSISTENCY01
  'MULTIPLE_SOA_RNAMES', // CONSISTENCY02
  'MULTIPLE_SOA_TIME_PARAMETER_SET', // CONSISTENCY03
  'MULTIPLE_NS_SET', // CONSISTENCY04
  'IN_BAILIWICK_ADDR_MISMATCH',
  'OUT_OF_BAILIWICK_ADDR_MISMATCH', // CONSISTENCY05
  'MULTIPLE_SOA_MNAMES', // CONSISTENCY06
  'Z09_INCONSISTENT_MX',
  'Z09_INCONSISTENT_MX_DATA', // ZONE09
];
const TOO_FEW = [
  'NOT_ENOUGH_NS_DEL',
  'NOT_ENOUGH_NS_CHILD',
  'NOT_ENOUGH_IPV4_NS_DEL',
  'NOT_ENOUGH_IPV4_NS_CHILD',
];
const SAME_IP = ['SAME_IP_ADDRESS', 'DEL_NS_SAME_IP', 'CHILD_NS_SAME_IP']; // DELEGATION02
const SAME_NET = ['IPV4_ONE_ASN', 'CN04_IPV4_SAME_PREFIX']; // CONNECTIVITY03, CONNECTIVITY04

/** The tags looked for, by problem, with the test cases that emit them. */
export const TAG_GROUPS: Record<string, { tags: string[]; cases: string }> = {
  lame: { tags: LAME, cases: 'BASIC02, CONNECTIVITY01/02, CONSISTENCY05, DELEGATION04' },
  mismatch: { tags: MISMATCH, cases: 'DELEGATION07, CONSISTENCY05' },
  unresolvable: { tags: UNRESOLVABLE, cases: 'NAMESERVER06, (undelegated tests)' },
  inconsistent: { tags: INCONSISTENT, cases: 'CONSISTENCY01–06, ZONE09' },
  'too few': { tags: TOO_FEW, cases: 'DELEGATION01' },
  'same IP': { tags: SAME_IP, cases: 'DELEGATION02' },
  'same network': { tags: SAME_NET, cases: 'CONNECTIVITY03 (AS), CONNECTIVITY04 (prefix)' },
};

/** Per situation: the groups whose tags mean Zonemaster saw its problem (at WARNING or above), and what covers it. */
export const ZONEMASTER_EXPECT: Record<string, { groups: string[]; healthy?: boolean; covers: string }> = {
  'two-ok.com': { groups: [], healthy: true, covers: 'healthy: nothing at WARNING or above may be left' },
  'vanity.com': { groups: [], healthy: true, covers: 'healthy: nothing at WARNING or above may be left' },
  'spread-self.com': {
    groups: [],
    healthy: true,
    covers: 'healthy: nothing at WARNING or above may be left',
  },
  'lame.com': { groups: ['lame'], covers: 'REFUSED: BASIC02, CONNECTIVITY01/02, DELEGATION04' },
  'unreachable.com': { groups: ['lame'], covers: 'no answer: CONNECTIVITY01/02' },
  'undelegated.com': {
    groups: ['mismatch'],
    covers: 'DELEGATION07; its EXTRA_NAME_CHILD is NOTICE in the default profile',
  },
  'stale-child.com': { groups: ['mismatch'], covers: 'DELEGATION07 (EXTRA_NAME_PARENT is ERROR)' },
  'unregistered-ns.com': {
    groups: ['unresolvable'],
    covers: "NAMESERVER06 (it does not ask whether the name's domain is registered)",
  },
  'missing-ns.com': { groups: ['unresolvable'], covers: 'NAMESERVER06' },
  'old-serial.com': { groups: ['inconsistent'], covers: 'CONSISTENCY01' },
  'diff-answer.com': {
    groups: ['inconsistent'],
    covers:
      'none: CONSISTENCY01–06 compare SOA fields, NS sets and NS addresses, not the zone’s other records',
  },
  'one-server.com': { groups: ['too few'], covers: 'DELEGATION01' },
  'one-ip.com': { groups: ['same IP', 'same network'], covers: 'DELEGATION02' },
  'one-net.com': {
    groups: ['same network'],
    covers:
      'none here: CONNECTIVITY04 (prefix diversity) is not in Engine 4.6.2, CONNECTIVITY03 (AS) needs an ASN database (asnlookup.zonemaster.net) the lab does not have, and 192.0.2.0/24 is announced by no AS anyway',
  },
  'one-tld.org': { groups: [], covers: 'none: no test case looks at the TLDs of the NS names' },
};
const expectedTags = (zone: string): string[] =>
  (ZONEMASTER_EXPECT[zone]?.groups ?? []).flatMap((g) => TAG_GROUPS[g]?.tags ?? []);

interface ZmVerdict {
  said: string;
  right: boolean | null;
  matched: string[];
  /** Why it is wrong, when something can be said: the situation's tags given below WARNING, or what spoils a healthy zone. */
  note: string;
  ignoredCount: number;
  /** Addresses Zonemaster sent queries to (EXTERNAL_QUERY at DEBUG). */
  queried: Set<string>;
  /** CONNECTIVITY03 logged nothing but its start, end and queries (no ASN verdict, no ASN error). */
  asnSilent: boolean;
  ms: number;
}

function judgeZonemaster(zone: string, messages: ZmMessage[]): Omit<ZmVerdict, 'ms'> {
  const expect = ZONEMASTER_EXPECT[zone];
  const wanted = expectedTags(zone);
  const queried = new Set(
    messages
      .filter((m) => m.tag === 'EXTERNAL_QUERY' && typeof m.args?.ip === 'string')
      .map((m) => String(m.args!.ip)),
  );
  const shown = messages.filter((m) => rank(m.level) >= NOTICE);
  const kept = shown.filter((m) => !ignored(m));
  const serious = kept.filter((m) => rank(m.level) >= WARNING);
  // Levels, then tags with counts, highest level first.
  const byLevel = new Map<string, Map<string, number>>();
  for (const m of [...kept].sort((a, b) => rank(b.level) - rank(a.level))) {
    const tags = byLevel.get(m.level) ?? new Map<string, number>();
    tags.set(m.tag, (tags.get(m.tag) ?? 0) + 1);
    byLevel.set(m.level, tags);
  }
  const matched = [...new Set(serious.filter((m) => wanted.includes(m.tag)).map((m) => m.tag))];
  const below = [
    ...new Set(kept.filter((m) => rank(m.level) < WARNING && wanted.includes(m.tag)).map((m) => m.tag)),
  ].filter((t) => !matched.includes(t));
  // The tags that count for the situation in bold.
  const tag = (t: string, n: number) => {
    const text = n > 1 ? `${t}×${n}` : t;
    return matched.includes(t) ? `**${text}**` : text;
  };
  const parts = [...byLevel].map(
    ([level, tags]) => `${level}: ${[...tags].map(([t, n]) => tag(t, n)).join(', ')}`,
  );
  const ignoredCount = shown.length - kept.length;
  const said = `${parts.join('; ') || 'nothing at NOTICE or above'}${ignoredCount ? ` (+${ignoredCount} ignored)` : ''}`;
  const asnSilent = messages
    .filter((m) => m.testcase === 'CONNECTIVITY03')
    .every((m) => ['TEST_CASE_START', 'TEST_CASE_END', 'EXTERNAL_QUERY'].includes(m.tag));
  const base = { said, matched, ignoredCount, queried, asnSilent };
  if (!expect) return { ...base, right: null, note: 'no mapping for this zone' };
  if (expect.healthy) {
    const spoilers = [...new Set(serious.map((m) => m.tag))];
    return { ...base, right: spoilers.length === 0, note: spoilers.length ? spoilers.join(', ') : '' };
  }
  const right = matched.length > 0;
  return { ...base, right, note: !right && below.length ? `${below.join(', ')} below WARNING` : '' };
}

// ---- singlepath

interface SpDomain {
  domain: string;
  risks: { severity: string; kind: string; provider?: string }[];
  observations: { dns: { delegation?: { status: string } } };
}

const codes = (r: SpDomain): string[] =>
  r.risks.map((f) => [f.severity, f.kind, f.provider].filter(Boolean).join(' '));

/** As test/e2e-dns-world.test.ts: every `has` found (exactly or as a prefix), no `not` in any finding, status OK. */
function judgeSinglepath(
  s: (typeof SITUATIONS)[number],
  r: SpDomain | undefined,
): { said: string; right: boolean } {
  if (!r) return { said: 'not in the report', right: false };
  const found = codes(r);
  const status = r.observations.dns.delegation?.status ?? 'none';
  const has = s.has.every((want) => found.some((c) => c === want || c.startsWith(`${want} `)));
  const not = (s.not ?? []).every((no) => !found.some((c) => c.includes(no)));
  const said = `${found.join(', ') || 'no findings'}${status === 'OK' ? '' : ` (delegation ${status})`}`;
  return { said, right: has && not && status === 'OK' };
}

// ---- running things in the world

async function pool<T, R>(items: T[], n: number, f: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await f(items[i]!);
      }
    }),
  );
  return out;
}

const ENV = { ...process.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };

/**
 * world.cli(), or its equivalent when world.cli's BIN does not exist: compiled, dns-world.js lives
 * in dist/test/helpers/ and its BIN resolves to dist/bin/singlepath.js, not the repository's bin/.
 */
async function singlepath(world: World, args: string[], stdin: string) {
  if (existsSync(BIN)) return world.cli(args, { stdin });
  const { SINGLEPATH_LOOPBACK_ONLY: _, ...env } = process.env;
  const r = await world.run(process.execPath, [join(REPO, 'bin', 'singlepath.js'), ...args], {
    stdin,
    env: { ...env, NO_COLOR: '1', SINGLEPATH_DATA_DIR: join(world.dir, 'no-ranges') },
    timeoutMs: 120_000,
  });
  return { code: r.code ?? -1, stdout: r.stdout, stderr: r.stderr };
}

async function zonemaster(world: World, zone: string): Promise<{ messages: ZmMessage[]; ms: number }> {
  const started = Date.now();
  const args = ['--json', '--level', 'DEBUG', '--no-progress', '--no-ipv6', '--hints', world.hintsFile, zone];
  const r = await world.run(ZONEMASTER, args, { env: ENV, timeoutMs: 300_000 });
  const ms = Date.now() - started;
  if (r.code !== 0) throw new Error(`zonemaster-cli ${zone} exited ${r.code}: ${r.stderr.slice(-2000)}`);
  try {
    return { messages: JSON.parse(r.stdout) as ZmMessage[], ms };
  } catch (err) {
    throw new Error(
      `zonemaster-cli ${zone}: output is not JSON (${(err as Error).message}): ${r.stdout.slice(0, 500)}`,
    );
  }
}

const sbin = (name: string): string =>
  ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin', '/sbin']
    .map((d) => join(d, name))
    .find(existsSync) ?? name;

async function versions(world: World): Promise<Record<string, string>> {
  const first = async (bin: string, args: string[], pattern: RegExp): Promise<string> => {
    const r = await world.run(bin, args, { env: ENV });
    return pattern.exec(`${r.stdout}\n${r.stderr}`)?.[1] ?? '?';
  };
  const [cli, engine, nsd, knot, bind, unbound] = await Promise.all([
    first(ZONEMASTER, ['--version'], /CLI version:\s*v?(\S+)/),
    first(ZONEMASTER, ['--version'], /Engine version:\s*v?(\S+)/),
    first(sbin('nsd'), ['-v'], /NSD version (\S+)/),
    first(sbin('knotd'), ['-V'], /version (\S+)/),
    first(sbin('named'), ['-v'], /BIND (\S+)/),
    first(sbin('unbound'), ['-V'], /Version (\S+)/),
  ]);
  return {
    'zonemaster-cli': cli,
    'Zonemaster-Engine': engine,
    NSD: nsd,
    Knot: knot,
    BIND: bind,
    Unbound: unbound,
  };
}

// ---- the report

const yes = (v: boolean | null) => (v === null ? '?' : v ? 'yes' : '**no**');
const cell = (s: string) => s.replace(/\|/g, '\\|');

interface Row {
  zone: string;
  what: string;
  zm: ZmVerdict;
  sp: { said: string; right: boolean };
}

function table(rows: Row[]): string {
  const lines = [
    '| situation | zone | Zonemaster said (levels + key tags) | Zonemaster right? | singlepath said (finding codes) | singlepath right? |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${cell(r.what)} | ${r.zone} | ${cell(r.zm.said)} | ${yes(r.zm.right)}${r.zm.right !== true && r.zm.note ? ` (${cell(r.zm.note)})` : ''} | ${cell(r.sp.said)} | ${yes(r.sp.right)} |`,
    ),
  ];
  return lines.join('\n');
}

function totals(rows: Row[]): string {
  const zm = rows.filter((r) => r.zm.right === true).length;
  const sp = rows.filter((r) => r.sp.right).length;
  return `Zonemaster ${zm} of ${rows.length}, singlepath ${sp} of ${rows.length}`;
}

function document(
  rows: Row[],
  v: Record<string, string>,
  timing: { total: number; singlepath: number; zonemaster: number; perZone: [string, number][] },
  outside: string[],
): string {
  const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const slowest = [...timing.perZone].sort((a, b) => b[1] - a[1])[0];
  const perZone = timing.perZone.map(([, ms]) => ms);
  return [
    '# singlepath and Zonemaster on the same DNS situations',
    '',
    '<!-- Written by scripts/zonemaster-compare.ts (`npm run build && npm run compare:zonemaster`); do not edit by hand. -->',
    '',
    '## Method',
    '',
    `The world of \`test/helpers/dns-situations.ts\` (15 situations, see [dns-checks.md](dns-checks.md)) runs on real DNS software — NSD ${v.NSD}, Knot DNS ${v.Knot} and BIND ${v.BIND} as the root, the TLDs, the providers' and the customers' zones, Unbound ${v.Unbound} as singlepath's resolver — on the providers' real addresses inside a Linux network namespace that has only \`lo\` and no route out. Both tools run inside it: singlepath once over \`www.<zone>\` of every situation (\`--format json --no-http --depth 0 --timeout 400 --retries 0 --allow-private --resolver <Unbound> --root-hints <the world's root>\`, as \`test/e2e-dns-world.test.ts\`), and zonemaster-cli ${v['zonemaster-cli']} (Zonemaster-Engine ${v['Zonemaster-Engine']}, Debian package, default profile) once per zone with \`--hints <the world's root> --no-ipv6 --json --level DEBUG --no-progress\`, ${JOBS} zones at a time. ` +
      `Zonemaster queried ${outside.length === 0 ? 'only the lab’s addresses (every `EXTERNAL_QUERY` it logged went to a server of the world; nothing was sent outside, so nothing failed for want of a route)' : `addresses outside the lab, which failed (no route): ${outside.join(', ')}`}.`,
    '',
    "**How \"right\" is judged.** Zonemaster is right on a problem situation when it reports, at WARNING or above, a message whose tag is about that problem (the tags per situation are below, taken from Zonemaster's test case specifications and the Engine's test modules). On the healthy situations (two-ok.com, vanity.com, spread-self.com) it is right when nothing at WARNING or above is left once the lab's artefacts are ignored. singlepath is right when its findings (`severity kind provider`) contain every `has` of the situation, none of its `not`, and the delegation was checked (`status: OK`) — the assertions of `test/e2e-dns-world.test.ts`.",
    '',
    `A full comparison took ${secs(timing.total)}: the world's start, singlepath ${secs(timing.singlepath)} for all 15 domains, Zonemaster ${secs(timing.zonemaster)} for the 15 zones (${secs(Math.min(...perZone))}–${secs(Math.max(...perZone))} a zone${slowest ? `; the slowest is ${slowest[0]}, where one server never answers and Zonemaster waits out its retries` : ''}).`,
    '',
    '## Results',
    '',
    table(rows),
    '',
    `**${totals(rows)}.**`,
    '',
    '## Notes',
    '',
    ...notes(rows),
    '',
    '## Tags looked for',
    '',
    '| problem | Zonemaster tags that count (WARNING or above) | test cases |',
    '| --- | --- | --- |',
    ...Object.entries(TAG_GROUPS).map(([g, { tags, cases }]) => `| ${g} | ${tags.join(', ')} | ${cases} |`),
    '',
    '| zone | problem | what in Zonemaster covers it |',
    '| --- | --- | --- |',
    ...rows.map((r) => {
      const e = ZONEMASTER_EXPECT[r.zone];
      const groups = !e ? '(no mapping)' : e.healthy ? '(healthy)' : e.groups.join(', ') || '(no tag exists)';
      return `| ${r.zone} | ${groups} | ${cell(e?.covers ?? '')} |`;
    }),
    '',
    '## Tags ignored (artefacts of the lab)',
    '',
    '| tags | test cases | why |',
    '| --- | --- | --- |',
    ...IGNORED.map((i) => `| ${i.tags.join(', ')} | ${i.where} | ${cell(i.why)} |`),
    '',
    "Sources: Zonemaster test case specifications (github.com/zonemaster/zonemaster, `docs/public/specifications/tests/`: Basic02, Connectivity01–04, Consistency01–06, Delegation01/02/04/07, Nameserver06), the Engine's test modules as installed (`/usr/share/perl5/Zonemaster/Engine/Test/*.pm`, zonemaster/zonemaster-engine `lib/Zonemaster/Engine/Test/`), and the default levels of `zonemaster-cli --dump-profile`.",
    '',
  ].join('\n');
}

/** What the run shows about the comparison itself. */
function notes(rows: Row[]): string[] {
  const out: string[] = [];
  const silent = rows.filter((r) => r.zm.asnSilent).length;
  if (silent > 0)
    out.push(
      `- CONNECTIVITY03 (AS diversity) said nothing at all on ${silent} of ${rows.length} zones: the Engine's ASN source asnlookup.zonemaster.net does not exist under the lab's root, and Engine 4.6.2 then reports neither ERROR_ASN_DATABASE nor asks its second source asn.cymru.com (\`Zonemaster::Engine::ASNLookup\` rewrites the query name in place for the first source, so it no longer matches for the second). No AS-based verdict of Zonemaster is tested here: with public ASN data vanity.com (both addresses in Cloudflare's AS13335) would get IPV4_ONE_ASN at WARNING — arguably right, since singlepath calls it a single provider too — and the documentation prefixes of one-net.com would get EMPTY_ASN_SET.`,
    );
  const wrong = rows.filter((r) => r.zm.right === false);
  for (const r of wrong)
    out.push(
      `- ${r.zone}, Zonemaster wrong: ${r.zm.note || 'no relevant message'}. In Zonemaster: ${ZONEMASTER_EXPECT[r.zone]?.covers ?? '(no mapping)'}.`,
    );
  const spWrong = rows.filter((r) => !r.sp.right);
  for (const r of spWrong)
    out.push(`- ${r.zone}: singlepath said ${r.sp.said}, which does not match the situation.`);
  return out;
}

// ---- main

async function main(): Promise<void> {
  const t0 = Date.now();
  const world = await startWorld(WORLD);
  try {
    const lab = new Set([
      ...world.spec.servers.flatMap((s) => s.ips),
      ...Object.values(world.spec.hosts).flat(),
    ]);
    const v = await versions(world);

    const t1 = Date.now();
    const domains = SITUATIONS.map((s) => `www.${s.zone}`);
    const run = await singlepath(
      world,
      worldAudit(world.resolver, ['--root-hints', world.hintsFile]),
      domains.join('\n'),
    );
    if (run.code !== 0) throw new Error(`singlepath exited ${run.code}: ${run.stderr.slice(-2000)}`);
    const doc = JSON.parse(run.stdout) as { domains: SpDomain[] };
    const singlepathMs = Date.now() - t1;

    const t2 = Date.now();
    const zm = await pool(SITUATIONS, JOBS, async (s) => {
      const { messages, ms } = await zonemaster(world, s.zone);
      process.stderr.write(`zonemaster-cli ${s.zone}: ${(ms / 1000).toFixed(1)} s\n`);
      return { ...judgeZonemaster(s.zone, messages), ms };
    });
    const zonemasterMs = Date.now() - t2;

    const rows: Row[] = SITUATIONS.map((s, i) => ({
      zone: s.zone,
      what: s.what,
      zm: zm[i]!,
      sp: judgeSinglepath(
        s,
        doc.domains.find((d) => d.domain === `www.${s.zone}`),
      ),
    }));
    const outside = [...new Set(zm.flatMap((z) => [...z.queried]))].filter((ip) => !lab.has(ip)).sort();
    const timing = {
      total: Date.now() - t0,
      singlepath: singlepathMs,
      zonemaster: zonemasterMs,
      perZone: rows.map((r): [string, number] => [r.zone, r.zm.ms]),
    };
    const md = document(rows, v, timing, outside);
    writeFileSync(DOC, md);
    process.stdout.write(`${table(rows)}\n\n${totals(rows)}\n\n`);
    process.stdout.write(
      `full comparison ${(timing.total / 1000).toFixed(1)} s (singlepath ${(singlepathMs / 1000).toFixed(1)} s, zonemaster ${(zonemasterMs / 1000).toFixed(1)} s with ${JOBS} at a time)\n`,
    );
    process.stdout.write(
      outside.length
        ? `Zonemaster tried addresses outside the lab (no route): ${outside.join(', ')}\n`
        : 'Zonemaster queried only addresses of the lab\n',
    );
    process.stdout.write(`written to ${DOC}\n`);
  } finally {
    await world.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(
    `zonemaster-compare: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exitCode = 1;
});
