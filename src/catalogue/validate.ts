import { isIP } from 'node:net';
import { ConfigError } from '../errors.js';
import type { CatalogueFile, ProviderSpec } from './schema.js';

// Strict structural validation: unknown keys, wrong types and bad regular expressions are
// reported with the file and the JSON path, so a user catalogue error is fixable from one line.

type Problem = string;
type Obj = Record<string, unknown>;

const ID = /^[a-z0-9][a-z0-9-]*$/;
const HOST =
  /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;
const HEADER = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
const LAYERS = ['dns', 'cdn', 'cloud', 'ca', 'email'];
const WEB_LAYERS = ['cdn', 'cloud'];

const SIGNAL_KEYS: Record<string, Record<string, string>> = {
  cname: { suffix: 'host', pattern: 'regex', service: 'string', region: 'regex', layer: 'cnameLayer' },
  ns: { suffix: 'host', pattern: 'regex', service: 'string', region: 'regex' },
  mx: { suffix: 'host', pattern: 'regex', service: 'string', region: 'regex' },
  spf: { suffix: 'host', pattern: 'regex', service: 'string', region: 'regex' },
  dmarc: { suffix: 'host', pattern: 'regex', service: 'string', region: 'regex' },
  asn: { asns: 'asnList', layer: 'addressLayer', service: 'string' },
  cidr: { cidrs: 'cidrList', layer: 'addressLayer', service: 'string', region: 'string' },
  header: { name: 'header', pattern: 'regex', layer: 'webLayer', service: 'string', weak: 'boolean' },
  cookie: { name: 'cookie', layer: 'webLayer', service: 'string', weak: 'boolean' },
  issuer: { o: 'regex', cn: 'regex', service: 'string' },
};
const REQUIRED: Record<string, string[]> = {
  cname: ['layer'],
  asn: ['asns', 'layer'],
  cidr: ['cidrs', 'layer'],
  header: ['name', 'layer'],
  cookie: ['name', 'layer'],
};

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function validCidr(v: string): boolean {
  const [ip, bits, ...rest] = v.split('/');
  if (rest.length || ip === undefined || bits === undefined || !/^\d{1,3}$/.test(bits)) return false;
  const fam = isIP(ip);
  return fam !== 0 && Number(bits) <= (fam === 4 ? 32 : 128);
}

function checkValue(kind: string, v: unknown, path: string, out: Problem[]): void {
  const bad = (what: string): void =>
    void out.push(`${path}: ${what} (got ${JSON.stringify(v)?.slice(0, 80)})`);
  switch (kind) {
    case 'string':
      if (typeof v !== 'string' || v.length === 0 || v.length > 200) bad('expected a non-empty string');
      return;
    case 'boolean':
      if (typeof v !== 'boolean') bad('expected true or false');
      return;
    case 'host':
      if (typeof v !== 'string' || !HOST.test(v)) bad('expected a lower-case host name suffix');
      return;
    case 'header':
      if (typeof v !== 'string' || !HEADER.test(v)) bad('expected a lower-case header name');
      return;
    case 'cookie':
      if (typeof v !== 'string' || !/^[A-Za-z0-9!#$%&'+.^_`|~-]+\*?$/.test(v)) bad('expected a cookie name');
      return;
    case 'cnameLayer':
      if (typeof v !== 'string' || !['cdn', 'cloud', 'dns'].includes(v))
        bad('expected "cdn", "cloud" or "dns"');
      return;
    case 'webLayer':
      if (typeof v !== 'string' || !WEB_LAYERS.includes(v)) bad('expected "cdn" or "cloud"');
      return;
    case 'addressLayer':
      if (typeof v !== 'string' || !['cdn', 'cloud', 'dns', 'email'].includes(v))
        bad('expected "cdn", "cloud", "dns" or "email"');
      return;
    case 'layer':
      if (typeof v !== 'string' || !LAYERS.includes(v)) bad(`expected one of ${LAYERS.join(', ')}`);
      return;
    case 'regex':
      // Empty would match every name (a catalogue claiming the world), and reads as absent.
      if (typeof v !== 'string' || v.length === 0 || v.length > 500) {
        bad('expected a regular expression string of 1 to 500 characters');
        return;
      }
      try {
        new RegExp(v, 'i');
      } catch (err) {
        bad(`invalid regular expression: ${(err as Error).message}`);
      }
      return;
    case 'asnList':
      if (!Array.isArray(v) || v.length === 0) {
        bad('expected a non-empty array of AS numbers');
        return;
      }
      for (const [i, n] of v.entries())
        if (!Number.isInteger(n) || n < 1 || n > 4294967295)
          out.push(`${path}[${i}]: not an AS number: ${n}`);
      return;
    case 'cidrList':
      if (!Array.isArray(v) || v.length === 0) {
        bad('expected a non-empty array of CIDR blocks');
        return;
      }
      for (const [i, c] of v.entries())
        if (typeof c !== 'string' || !validCidr(c)) out.push(`${path}[${i}]: not a CIDR block: ${c}`);
      return;
  }
}

function checkSignal(kind: string, s: unknown, path: string, out: Problem[]): void {
  if (!isObj(s)) {
    out.push(`${path}: expected an object`);
    return;
  }
  const allowed = SIGNAL_KEYS[kind]!;
  for (const [key, v] of Object.entries(s)) {
    const type = allowed[key];
    if (!type) out.push(`${path}.${key}: unknown field (allowed: ${Object.keys(allowed).join(', ')})`);
    else checkValue(type, v, `${path}.${key}`, out);
  }
  for (const key of REQUIRED[kind] ?? []) if (!(key in s)) out.push(`${path}: missing "${key}"`);
  if (kind === 'cname' || kind === 'ns' || kind === 'mx' || kind === 'spf' || kind === 'dmarc') {
    if ('suffix' in s === 'pattern' in s) out.push(`${path}: needs exactly one of "suffix" or "pattern"`);
  }
  if (kind === 'issuer' && !('o' in s) && !('cn' in s)) out.push(`${path}: needs "o" or "cn"`);
}

function checkProvider(p: unknown, path: string, out: Problem[]): void {
  if (!isObj(p)) {
    out.push(`${path}: expected an object`);
    return;
  }
  const known = ['id', 'name', 'parent', 'runsOn', 'domains', 'signals'];
  for (const key of Object.keys(p)) if (!known.includes(key)) out.push(`${path}.${key}: unknown field`);
  if (typeof p.id !== 'string' || !ID.test(p.id)) out.push(`${path}.id: expected a lower-case slug`);
  if (typeof p.name !== 'string' || !p.name) out.push(`${path}.name: expected a non-empty string`);
  if (p.parent !== undefined && (typeof p.parent !== 'string' || !ID.test(p.parent)))
    out.push(`${path}.parent: expected a provider id`);
  if (p.domains !== undefined) {
    if (!Array.isArray(p.domains)) out.push(`${path}.domains: expected an array`);
    else for (const [i, d] of p.domains.entries()) checkValue('host', d, `${path}.domains[${i}]`, out);
  }
  if (p.runsOn !== undefined) {
    if (!Array.isArray(p.runsOn)) out.push(`${path}.runsOn: expected an array`);
    else
      for (const [i, r] of p.runsOn.entries()) {
        const rp = `${path}.runsOn[${i}]`;
        if (!isObj(r)) {
          out.push(`${rp}: expected an object`);
          continue;
        }
        for (const key of Object.keys(r))
          if (!['provider', 'layer', 'from', 'service'].includes(key))
            out.push(`${rp}.${key}: unknown field`);
        if (typeof r.provider !== 'string' || !ID.test(r.provider))
          out.push(`${rp}.provider: expected an id`);
        checkValue('layer', r.layer, `${rp}.layer`, out);
        checkValue('layer', r.from, `${rp}.from`, out);
        if (r.service !== undefined) checkValue('string', r.service, `${rp}.service`, out);
      }
  }
  if (!isObj(p.signals)) {
    out.push(`${path}.signals: expected an object`);
    return;
  }
  for (const [kind, list] of Object.entries(p.signals)) {
    const sp = `${path}.signals.${kind}`;
    if (!SIGNAL_KEYS[kind])
      out.push(`${sp}: unknown signal kind (allowed: ${Object.keys(SIGNAL_KEYS).join(', ')})`);
    else if (!Array.isArray(list)) out.push(`${sp}: expected an array`);
    else for (const [i, s] of list.entries()) checkSignal(kind, s, `${sp}[${i}]`, out);
  }
}

/** Validates one parsed catalogue file; throws ConfigError listing every problem with its path. */
export function validateCatalogueFile(data: unknown, source: string): CatalogueFile {
  const out: Problem[] = [];
  if (!isObj(data) || !Array.isArray(data.providers)) {
    out.push('top level: expected {"providers": [...]}');
  } else {
    for (const key of Object.keys(data))
      if (key !== 'providers' && key !== '$comment') out.push(`${key}: unknown field`);
    for (const [i, p] of data.providers.entries()) checkProvider(p, `providers[${i}]`, out);
  }
  if (out.length) throw catalogueError(source, out);
  return data as unknown as CatalogueFile;
}

export function catalogueError(source: string, problems: string[]): ConfigError {
  const shown = problems.slice(0, 20).map((p) => `  ${source}: ${p}`);
  if (problems.length > 20) shown.push(`  ... and ${problems.length - 20} more`);
  return new ConfigError(`invalid catalogue ${source}:\n${shown.join('\n')}`);
}

export type { ProviderSpec };
