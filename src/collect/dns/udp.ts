import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { IdSource, Outcome, Question } from './exchange.js';
import { parseResponse, randomiseCase } from './packet.js';
import type { ResolverAddress } from './resolver-address.js';

/** Large enough that a burst of thousands of replies is not dropped by the kernel. */
const RECV_BUFFER_BYTES = 4 * 1024 * 1024;
/** Random draws before giving up on a socket whose id space is crowded. */
const ID_TRIES = 32;
/**
 * Queries a socket sends before it is replaced by a new one on another random port (the kernel
 * picks a random ephemeral port for bind(0)). Four sockets on fixed ports for a whole run let an
 * off-path forger who learnt a port cover every id with 65,536 packets (issue 21); now a port
 * serves at most this many queries, and each also carries 0x20 case bits.
 */
export const ROTATE_AFTER = 64;
/**
 * Replies from a resolver that match a query in all but the case of its name, past which that
 * resolver is asked without case bits: one that folds the case (some forwarders do) would
 * otherwise answer nothing. Each such reply already had the right port and id (32 bits a forger
 * must guess), so turning the bits off costs no more than the defence before them.
 */
export const CASE_BLIND_AFTER = 2;

interface Pending {
  id: number;
  question: Question;
  /** The name as sent, 0x20 case included (absent without case bits: compared without case). */
  wireName?: string;
  resolver: ResolverAddress;
  timer: NodeJS.Timeout;
  /** The early-retransmit timer (Watch.softMs), while it has not fired. */
  soft: NodeJS.Timeout | undefined;
  done: (o: Outcome) => void;
}

/**
 * How an exchange that may be retransmitted before its timeout is watched (--concurrency auto's
 * learnt timeout): `onSoft` is called once, `softMs` after the query, if no answer came by then;
 * the query keeps listening for its answer until its own timeout all the same. `cancel` is handed
 * the means to end the exchange early (another attempt of the question was answered): its id is
 * freed, its timers cleared, and it resolves as the error CANCELLED.
 */
export interface Watch {
  softMs?: number;
  onSoft?: () => void;
  cancel?: (cancel: () => void) => void;
}

export const CANCELLED = 'CANCELLED';

interface Slot {
  socket: dgram.Socket;
  pending: Map<number, Pending>;
  /** Queries sent from it; past ROTATE_AFTER it takes no more and closes once its replies are in. */
  sent: number;
  retired: boolean;
  /** Connected to its resolver (connect() completes asynchronously); until then queries wait here. */
  connected: boolean;
  waiting: [Pending, Buffer][];
}

/**
 * A few UDP sockets per resolver, each connected to it (the kernel then delivers only that
 * address's datagrams, and a send names no address: no per-packet lookup or route), each
 * multiplexing outstanding queries by random 16-bit id and replaced every ROTATE_AFTER queries. A
 * reply is accepted only when its source, id and question all match an outstanding query (the
 * defence against off-path spoofing); everything else is dropped.
 */
export class UdpPool {
  /** Per resolver (the client's own objects, stable for the run): its sockets, opened lazily. */
  readonly #slots = new Map<ResolverAddress, Slot[]>();
  readonly #size: number;
  readonly #ids: IdSource;
  readonly #onDrop: () => void;
  /** Address family of each resolver seen (isIPv6 runs a long regex: once per resolver, not per packet). */
  readonly #families = new WeakMap<ResolverAddress, 'udp4' | 'udp6'>();
  /** Retired sockets still waiting for replies. */
  readonly #retired = new Set<Slot>();
  readonly #caseBits: boolean;
  /** Replies per resolver that matched but for the case of the name. */
  readonly #caseMismatches = new WeakMap<ResolverAddress, number>();
  #sockets = 0;
  #next = 0;
  #closed = false;

  /** `caseBits` false: names sent as given (a resolver that does not copy the question's case). */
  constructor(size: number, ids: IdSource, onDrop: () => void, caseBits = true) {
    this.#size = size;
    this.#ids = ids;
    this.#onDrop = onDrop;
    this.#caseBits = caseBits;
  }

  /** Sockets opened so far (rotation), for tests and statistics. */
  get socketsOpened(): number {
    return this.#sockets;
  }

  /** `query` gets the attempt's id written into its first two bytes: one buffer per attempt. */
  exchange(
    resolver: ResolverAddress,
    query: Buffer,
    question: Question,
    timeoutMs: number,
    watch?: Watch,
  ): Promise<Outcome> {
    if (this.#closed) return Promise.resolve({ kind: 'error', code: 'CLOSED' });
    const picked = this.#pick(resolver);
    if (!picked) return Promise.resolve({ kind: 'error', code: 'NO_FREE_ID' });
    const { slot, id } = picked;
    query.writeUInt16BE(id, 0);
    const caseBits = this.#caseBits && (this.#caseMismatches.get(resolver) ?? 0) < CASE_BLIND_AFTER;
    // Without case bits the name goes out in lower case again (a retry copies the last attempt).
    const written = this.#caseBits ? randomiseCase(query, caseBits ? () => this.#ids.byte() : () => 0) : '';
    const wireName = caseBits ? written : undefined;
    return new Promise<Outcome>((resolve) => {
      const p: Pending = {
        id,
        question,
        ...(wireName === undefined ? {} : { wireName }),
        resolver,
        timer: setTimeout(() => p.done({ kind: 'timeout' }), timeoutMs),
        // Declared here, set below: a property added or deleted later changes the object's shape.
        soft: undefined,
        done: (o) => {
          if (slot.pending.get(id) !== p) return;
          clearTimeout(p.timer);
          if (p.soft) clearTimeout(p.soft);
          slot.pending.delete(id);
          if (slot.retired && slot.pending.size === 0) this.#closeRetired(slot);
          resolve(o);
        },
      };
      slot.pending.set(id, p);
      const { softMs, onSoft } = watch ?? {};
      if (onSoft && softMs !== undefined && softMs < timeoutMs)
        p.soft = setTimeout(() => {
          p.soft = undefined;
          if (slot.pending.get(id) === p) onSoft();
        }, softMs);
      watch?.cancel?.(() => p.done({ kind: 'error', code: CANCELLED }));
      if (slot.connected) send(slot, p, query);
      else slot.waiting.push([p, query]);
    });
  }

  /** Closes every socket; queries still waiting resolve as CLOSED errors. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const slots = [...[...this.#slots.values()].flat(), ...this.#retired].filter(
      (s): s is Slot => s !== undefined,
    );
    this.#retired.clear();
    await Promise.all(
      slots.map(
        (slot) =>
          new Promise<void>((resolve) => {
            for (const p of [...slot.pending.values()]) p.done({ kind: 'error', code: 'CLOSED' });
            slot.socket.close(() => resolve());
          }),
      ),
    );
  }

  /** Round-robin over the resolver's sockets (opened lazily), with an id not outstanding on that socket. */
  #pick(resolver: ResolverAddress): { slot: Slot; id: number } | null {
    let slots = this.#slots.get(resolver);
    if (!slots) {
      slots = [];
      this.#slots.set(resolver, slots);
    }
    for (let s = 0; s < this.#size; s++) {
      const index = this.#next++ % this.#size;
      let slot = slots[index] ?? this.#open(resolver, slots, index);
      if (slot.sent >= ROTATE_AFTER) {
        this.#retire(slots, index, slot);
        slot = this.#open(resolver, slots, index);
      }
      for (let t = 0; t < ID_TRIES; t++) {
        const id = this.#ids.next();
        if (!slot.pending.has(id)) {
          slot.sent++;
          return { slot, id };
        }
      }
    }
    return null;
  }

  /** The socket takes no more queries; it closes once the replies it waits for are in. */
  #retire(slots: Slot[], index: number, slot: Slot): void {
    slot.retired = true;
    if (slots[index] === slot) delete slots[index];
    if (slot.pending.size === 0) this.#closeRetired(slot);
    else this.#retired.add(slot);
  }

  #closeRetired(slot: Slot): void {
    this.#retired.delete(slot);
    try {
      slot.socket.close();
    } catch {
      // already closed (the pool's close)
    }
  }

  #open(resolver: ResolverAddress, slots: Slot[], index: number): Slot {
    let family = this.#families.get(resolver);
    if (!family) {
      family = isIPv6(resolver.host) ? 'udp6' : 'udp4';
      this.#families.set(resolver, family);
    }
    const socket = dgram.createSocket(family);
    const slot: Slot = { socket, pending: new Map(), sent: 0, retired: false, connected: false, waiting: [] };
    this.#sockets++;
    socket.on('message', (msg, rinfo) => this.#onMessage(slot, msg, rinfo));
    // Send failures reach the send callback, a failed connect the queries waiting for it; anything
    // else (an ICMP error reported on the connected socket) just lets pending queries time out.
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (slot.connected) return;
      // The socket never connected (no route to that family, say): what waits fails now, and
      // the next query gets a socket of its own.
      const waiting = slot.waiting;
      slot.waiting = [];
      for (const [p] of waiting) p.done({ kind: 'error', code: err.code ?? 'ERROR' });
      if (!slot.retired) this.#retire(slots, index, slot);
    });
    socket.connect(resolver.port, resolver.host, () => {
      slot.connected = true;
      try {
        socket.setRecvBufferSize(RECV_BUFFER_BYTES);
      } catch {
        // The kernel may refuse (or cap) the size; the default buffer still works.
      }
      const waiting = slot.waiting;
      slot.waiting = [];
      for (const [p, query] of waiting) send(slot, p, query);
    });
    // Pending queries hold their timers, so an idle pool never keeps the process alive.
    socket.unref();
    slots[index] = slot;
    return slot;
  }

  #onMessage(slot: Slot, msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const p = msg.length >= 12 ? slot.pending.get(msg.readUInt16BE(0)) : undefined;
    const sourceOk = p !== undefined && rinfo.address === p.resolver.host && rinfo.port === p.resolver.port;
    const response = sourceOk
      ? parseResponse(
          msg,
          p.wireName === undefined
            ? { id: p.id, ...p.question }
            : { id: p.id, ...p.question, wireName: p.wireName },
        )
      : null;
    if (p && response) {
      p.done({ kind: 'response', response });
      return;
    }
    this.#onDrop();
    if (sourceOk && p.wireName !== undefined && parseResponse(msg, { id: p.id, ...p.question }))
      this.#caseMismatches.set(p.resolver, (this.#caseMismatches.get(p.resolver) ?? 0) + 1);
  }
}

/** One query on its slot's connected socket; a failure to send ends it at once. */
function send(slot: Slot, p: Pending, query: Buffer): void {
  if (slot.pending.get(p.id) !== p) return;
  slot.socket.send(query, (err) => {
    if (err) p.done({ kind: 'error', code: (err as NodeJS.ErrnoException).code ?? 'ERROR' });
  });
}
