// The bare client of the lossy bench: each domain asked as the audit asks it, in rounds that wait
// for one another (A, then the final name's AAAA; SOA, then the zone's NS, then the name servers'
// addresses; MX, then the mail hosts'), with at most `limit` domains in flight and the audit's
// timeout and retries. Its mean time per domain is the wire's own: what `limit` domains in flight
// could reach with no work beside the packets (the concurrency-bound ideal, lossy.ts).
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';
import { domainName, finalName, hasMx, zoneApex } from './model.js';

type Ask = [name: string, type: string];
type Round = Ask[];
type Chain = Round[];

/** The rounds of domain i: the zone's questions only for the first domain of each zone. */
export function domainChains(i: number, zones: number, firstOfZone: boolean): Chain[] {
  const d = domainName(i, zones);
  const chains: Chain[] = [[[[d, 'A']], [[finalName(i, zones), 'AAAA']]]];
  if (!firstOfZone) return [...chains, [[[d, 'SOA']]]];
  const j = i % zones;
  const apex = zoneApex(j);
  const addresses = (hosts: string[]): Round =>
    hosts.flatMap((h): Ask[] => [
      [`${h}.${apex}`, 'A'],
      [`${h}.${apex}`, 'AAAA'],
    ]);
  chains.push([[[d, 'SOA']], [[apex, 'NS']], addresses(['ns1', 'ns2'])]);
  chains.push(hasMx(j) ? [[[apex, 'MX']], addresses(['mx1', 'mx2'])] : [[[apex, 'MX']]]);
  chains.push([
    [
      [apex, 'TXT'],
      [`_dmarc.${apex}`, 'TXT'],
    ],
  ]);
  return chains;
}

export interface LossyClientOptions {
  port: number;
  n: number;
  zones: number;
  /**
   * Ask every stride-th domain of the list (0, stride, 2·stride...): a sample with the list's mix
   * of first and later domains of each zone when the stride divides the number of zones.
   */
  stride?: number;
  /** Domains in flight at once. */
  limit: number;
  timeoutMs: number;
  retries: number;
}

export interface LossyClientResult {
  domains: number;
  elapsedMs: number;
  /** Mean time from a domain's first packet to its last answer. */
  meanDomainMs: number;
  sent: number;
  answered: number;
  timeouts: number;
  refused: number;
  /** Questions with no answer after every attempt, and the domains that had one. */
  lostQuestions: number;
  failedDomains: number;
}

interface Pending {
  ask: Ask;
  id: number;
  attempts: number;
  timer: NodeJS.Timeout | undefined;
  done: () => void;
  failed: () => void;
}

export async function lossyBareClient(opts: LossyClientOptions): Promise<LossyClientResult> {
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20 });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const slots: (Pending | undefined)[] = new Array(65536);
  const r: LossyClientResult = {
    domains: 0,
    elapsedMs: 0,
    meanDomainMs: 0,
    sent: 0,
    answered: 0,
    timeouts: 0,
    refused: 0,
    lostQuestions: 0,
    failedDomains: 0,
  };
  let nextId = 0;
  let totalDomainMs = 0;
  const send = (p: Pending): void => {
    while (slots[nextId]) nextId = (nextId + 1) & 0xffff;
    p.id = nextId;
    nextId = (nextId + 1) & 0xffff;
    slots[p.id] = p;
    p.attempts++;
    r.sent++;
    const [name, type] = p.ask;
    socket.send(
      dnsPacket.encode({
        type: 'query',
        id: p.id,
        flags: dnsPacket.RECURSION_DESIRED,
        questions: [{ type: type as dnsPacket.RecordType, name, class: 'IN' }],
        additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232 } as dnsPacket.OptAnswer],
      }),
      opts.port,
      '127.0.0.1',
    );
    p.timer = setTimeout(() => {
      slots[p.id] = undefined;
      r.timeouts++;
      if (p.attempts <= opts.retries) send(p);
      else p.failed();
    }, opts.timeoutMs);
  };
  socket.on('message', (msg) => {
    const p = msg.length >= 12 ? slots[msg.readUInt16BE(0)] : undefined;
    if (!p) return;
    dnsPacket.decode(msg);
    slots[p.id] = undefined;
    clearTimeout(p.timer);
    r.answered++;
    if ((msg[3]! & 0x0f) === 5) r.refused++;
    p.done();
  });
  const askRound = (round: Round, onLost: () => void): Promise<void> =>
    Promise.all(
      round.map(
        (ask) =>
          new Promise<void>((resolve) => {
            const p: Pending = {
              ask,
              id: 0,
              attempts: 0,
              timer: undefined,
              done: resolve,
              failed: () => {
                r.lostQuestions++;
                onLost();
                resolve();
              },
            };
            send(p);
          }),
      ),
    ).then(() => {});
  const seen = new Uint8Array(opts.zones);
  const domain = async (i: number): Promise<void> => {
    const j = i % opts.zones;
    const chains = domainChains(i, opts.zones, !seen[j]);
    seen[j] = 1;
    let lost = false;
    const onLost = (): void => {
      lost = true;
    };
    const started = performance.now();
    await Promise.all(
      chains.map(async (chain) => {
        for (const round of chain) await askRound(round, onLost);
      }),
    );
    totalDomainMs += performance.now() - started;
    r.domains++;
    if (lost) r.failedDomains++;
  };
  const started = performance.now();
  const stride = opts.stride ?? 1;
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(opts.limit, opts.n) }, async () => {
      while (next < opts.n) await domain(stride * next++);
    }),
  );
  r.elapsedMs = performance.now() - started;
  r.meanDomainMs = r.domains ? totalDomainMs / r.domains : 0;
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return r;
}
