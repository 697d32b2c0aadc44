import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { type FindingKind, LAYERS, type Layer } from '../types.js';

// singlepath.config.json: the defaults a team keeps in its repository (audit flags, its own
// domains and AS numbers, extra catalogues, vantages) and the risks it accepts, each with a
// reason, an owner and an expiry. Found from the working directory upward, validated strictly:
// an unknown key or a wrong type is an error naming the file and the path inside it.
// Precedence: built-in defaults < config < flags (applied in src/cli/config-flags.ts).

export const CONFIG_NAME = 'singlepath.config.json';
/** A config file larger than this is refused (it is hand-written). */
const MAX_CONFIG_BYTES = 1024 * 1024;

export interface AcceptRule {
  /** Finding kind, layer, provider and domain: each optional, `*` globs in provider and domain. */
  kind?: FindingKind | string;
  layer?: Layer;
  provider?: string;
  domain?: string;
  reason: string;
  owner: string;
  /** YYYY-MM-DD: from the day after, the rule no longer accepts anything and is reported. */
  expires: string;
}

export interface SinglepathConfig {
  /** Where it was read from (for messages). */
  file: string;
  /** Defaults for `audit` flags, by long flag name without dashes ("dns-checks": "off"). */
  audit: Record<string, unknown>;
  ownDomains: string[];
  ownAsns: number[];
  /** Extra catalogue files, resolved against the config file's folder. */
  catalogs: string[];
  vantages: string[];
  accept: AcceptRule[];
}

const TOP_KEYS = new Set(['$schema', 'audit', 'ownDomains', 'ownAsns', 'catalogs', 'vantages', 'accept']);
const RULE_KEYS = new Set(['kind', 'layer', 'provider', 'domain', 'reason', 'owner', 'expires']);

/** The nearest singlepath.config.json from `cwd` up to the file system's root, or null. */
export function findConfig(cwd: string): string | null {
  for (let dir = resolve(cwd); ; ) {
    const file = join(dir, CONFIG_NAME);
    if (existsSync(file)) return file;
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

/** Reads and validates a config file; throws a ConfigError naming the file and the path of a defect. */
export function loadConfig(file: string): SinglepathConfig {
  let text: string;
  try {
    if (statSync(file).size > MAX_CONFIG_BYTES) throw new ConfigError(`${file}: larger than 1 MiB`);
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`cannot read config ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  return validateConfig(raw, file);
}

export function validateConfig(raw: unknown, file: string): SinglepathConfig {
  const fail = (path: string, why: string): never => {
    throw new ConfigError(`${file}: ${path}: ${why}`);
  };
  if (!isObject(raw)) fail('(top level)', 'expected an object');
  const top = raw as Record<string, unknown>;
  for (const key of Object.keys(top))
    if (!TOP_KEYS.has(key))
      fail(key, `unknown key (known: ${[...TOP_KEYS].filter((k) => k !== '$schema').join(', ')})`);
  const base = dirname(file);
  const strings = (path: string, v: unknown): string[] => {
    if (v === undefined) return [];
    if (!Array.isArray(v)) return fail(path, 'expected an array of strings');
    return v.map((x, i) =>
      typeof x === 'string' && x.length > 0 ? x : fail(`${path}[${i}]`, 'expected a string'),
    );
  };
  const audit = top.audit ?? {};
  if (!isObject(audit)) fail('audit', 'expected an object of flag defaults');
  const ownAsns = (() => {
    const v = top.ownAsns;
    if (v === undefined) return [];
    if (!Array.isArray(v)) return fail('ownAsns', 'expected an array of AS numbers');
    return v.map((x, i) => {
      const n = typeof x === 'string' ? Number(x.replace(/^AS/i, '')) : x;
      return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 4294967295
        ? n
        : fail(`ownAsns[${i}]`, 'expected an AS number (13335 or "AS13335")');
    });
  })();
  const ownDomains = strings('ownDomains', top.ownDomains).map((d, i) =>
    /^[a-z0-9.-]+\.[a-z0-9-]+$/i.test(d)
      ? d.toLowerCase().replace(/\.$/, '')
      : fail(`ownDomains[${i}]`, 'expected a domain name'),
  );
  const catalogs = strings('catalogs', top.catalogs).map((c) => (isAbsolute(c) ? c : join(base, c)));
  const vantages = strings('vantages', top.vantages);
  const accept = (() => {
    const v = top.accept;
    if (v === undefined) return [];
    if (!Array.isArray(v)) return fail('accept', 'expected an array of rules');
    return v.map((r, i) => validateRule(r, `accept[${i}]`, fail));
  })();
  return { file, audit: audit as Record<string, unknown>, ownDomains, ownAsns, catalogs, vantages, accept };
}

function validateRule(r: unknown, path: string, fail: (path: string, why: string) => never): AcceptRule {
  if (!isObject(r)) return fail(path, 'expected an object');
  const rule = r as Record<string, unknown>;
  for (const key of Object.keys(rule))
    if (!RULE_KEYS.has(key)) fail(`${path}.${key}`, `unknown key (known: ${[...RULE_KEYS].join(', ')})`);
  for (const key of ['reason', 'owner', 'expires'] as const)
    if (typeof rule[key] !== 'string' || !(rule[key] as string).trim())
      fail(`${path}.${key}`, 'required (a non-empty string)');
  for (const key of ['kind', 'provider', 'domain'] as const)
    if (rule[key] !== undefined && (typeof rule[key] !== 'string' || !(rule[key] as string)))
      fail(`${path}.${key}`, 'expected a non-empty string');
  if (rule.kind !== undefined && !/^[a-z][a-z0-9-]*$/.test(rule.kind as string))
    fail(`${path}.kind`, 'expected a finding kind such as "single-provider"');
  if (rule.layer !== undefined && !LAYERS.includes(rule.layer as Layer))
    fail(`${path}.layer`, `expected one of ${LAYERS.join(', ')}`);
  const expires = rule.expires as string;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(expires) || Number.isNaN(Date.parse(`${expires}T00:00:00Z`)))
    fail(`${path}.expires`, 'expected a date as YYYY-MM-DD');
  if (
    rule.kind === undefined &&
    rule.layer === undefined &&
    rule.provider === undefined &&
    rule.domain === undefined
  )
    fail(path, 'a rule needs at least one of kind, layer, provider, domain (it would accept everything)');
  const out: AcceptRule = { reason: rule.reason as string, owner: rule.owner as string, expires };
  if (rule.kind !== undefined) out.kind = rule.kind as string;
  if (rule.layer !== undefined) out.layer = rule.layer as Layer;
  if (rule.provider !== undefined) out.provider = rule.provider as string;
  if (rule.domain !== undefined) out.domain = (rule.domain as string).toLowerCase();
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
