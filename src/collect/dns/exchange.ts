import { randomBytes } from 'node:crypto';
import type { RecordType } from '../../types.js';
import type { EcsSubnet } from './ecs.js';
import type { ParsedResponse } from './packet.js';

/** What one packet exchange with one resolver produced; never an exception. */
export type Outcome =
  | { kind: 'response'; response: ParsedResponse }
  | { kind: 'timeout' }
  | { kind: 'error'; code: string };

export interface Question {
  name: string;
  type: RecordType;
  /** Client subnet sent in the query (RFC 7871); the reply must echo it. */
  ecs?: EcsSubnet;
}

/** Copy of an encoded query with the message id written in (the id is the first 16 bits). */
export function withId(query: Buffer, id: number, offset = 0): Buffer {
  const out = Buffer.alloc(query.length + offset);
  query.copy(out, offset);
  out.writeUInt16BE(id, offset);
  return out;
}

/** Unpredictable 16-bit query ids; bytes drawn from the CSPRNG in batches to keep it cheap. */
export class IdSource {
  #pool = Buffer.alloc(0);
  #pos = 0;

  next(): number {
    if (this.#pos + 2 > this.#pool.length) {
      this.#pool = randomBytes(4096);
      this.#pos = 0;
    }
    const id = this.#pool.readUInt16BE(this.#pos);
    this.#pos += 2;
    return id;
  }

  /** 8 unpredictable bits (the 0x20 case of eight letters of a query name). */
  byte(): number {
    if (this.#pos + 1 > this.#pool.length) {
      this.#pool = randomBytes(4096);
      this.#pos = 0;
    }
    return this.#pool[this.#pos++]!;
  }
}
