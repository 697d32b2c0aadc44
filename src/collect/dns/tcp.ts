import net from 'node:net';
import { type Outcome, type Question, withId } from './exchange.js';
import { parseResponse } from './packet.js';
import type { ResolverAddress } from './resolver-address.js';

/**
 * Reassembles one length-prefixed DNS message (RFC 1035 4.2.2) from a stream that may deliver
 * it in pieces of any size, the 2-byte prefix included. The prefix caps a message at 65535.
 */
export class FrameReader {
  #prefix: number[] = [];
  #body: Buffer | undefined;
  #filled = 0;

  /** Feeds a chunk; returns the message once complete. Bytes after it are ignored. */
  push(chunk: Buffer): Buffer | null {
    let offset = 0;
    while (!this.#body && offset < chunk.length) {
      this.#prefix.push(chunk[offset++]!);
      if (this.#prefix.length === 2) this.#body = Buffer.alloc((this.#prefix[0]! << 8) | this.#prefix[1]!);
    }
    if (!this.#body) return null;
    const n = Math.min(chunk.length - offset, this.#body.length - this.#filled);
    chunk.copy(this.#body, this.#filled, offset, offset + n);
    this.#filled += n;
    return this.#filled === this.#body.length ? this.#body : null;
  }
}

export interface TcpContext {
  /** Open connections, so that closing the client can end them. */
  sockets: Set<net.Socket>;
  onDrop: () => void;
}

/** One query over a fresh TCP connection; the timeout covers connect, send and reply. */
export function tcpExchange(
  resolver: ResolverAddress,
  query: Buffer,
  id: number,
  question: Question,
  timeoutMs: number,
  ctx: TcpContext,
): Promise<Outcome> {
  return new Promise<Outcome>((resolve) => {
    const socket = net.connect({ host: resolver.host, port: resolver.port });
    const reader = new FrameReader();
    let finished = false;
    const finish = (o: Outcome) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      ctx.sockets.delete(socket);
      socket.destroy();
      resolve(o);
    };
    const timer = setTimeout(() => finish({ kind: 'timeout' }), timeoutMs);
    ctx.sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('connect', () => {
      const frame = withId(query, id, 2);
      frame.writeUInt16BE(query.length, 0);
      socket.write(frame);
    });
    socket.on('data', (chunk: Buffer) => {
      const message = reader.push(chunk);
      if (!message) return;
      const response = parseResponse(message, { id, ...question });
      if (!response) ctx.onDrop();
      finish(response ? { kind: 'response', response } : { kind: 'error', code: 'BAD_RESPONSE' });
    });
    socket.on('error', (err: NodeJS.ErrnoException) => finish({ kind: 'error', code: err.code ?? 'ERROR' }));
    socket.on('close', () => finish({ kind: 'error', code: 'ECONNRESET' }));
  });
}
