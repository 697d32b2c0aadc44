import net from 'node:net';
import type { IdSource, Outcome, Question } from './exchange.js';
import { parseResponse } from './packet.js';
import type { ResolverAddress } from './resolver-address.js';
import { FrameReader } from './tcp.js';

export interface TcpPoolOptions {
  ids: IdSource;
  /** Called for every message dropped: undecodable, or no query outstanding with its id and question. */
  onDrop: () => void;
  /** Shared connections open at once per resolver (default 2). */
  connections?: number;
  /** Queries outstanding on one connection (default 100). */
  perConnection?: number;
  /** A connection with nothing outstanding for this long is closed (default 2000 ms). */
  idleMs?: number;
  /** Queries waiting for room on a resolver's connections (default 4096); past it: an error. */
  maxQueued?: number;
  /**
   * A connection inside a message that receives nothing for this long is given up (default
   * 1000 ms): a reply announced and never delivered would hold every later one on it.
   */
  stallMs?: number;
  /**
   * Waits for the resolver's rate limit (--qps) before a query is sent again on another
   * connection: true at once or a promise (false: closed meanwhile). First sends are paced by
   * the caller before exchange().
   */
  pace?: (resolver: ResolverAddress) => true | Promise<boolean>;
}

/** Random draws for an id not outstanding on a connection (at most 100 of 65536 are taken). */
const ID_TRIES = 32;
/** Times a query goes back to the shared connections after losing one, before it is isolated. */
const MAX_RESENDS = 3;

interface Job {
  /** The encoded query; each send writes its own id into a framed copy. */
  query: Buffer;
  question: Question;
  lane: Lane;
  timer: NodeJS.Timeout;
  resolve: (o: Outcome) => void;
  settled: boolean;
  conn: Conn | undefined;
  id: number;
  /** Sent again on the shared connections after one was lost under it. */
  resent: number;
  /** Sent again on a connection of its own already. */
  isolated: boolean;
}

interface Conn {
  socket: net.Socket;
  reader: FrameReader;
  pending: Map<number, Job>;
  /** Carries one query sent again alone; closed once it settles. */
  solo: boolean;
  connected: boolean;
  /** Replies matched on this connection: a server that answers some and then closes is making progress. */
  answered: number;
  dead: boolean;
  idle: NodeJS.Timeout | undefined;
  /** Armed while the reader is inside a message. */
  stall: NodeJS.Timeout | undefined;
  error: string | undefined;
}

interface Lane {
  resolver: ResolverAddress;
  /** The caller's own resolver object, for its rate limiter. */
  origin: ResolverAddress;
  /** Shared connections, at most `connections`. */
  conns: Conn[];
  /** Connections carrying one query sent again alone, at most `connections`. */
  solos: Set<Conn>;
  queue: Job[];
  /** Queries waiting for a solo connection. */
  soloQueue: Job[];
  /**
   * Queries sent on one connection at once. Starts at `perConnection`; a server that closed a
   * connection after answering k while more were outstanding gets at most k a connection from
   * then on (RFC 7766 lets it close), so that queries are not sent again and again.
   */
  depth: number;
}

/**
 * DNS over TCP with connection reuse and pipelining (RFC 7766 6.2.1): per resolver a few shared
 * connections, each carrying up to `perConnection` queries at once told apart by id, replies
 * accepted in any order when id and question match a query outstanding on that connection;
 * further queries wait in a bounded FIFO. Each query has its own timer from the moment it is
 * handed over (queueing and connecting included).
 *
 * A connection lost under its queries (closed or reset by the server, stuck half-way through a
 * reply) concerns only those. If it had answered some, the others are sent again on the shared
 * connections (up to MAX_RESENDS times); otherwise (or when a query's own reply is the one that
 * stuck) each is sent again once on a connection of its own, so that one query that makes the
 * server hang up cannot keep taking its neighbours down with it. Then it fails. A connection
 * idle for `idleMs` is closed.
 */
export class TcpPool {
  /** By "host port": callers need not hand over the same address object each time. */
  readonly #lanes = new Map<string, Lane>();
  readonly #ids: IdSource;
  readonly #onDrop: () => void;
  readonly #connections: number;
  readonly #perConnection: number;
  readonly #idleMs: number;
  readonly #maxQueued: number;
  readonly #stallMs: number;
  readonly #pace: ((resolver: ResolverAddress) => true | Promise<boolean>) | undefined;
  #opened = 0;
  #closed = false;

  constructor(options: TcpPoolOptions) {
    this.#ids = options.ids;
    this.#onDrop = options.onDrop;
    this.#connections = options.connections ?? 2;
    this.#perConnection = options.perConnection ?? 100;
    this.#idleMs = options.idleMs ?? 2000;
    this.#maxQueued = options.maxQueued ?? 4096;
    this.#stallMs = options.stallMs ?? 1000;
    this.#pace = options.pace;
  }

  /** Connections opened so far (shared and solo). */
  get opened(): number {
    return this.#opened;
  }

  exchange(
    resolver: ResolverAddress,
    query: Buffer,
    question: Question,
    timeoutMs: number,
  ): Promise<Outcome> {
    if (this.#closed) return Promise.resolve({ kind: 'error', code: 'CLOSED' });
    const key = `${resolver.host} ${resolver.port}`;
    let lane = this.#lanes.get(key);
    if (!lane) {
      lane = {
        resolver: { host: resolver.host, port: resolver.port },
        origin: resolver,
        conns: [],
        solos: new Set(),
        queue: [],
        soloQueue: [],
        depth: this.#perConnection,
      };
      this.#lanes.set(key, lane);
    }
    if (lane.queue.length >= this.#maxQueued)
      return Promise.resolve({ kind: 'error', code: 'TCP_QUEUE_FULL' });
    const home = lane;
    return new Promise<Outcome>((resolve) => {
      const job: Job = {
        query,
        question,
        lane: home,
        timer: setTimeout(() => this.#timeout(job), timeoutMs),
        resolve,
        settled: false,
        conn: undefined,
        id: 0,
        resent: 0,
        isolated: false,
      };
      this.#place(job);
    });
  }

  /** Ends every connection; queries outstanding or queued resolve as CLOSED errors. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const closed: Outcome = { kind: 'error', code: 'CLOSED' };
    for (const lane of this.#lanes.values()) {
      for (const job of [...lane.queue.splice(0), ...lane.soloQueue.splice(0)]) this.#settle(job, closed);
      for (const conn of [...lane.conns.splice(0), ...lane.solos]) {
        conn.dead = true;
        clearTimeout(conn.idle);
        clearTimeout(conn.stall);
        conn.socket.destroy();
        for (const job of [...conn.pending.values()]) this.#settle(job, closed);
      }
      lane.solos.clear();
    }
    this.#lanes.clear();
  }

  /** On a shared connection with room, a new one if the lane may open one, else at the end of the queue. */
  #place(job: Job): void {
    const lane = job.lane;
    let conn = lane.conns.find((c) => !c.dead && c.pending.size < lane.depth);
    if (!conn && lane.conns.length < this.#connections) conn = this.#open(lane, false);
    if (conn) this.#send(conn, job);
    else lane.queue.push(job);
  }

  #send(conn: Conn, job: Job): void {
    let id = -1;
    for (let t = 0; t < ID_TRIES && id < 0; t++) {
      const draw = this.#ids.next();
      if (!conn.pending.has(draw)) id = draw;
    }
    if (id < 0) {
      this.#settle(job, { kind: 'error', code: 'NO_FREE_ID' });
      return;
    }
    job.conn = conn;
    job.id = id;
    conn.pending.set(id, job);
    if (conn.idle) {
      clearTimeout(conn.idle);
      conn.idle = undefined;
    }
    const frame = Buffer.allocUnsafe(job.query.length + 2);
    frame.writeUInt16BE(job.query.length, 0);
    job.query.copy(frame, 2);
    frame.writeUInt16BE(id, 2);
    conn.socket.write(frame);
  }

  #open(lane: Lane, solo: boolean): Conn {
    this.#opened++;
    const socket = net.connect({ host: lane.resolver.host, port: lane.resolver.port });
    const conn: Conn = {
      socket,
      reader: new FrameReader(),
      pending: new Map(),
      solo,
      connected: false,
      answered: 0,
      dead: false,
      idle: undefined,
      stall: undefined,
      error: undefined,
    };
    if (solo) lane.solos.add(conn);
    else lane.conns.push(conn);
    socket.setNoDelay(true);
    // Outstanding queries hold their timers: an idle connection never keeps the process alive.
    socket.unref();
    socket.on('connect', () => {
      conn.connected = true;
    });
    socket.on('data', (chunk: Buffer) => this.#onData(lane, conn, chunk));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      conn.error = err.code ?? 'ERROR';
    });
    // The server's FIN: nothing more will be answered here, so stop sending on it at once.
    socket.on('end', () => this.#retire(lane, conn, 'ECONNRESET'));
    socket.on('close', () => this.#retire(lane, conn, conn.error ?? 'ECONNRESET'));
    return conn;
  }

  #onData(lane: Lane, conn: Conn, chunk: Buffer): void {
    if (conn.dead) return;
    for (const message of conn.reader.feed(chunk)) {
      const job = message.length >= 12 ? conn.pending.get(message.readUInt16BE(0)) : undefined;
      const response = job ? parseResponse(message, { id: job.id, ...job.question }) : null;
      if (!job || !response) {
        this.#onDrop();
        continue;
      }
      conn.answered++;
      // Still open past the depth learnt: the early close was not the server's habit; grow back.
      if (!conn.solo && conn.answered > lane.depth && lane.depth < this.#perConnection)
        lane.depth = Math.min(this.#perConnection, lane.depth * 2);
      this.#settle(job, { kind: 'response', response });
    }
    clearTimeout(conn.stall);
    conn.stall = undefined;
    if (conn.reader.partial && !conn.dead) {
      conn.stall = setTimeout(() => this.#retire(lane, conn, 'STALLED'), this.#stallMs);
      conn.stall.unref();
    }
  }

  /**
   * Takes a connection out of use at once (closed by the server, failed, stuck or idle): what was
   * outstanding on it goes elsewhere or fails, and queued queries get their turn.
   */
  #retire(lane: Lane, conn: Conn, code: string): void {
    if (conn.dead) return;
    conn.dead = true;
    clearTimeout(conn.idle);
    clearTimeout(conn.stall);
    if (conn.solo) lane.solos.delete(conn);
    else {
      const at = lane.conns.indexOf(conn);
      if (at >= 0) lane.conns.splice(at, 1);
    }
    // Whose reply was stuck half-way, when its id got through: the others only queued behind it.
    const stuck = conn.reader.partialId;
    conn.socket.destroy();
    const orphans = [...conn.pending.values()];
    conn.pending.clear();
    // The server closed after answering some while more were outstanding: that many a connection
    // from now on. Only a close by the server teaches it (not a stall or our own timeout), and a
    // connection the server kept open until it idled out gives the full depth back.
    const closedByServer = code !== 'STALLED' && code !== 'IDLE' && code !== 'DONE';
    if (!conn.solo && closedByServer && conn.answered > 0 && orphans.length > 0)
      lane.depth = Math.min(lane.depth, conn.answered);
    if (!conn.solo && code === 'IDLE') lane.depth = this.#perConnection;
    for (const job of orphans) {
      job.conn = undefined;
      if (!conn.connected || this.#closed) this.#settle(job, { kind: 'error', code });
      else if (conn.answered > 0 && job.id !== stuck && job.resent < MAX_RESENDS) {
        job.resent++;
        this.#again(job, () => this.#place(job));
      } else if (!job.isolated) {
        job.isolated = true;
        this.#again(job, () => this.#alone(job));
      } else this.#settle(job, { kind: 'error', code });
    }
    if (conn.solo) this.#nextSolo(lane);
    this.#drain(lane);
  }

  /** A query sent again goes through the rate limit first, like any packet. */
  #again(job: Job, send: () => void): void {
    const go = this.#pace?.(job.lane.origin) ?? true;
    if (go === true) {
      send();
      return;
    }
    void go.then((ok) => {
      if (job.settled) return;
      if (!ok || this.#closed) this.#settle(job, { kind: 'error', code: 'CLOSED' });
      else send();
    });
  }

  /** On a connection of its own, or waiting for one while `connections` are already alone. */
  #alone(job: Job): void {
    const lane = job.lane;
    if (lane.solos.size < this.#connections) this.#send(this.#open(lane, true), job);
    else lane.soloQueue.push(job);
  }

  #nextSolo(lane: Lane): void {
    while (!this.#closed && lane.soloQueue.length > 0 && lane.solos.size < this.#connections)
      this.#send(this.#open(lane, true), lane.soloQueue.shift()!);
  }

  #timeout(job: Job): void {
    const conn = job.conn;
    this.#settle(job, { kind: 'timeout' });
    // Stuck inside a message (a length announced and never delivered): nothing after it can
    // arrive on this connection. End it so the others outstanding on it are sent again elsewhere.
    if (conn && !conn.dead && conn.reader.partial) this.#retire(job.lane, conn, 'STALLED');
  }

  #settle(job: Job, outcome: Outcome): void {
    if (job.settled) return;
    job.settled = true;
    clearTimeout(job.timer);
    const conn = job.conn;
    if (conn) {
      conn.pending.delete(job.id);
      job.conn = undefined;
      if (!conn.dead) this.#freed(job.lane, conn);
    } else {
      for (const queue of [job.lane.queue, job.lane.soloQueue]) {
        const at = queue.indexOf(job);
        if (at >= 0) queue.splice(at, 1);
      }
    }
    job.resolve(outcome);
  }

  /** A slot came free on `conn`: hand it the next queued query, or close or idle it. */
  #freed(lane: Lane, conn: Conn): void {
    if (conn.solo) {
      if (conn.pending.size === 0) this.#retire(lane, conn, 'DONE');
      return;
    }
    while (lane.queue.length > 0 && conn.pending.size < lane.depth && !this.#closed) {
      this.#send(conn, lane.queue.shift()!);
    }
    if (conn.pending.size === 0 && !conn.idle) {
      conn.idle = setTimeout(() => this.#retire(lane, conn, 'IDLE'), this.#idleMs);
      conn.idle.unref();
    }
  }

  /** After a connection went away: queued queries get a place on the remaining or a new one. */
  #drain(lane: Lane): void {
    if (this.#closed) return;
    while (lane.queue.length > 0) {
      const room =
        lane.conns.some((c) => !c.dead && c.pending.size < lane.depth) ||
        lane.conns.length < this.#connections;
      if (!room) break;
      this.#place(lane.queue.shift()!);
    }
  }
}
