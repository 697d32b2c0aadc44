// The DNS responder child's UDP path through the network model (network.ts): each query is
// lost, refused or dropped past the rate limit, or answered after its drawn delay.
import { createNetwork, type NetworkSpec } from './network.js';
import { parseQuery, statusReply } from './wire.js';

export interface NetworkCounters {
  lost: number;
  refused: number;
  rateDropped: number;
}

export type UdpHandler = (msg: Buffer, send: (out: Buffer) => void) => void;

/** The responder's `answer` seen through `spec`; counters of what the network did, for stats. */
export function throughNetwork(
  spec: NetworkSpec,
  answer: (msg: Buffer) => Buffer | null,
): { handle: UdpHandler; counters: NetworkCounters } {
  const fate = createNetwork(spec);
  const counters: NetworkCounters = { lost: 0, refused: 0, rateDropped: 0 };
  const handle: UdpHandler = (msg, send) => {
    const v = fate();
    if (v.kind === 'lost') return void counters.lost++;
    if (v.kind === 'drop') return void counters.rateDropped++;
    let out: Buffer | null;
    if (v.kind === 'refuse') {
      const q = parseQuery(msg);
      out = q ? statusReply(msg, q, 5) : null;
      counters.refused++;
    } else out = answer(msg);
    if (!out) return;
    const reply = out;
    setTimeout(() => send(reply), v.kind === 'answer' ? v.delayMs : 0);
  };
  return { handle, counters };
}

/** The spec a child was started with (its first argument, JSON), or null for the plain lab. */
export function networkArg(arg: string | undefined): NetworkSpec | null {
  return arg ? (JSON.parse(arg) as NetworkSpec) : null;
}
