import type { Command, Option } from 'commander';
import { Acceptances, describeRule } from '../analyse/accept.js';
import { findConfig, loadConfig, type SinglepathConfig } from '../config/config.js';
import { ConfigError } from '../errors.js';
import { escapeTerminal } from '../report/escape.js';

// The config file's defaults applied to a command before its action runs: a value from the file
// fills an option the command line left at its default (defaults < config < flags), parsed and
// checked by the option's own parser, so a wrong value is an error naming the file and the key.

/** Top-level keys that are defaults for these flags. */
const FLAG_OF: Record<string, 'ownAsns' | 'catalogs' | 'vantages' | 'ownDomains'> = {
  'own-asn': 'ownAsns',
  catalog: 'catalogs',
  vantage: 'vantages',
  'own-domain': 'ownDomains',
};

function optionFor(cmd: Command, key: string): Option | undefined {
  return cmd.options.find(
    (o) => o.long === `--${key}` || (o.negate && o.long === `--no-${key}`) || o.attributeName() === key,
  );
}

function setDefault(cmd: Command, config: SinglepathConfig, key: string, value: unknown, path: string): void {
  const opt = optionFor(cmd, key);
  const fail = (why: string): never => {
    throw new ConfigError(`${config.file}: ${path}: ${why}`);
  };
  if (!opt || key === 'config' || opt.hidden) fail(`unknown flag --${key} for \`${cmd.name()}\``);
  const name = opt!.attributeName();
  const source = cmd.getOptionValueSource(name);
  if (source === 'cli' || source === 'env') return;
  if (!opt!.required && !opt!.optional) {
    // A flag without an argument: true or false. `"no-http": true` and `"http": false` say the same.
    if (typeof value !== 'boolean') fail('expected true or false');
    cmd.setOptionValueWithSource(name, opt!.negate && opt!.long === `--${key}` ? !value : value, 'config');
    return;
  }
  const items = Array.isArray(value) ? value : [value];
  let parsed: unknown;
  for (const [i, item] of items.entries()) {
    if (typeof item !== 'string' && typeof item !== 'number')
      fail(`${Array.isArray(value) ? `[${i}] ` : ''}expected a string or a number`);
    const text = String(item);
    if (opt!.argChoices && !opt!.argChoices.includes(text))
      fail(`"${escapeTerminal(text)}" is not one of ${opt!.argChoices.join(', ')}`);
    try {
      parsed = opt!.parseArg
        ? opt!.parseArg(text, parsed)
        : Array.isArray(value)
          ? [...((parsed as string[]) ?? []), text]
          : text;
    } catch (err) {
      fail((err as Error).message);
    }
  }
  cmd.setOptionValueWithSource(name, parsed, 'config');
}

/**
 * Loads the config (`--config FILE`, else singlepath.config.json from the working directory up,
 * unless --no-config) and applies it to the command's options; returns its accepted risks.
 */
export function applyConfig(
  cmd: Command,
  cwd: string,
): { config: SinglepathConfig | null; accept?: Acceptances } {
  const given = cmd.getOptionValue('config') as string | false | undefined;
  if (given === false) return { config: null };
  const file = given ?? findConfig(cwd);
  if (!file) return { config: null };
  const config = loadConfig(file);
  for (const [key, value] of Object.entries(config.audit)) {
    if (FLAG_OF[key] && (config[FLAG_OF[key]] as unknown[]).length > 0)
      throw new ConfigError(`${config.file}: audit.${key}: set both here and as ${FLAG_OF[key]}; keep one`);
    setDefault(cmd, config, key, value, `audit.${key}`);
  }
  for (const [flag, key] of Object.entries(FLAG_OF)) {
    const list = config[key] as (string | number)[];
    if (list.length > 0 && optionFor(cmd, flag)) setDefault(cmd, config, flag, list, key);
  }
  const today = new Date().toISOString().slice(0, 10);
  return config.accept.length ? { config, accept: new Acceptances(config.accept, today) } : { config };
}

/** Lines for stderr about rules that expired or matched nothing in the run. */
export function acceptanceLines(accept: Acceptances, file: string): string[] {
  const { expired, unused } = accept.report();
  return [
    ...expired.map(
      (u) =>
        `singlepath: warning: ${file}: accept[${u.index}] ${escapeTerminal(describeRule(u.rule))} has expired: ${u.matched} finding${u.matched === 1 ? '' : 's'} it matched count again; renew it or fix the risk`,
    ),
    ...unused.map(
      (u) =>
        `singlepath: warning: ${file}: accept[${u.index}] ${escapeTerminal(describeRule(u.rule))} matched no finding in this run; remove it`,
    ),
  ];
}
