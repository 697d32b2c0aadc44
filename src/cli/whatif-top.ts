import { InputError } from '../errors.js';
import type { Layer } from '../types.js';

// whatif's choice of outage: named providers (--provider), or the top K of a layer (--top K
// --layer L), checked before anything is read.

export interface WhatIfFlags {
  provider?: string[];
  top?: string;
  layer?: Layer;
}

/** The K of --top (undefined without it); a usage error for a missing or contradictory choice. */
export function outageChoice(flags: WhatIfFlags): number | undefined {
  if (flags.top === undefined) {
    if (!flags.provider?.length) throw new InputError('whatif needs --provider ID, or --top K --layer LAYER');
    return undefined;
  }
  if (flags.provider?.length) throw new InputError('whatif takes --provider or --top, not both');
  if (!flags.layer) throw new InputError('--top needs --layer (dns, cdn, cloud, ca or email)');
  const k = Number(flags.top);
  if (!Number.isInteger(k) || k < 1)
    throw new InputError(`--top must be a whole number of 1 or more, not "${flags.top}"`);
  return k;
}
