import type { Command } from 'commander';
import { LAYERS } from '../types.js';

// The JSON Schema of singlepath.config.json, built from the `audit` command's own options so it
// cannot drift from them: `singlepath config-schema` prints it, the package ships it as
// singlepath.config.schema.json (a test keeps the two equal), and editors complete from it.

type Schema = Record<string, unknown>;

const NOT_IN_CONFIG = new Set(['config', 'help', 'resume', 'output']);

/** Flags whose values a parser takes that the option's default cannot show (a number or a word). */
const VALUE_SCHEMA: Record<string, Schema> = {
  concurrency: { anyOf: [{ type: 'integer', minimum: 1, maximum: 10_000 }, { const: 'auto' }] },
};

function flagSchema(o: Command['options'][number]): Schema {
  const description = o.description;
  if (!o.required && !o.optional) return { type: 'boolean', description };
  const repeatable = /repeatable/.test(description);
  const item: Schema = o.argChoices
    ? { type: 'string', enum: o.argChoices }
    : typeof o.defaultValue === 'number'
      ? { type: 'integer' }
      : { type: ['string', 'number'] };
  return repeatable ? { type: 'array', items: item, description } : { ...item, description };
}

export function configJsonSchema(audit: Command): Schema {
  const flags: Record<string, Schema> = {};
  for (const o of audit.options) {
    const key = o.long?.replace(/^--/, '');
    const name = key && o.negate ? key.slice(3) : key;
    if (!name || NOT_IN_CONFIG.has(name)) continue;
    flags[name] = o.negate
      ? { type: 'boolean', description: `false = ${o.long}: ${o.description}` }
      : VALUE_SCHEMA[name]
        ? { ...VALUE_SCHEMA[name], description: o.description }
        : flagSchema(o);
  }
  const rule = {
    type: 'object',
    additionalProperties: false,
    required: ['reason', 'owner', 'expires'],
    properties: {
      kind: { type: 'string', description: 'finding kind, e.g. single-provider' },
      layer: { enum: [...LAYERS] },
      provider: { type: 'string', description: 'provider id; * matches any text' },
      domain: { type: 'string', description: 'domain; * matches any text (*.example.com)' },
      reason: { type: 'string', minLength: 1 },
      owner: { type: 'string', minLength: 1 },
      expires: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' },
    },
    anyOf: [
      { required: ['kind'] },
      { required: ['layer'] },
      { required: ['provider'] },
      { required: ['domain'] },
    ],
  };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'singlepath.config.json',
    type: 'object',
    additionalProperties: false,
    properties: {
      $schema: { type: 'string' },
      audit: {
        type: 'object',
        additionalProperties: false,
        description:
          'defaults for `singlepath audit` and `whatif` flags, by flag name (flags on the command line win)',
        properties: Object.fromEntries(Object.entries(flags).sort(([a], [b]) => (a < b ? -1 : 1))),
      },
      ownDomains: {
        type: 'array',
        items: { type: 'string' },
        description: "registrable domains that are the organisation's own",
      },
      ownAsns: {
        type: 'array',
        items: { type: ['integer', 'string'] },
        description: "AS numbers that are the organisation's own",
      },
      catalogs: {
        type: 'array',
        items: { type: 'string' },
        description: 'extra catalogue files, relative to this file',
      },
      vantages: { type: 'array', items: { type: 'string' }, description: 'vantage points, as --vantage' },
      accept: {
        type: 'array',
        items: rule,
        description: 'accepted risks: reported, not counted for --fail-on',
      },
    },
  };
}
