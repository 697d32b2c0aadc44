export { createAsnDb } from './db.js';
export { buildAsnIndex, loadAsnDb } from './load.js';
export type { AsnDb, AsnDbOptions, AsnInfo, AsnRow } from './types.js';
