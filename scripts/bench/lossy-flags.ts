// The --lossy flags of `npm run bench` and their run: parsed here so that bench.ts only hooks in.

import { renderLossy, runLossy } from './lossy.js';
import { LOSSY, type NetworkSpec } from './network.js';

export const lossyFlags = {
  lossy: { type: 'boolean', default: false },
  'lossy-n': { type: 'string', default: '100000' },
  'lossy-zones': { type: 'string', default: '10000' },
  'lossy-settings': { type: 'string', default: '50,100,200,400,auto' },
  'lossy-bare-n': { type: 'string', default: '20000' },
  'rate-limit': { type: 'string', default: String(LOSSY.rateLimit) },
  'rate-action': { type: 'string', default: LOSSY.rateAction },
  loss: { type: 'string', default: String(LOSSY.loss) },
  seed: { type: 'string', default: String(LOSSY.seed) },
} as const;

type Values = { [K in keyof typeof lossyFlags]?: string | boolean };

function fail(why: string): never {
  process.stderr.write(`bench: ${why}\n`);
  process.exit(2);
}

function num(name: string, value: unknown, min: number, max: number, integer = true): number {
  const n = Number(value);
  if (!(Number.isFinite(n) && n >= min && n <= max && (!integer || Number.isInteger(n))))
    fail(`--${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  return n;
}

/** Runs the lossy comparison; the exit code (2 on a harness failure). */
export async function runLossyFlags(values: Values, json: boolean): Promise<number> {
  const settings = String(values['lossy-settings'])
    .split(',')
    .filter(Boolean)
    .map((s) => (s === 'auto' || s === 'auto-fixed' ? s : num('lossy-settings', s, 1, 10_000)));
  const action = values['rate-action'];
  if (action !== 'drop' && action !== 'refuse') fail('--rate-action takes drop or refuse');
  const network: NetworkSpec = {
    ...LOSSY,
    loss: num('loss', values.loss, 0, 1, false),
    rateLimit: num('rate-limit', values['rate-limit'], 0, 10_000_000),
    rateAction: action,
    seed: num('seed', values.seed, 0, 2 ** 32 - 1),
  };
  const n = num('lossy-n', values['lossy-n'], 1, 10_000_000);
  const result = await runLossy({
    n,
    zones: Math.min(n, num('lossy-zones', values['lossy-zones'], 1, 10_000_000)),
    settings,
    network,
    bareN: num('lossy-bare-n', values['lossy-bare-n'], 1, 10_000_000),
    log: (line) => process.stderr.write(`bench: ${line}\n`),
  });
  process.stdout.write(json ? `${JSON.stringify({ lossy: result }, null, 2)}\n` : renderLossy(result));
  return result.failures.length ? 2 : 0;
}
