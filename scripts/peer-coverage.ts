// How much of each peer tool's signature table singlepath names as the right company. Every
// signature of data/peers/<peer>.json becomes one lab observation carrying that one signal (a
// CNAME target, a header, a cookie, an NS host, an MX host or a certificate issuer), classified
// with the built-in catalogue; it counts when a dependency of the signal's layer names the company
// data/peers/companies.json gives for the peer's provider name (or a subsidiary of it). A bare
// network (`as88`) or an unknown host's own domain is not a recognition.
//
// Signatures naming no provider ("skip: ...": software, a company's own asset hosts) and those
// no lab input can honestly be made from (a mid-name fragment such as ".adn.") are listed apart.
// Each miss is looked up in data/peers/misses.json, which says why (weak by our judgement, a wrong
// fact in the peer's data, ambiguous); test/peer-coverage.test.ts holds the floor per peer.
//
//   node dist/scripts/peer-coverage.js [--misses]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Catalogue } from '../src/catalogue/catalogue.js';
import { loadCatalogue } from '../src/catalogue/load.js';
import { classify } from '../src/classify/index.js';
import type { Layer } from '../src/types.js';
import { host, type ObsSpec, observation } from '../test/helpers/observation.js';
import {
  PEERS,
  type PeerId,
  type PeerItem,
  type PeerSignature,
  type PeerTable,
  peersDir,
} from './peers-import.js';
import { regexExample } from './regex-example.js';

export type Outcome = 'named' | 'missed' | 'skipped' | 'unusable';

export interface SignatureResult {
  peer: PeerId;
  name: string;
  /** Our id for the peer's provider name, when it names one. */
  expected?: string;
  signal: string;
  /** The lab input built from it ("cname x1.fastly.net", "header server: cloudflare"). */
  input?: string;
  /** Providers classified at the signal's layer. */
  got: string[];
  outcome: Outcome;
  reason?: string;
}

export interface PeerCoverage {
  peer: PeerId;
  version: string;
  /** Per signal kind: named / counted (named + missed). */
  bySignal: Record<string, { named: number; total: number }>;
  named: number;
  total: number;
  skipped: number;
  unusable: number;
  results: SignatureResult[];
}

type Companies = Record<string, Record<string, string>>;

const LAB_DOMAIN = 'www.peerlab-site.example';

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(join(peersDir(), file), 'utf8')) as T;
}

/** Does the peer's own test accept this value? (A guessed example must pass the peer's rule.) */
function peerAccepts(item: PeerItem, value: string): boolean {
  const v = value.toLowerCase();
  switch (item.match) {
    case 'present':
      return true;
    case 'substring':
      return v.includes(item.rule!.toLowerCase());
    case 'suffix':
      return v === item.rule || v.endsWith(`.${item.rule}`);
    case 'regex':
      return new RegExp(item.rule!, 'i').test(value);
  }
}

/** A host name the peer's rule accepts, or null when the rule is a fragment in the middle of a name. */
function exampleHost(item: PeerItem, prefix: string): string | null {
  let h: string | null;
  if (item.match === 'suffix') h = `${prefix}.${item.rule}`;
  else if (item.match === 'substring') {
    const r = item.rule!;
    if (r.endsWith('.') || !r.includes('.')) return null;
    h = r.startsWith('.') ? `${prefix}${r}` : `${prefix}.${r}`;
  } else {
    h = regexExample(item.rule!);
    if (h === null) return null;
    h = h.toLowerCase();
    if (h.startsWith('.')) h = `${prefix}${h}`;
    if (!/^[a-z0-9_]/.test(h) || !/\.[a-z]{2,}$/.test(h)) return null;
  }
  return peerAccepts(item, h) ? h : null;
}

function exampleValue(item: PeerItem): string | null {
  if (item.match === 'present') return 'a1b2c3d4e5';
  if (item.match === 'substring') return item.rule!;
  const v = regexExample(item.rule!);
  return v !== null && v.length > 0 && peerAccepts(item, v) ? v : null;
}

function exampleCookie(item: PeerItem): string | null {
  if (item.match === 'present') return `${item.rule}=1; Path=/`;
  const v = regexExample(item.rule!);
  if (!v) return null;
  const cookie = v.includes('=') ? `${v}1; Path=/` : `${v}=1; Path=/`;
  return peerAccepts(item, cookie) ? cookie : null;
}

const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;

/**
 * A Content-Security-Policy naming a host says the page may load from it (a player, a vault, a
 * bucket of assets), not who serves the site: like the captcha and anti-bot services the page
 * calls, such a signature names no serving provider.
 */
const PAGE_LOADS_FROM = /^content-security-policy(?:-report-only)?$/;

const LAYER_OF: Record<string, Layer[]> = {
  // A CNAME into a provider's DNS-only steering zone (akadns.net) names it at the DNS layer.
  cname: ['cdn', 'cloud', 'dns'],
  header: ['cdn', 'cloud'],
  cookie: ['cdn', 'cloud'],
  ns: ['dns'],
  mx: ['email'],
  issuer: ['ca'],
};

/** How an item reads in examples.json and misses.json: `header server substring ecs`. */
export function itemKey(item: PeerItem): string {
  return `${item.field}${item.name ? ` ${item.name}` : ''} ${item.match} ${item.rule ?? ''}`.trim();
}

/**
 * A real value for the item, from examples.json, when the built one is not what servers send
 * (`server: ECS (nyb/1D2E)` for WebPageTest's "ecs"); it must pass the peer's own rule.
 */
function withExample(peer: PeerId, item: PeerItem, examples: Record<string, string>): PeerItem {
  const value = examples[`${peer} | ${itemKey(item)}`];
  if (value === undefined) return item;
  const probe = item.field === 'cookie' ? `${value}=1; Path=/` : value;
  if (!peerAccepts(item, probe))
    throw new Error(`examples.json: "${value}" fails ${peer}'s rule ${itemKey(item)}`);
  if (item.field === 'issuer') return { ...item, match: 'substring', rule: value };
  return item.field === 'cookie'
    ? { ...item, match: 'present', rule: value }
    : { ...item, match: item.field === 'header' ? 'substring' : 'suffix', rule: value };
}

/**
 * The issuer a lab certificate carries. Wappalyzer tests its substring against the whole issuer
 * name, so a real example is a distinguished name ("O=IdenTrust; CN=TrustID Server CA A52": the
 * brand is in CN, the company in O); a bare rule is taken as the organisation.
 */
function issuerOf(rule: string): { O: string; CN: string } {
  const o = /(?:^|;\s*)O=([^;]+)/.exec(rule)?.[1]?.trim();
  const cn = /(?:^|;\s*)CN=([^;]+)/.exec(rule)?.[1]?.trim();
  return o && cn ? { O: o, CN: cn } : { O: rule, CN: `${rule} RSA CA` };
}

/** The observation for one signature, with the input described; null when none can be made. */
function labInput(sig: PeerSignature): { spec: ObsSpec; input: string; signal: string } | null {
  const spec: ObsSpec = { domain: LAB_DOMAIN };
  const inputs: string[] = [];
  for (const item of sig.items) {
    if (item.field === 'cname' || item.field === 'ns' || item.field === 'mx') {
      const h = exampleHost(item, item.field === 'cname' ? 'x1' : item.field === 'ns' ? 'ns1' : 'mx1');
      if (!h) return null;
      if (item.field === 'cname') spec.cnames = [h];
      else spec[item.field] = [host(h)];
      inputs.push(`${item.field} ${h}`);
    } else if (item.field === 'issuer') {
      spec.issuer = issuerOf(item.rule!);
      inputs.push(`issuer O=${spec.issuer.O}${item.rule!.includes('CN=') ? `, CN=${spec.issuer.CN}` : ''}`);
    } else if (item.field === 'header') {
      // A name outside HTTP's token grammar (Wappalyzer's "x-sucuri-cache:") is never sent.
      if (!HEADER_NAME.test(item.name!)) return null;
      const v = exampleValue(item);
      if (v === null) return null;
      spec.headers = { ...spec.headers, [item.name!]: v };
      inputs.push(`header ${item.name}: ${v}`);
    } else {
      const c = exampleCookie(item);
      if (c === null) return null;
      spec.headers = { ...spec.headers, 'set-cookie': c };
      inputs.push(`cookie ${c.split('=')[0]}`);
    }
  }
  return { spec, input: inputs.join(' + '), signal: sig.items[0]!.field };
}

/** The company or one of its subsidiaries (Linode for Akamai) counts as naming it. */
function isCompany(catalogue: Catalogue, provider: string, expected: string): boolean {
  for (let id: string | undefined = provider, n = 0; id && n < 5; id = catalogue.parentOf(id), n++)
    if (id === expected) return true;
  return false;
}

export function measurePeer(
  peer: PeerId,
  catalogue: Catalogue,
  companies: Companies,
  misses: Record<string, string>,
  examples: Record<string, string> = {},
): PeerCoverage {
  const table = readJson<PeerTable>(`${peer}.json`);
  const names = companies[peer] ?? {};
  const results: SignatureResult[] = [];
  for (const sig of table.signatures) {
    const mapped = names[sig.peer];
    const signal = sig.items[0]!.field;
    const base = { peer, name: sig.peer, signal, got: [] as string[] };
    if (mapped === undefined) throw new Error(`${peer}: no entry for "${sig.peer}" in companies.json`);
    if (mapped.startsWith('skip:')) {
      results.push({ ...base, outcome: 'skipped', reason: mapped.slice(5).trim() });
      continue;
    }
    if (sig.items.every((i) => i.field === 'header' && PAGE_LOADS_FROM.test(i.name ?? ''))) {
      results.push({
        ...base,
        expected: mapped,
        input: sig.items.map(itemKey).join(' + '),
        outcome: 'skipped',
        reason: 'a host the page may load from (Content-Security-Policy), not who serves it',
      });
      continue;
    }
    const lab = labInput({ ...sig, items: sig.items.map((i) => withExample(peer, i, examples)) });
    const rules = sig.items.map(itemKey);
    if (!lab) {
      results.push({
        ...base,
        expected: mapped,
        input: rules.join(' + '),
        outcome: 'unusable',
        reason:
          'a fragment in the middle of a name, a pattern no value can be built from, or a header name no server sends',
      });
      continue;
    }
    const deps = classify(observation(lab.spec), catalogue).filter(
      (d) => LAYER_OF[signal]!.includes(d.layer) && !d.via,
    );
    const got = [...new Set(deps.map((d) => d.provider))];
    const named = got.some((p) => isCompany(catalogue, p, mapped));
    const key = `${peer} | ${sig.peer} | ${lab.input}`;
    results.push({
      ...base,
      expected: mapped,
      input: lab.input,
      got,
      outcome: named ? 'named' : 'missed',
      reason: named ? undefined : misses[key],
    });
  }
  const bySignal: PeerCoverage['bySignal'] = {};
  for (const r of results) {
    if (r.outcome !== 'named' && r.outcome !== 'missed') continue;
    bySignal[r.signal] ??= { named: 0, total: 0 };
    const s = bySignal[r.signal]!;
    s.total++;
    if (r.outcome === 'named') s.named++;
  }
  const count = (o: Outcome) => results.filter((r) => r.outcome === o).length;
  return {
    peer,
    version: table.version,
    bySignal,
    named: count('named'),
    total: count('named') + count('missed'),
    skipped: count('skipped'),
    unusable: count('unusable'),
    results,
  };
}

export function measureAll(catalogue = loadCatalogue()): PeerCoverage[] {
  const companies = readJson<Companies>('companies.json');
  const misses = readJson<Record<string, string>>('misses.json');
  const examples = readJson<Record<string, string>>('examples.json');
  return PEERS.map((p) => measurePeer(p, catalogue, companies, misses, examples));
}

export const pct = (n: number, d: number): string => (d ? `${((100 * n) / d).toFixed(1)}%` : '-');

function main(args: string[]): void {
  const all = measureAll();
  for (const c of all) {
    const kinds = Object.entries(c.bySignal)
      .map(([k, v]) => `${k} ${v.named}/${v.total} (${pct(v.named, v.total)})`)
      .join(', ');
    console.log(
      `${c.peer.padEnd(10)} ${pct(c.named, c.total).padStart(6)}  named ${c.named}/${c.total}; ${kinds}; ` +
        `skipped ${c.skipped}, unusable ${c.unusable}  [${c.version.slice(0, 12)}]`,
    );
  }
  if (args.includes('--misses'))
    for (const c of all)
      for (const r of c.results)
        if (r.outcome === 'missed' || (args.includes('--all') && r.outcome !== 'named'))
          console.log(
            `${r.outcome}\t${r.peer} | ${r.name} | ${r.input ?? ''}\t-> ${r.got.join(',') || '-'} (want ${r.expected ?? '-'})${r.reason ? `\t# ${r.reason}` : ''}`,
          );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main(process.argv.slice(2));
