/**
 * Splits a stream of length-prefixed DNS messages (RFC 1035 4.2.2) into messages, whatever the
 * pieces it arrives in: several messages in one chunk, one message (its 2-byte prefix included)
 * split across many. The prefix caps a message at 65535 bytes, so one pending message never
 * holds more than that.
 */
export class FrameReader {
  /** First byte of a prefix whose second byte has not arrived yet; -1 when none. */
  #high = -1;
  #body: Buffer | undefined;
  #filled = 0;

  /** True while a message is partly received (a prefix byte or part of a body). */
  get partial(): boolean {
    return this.#high >= 0 || this.#body !== undefined;
  }

  /** The id (first two bytes) of the message partly received, once they have arrived. */
  get partialId(): number | undefined {
    return this.#body && this.#filled >= 2 ? this.#body.readUInt16BE(0) : undefined;
  }

  /** Feeds a chunk; returns every message it completes, in order (often none or one). */
  feed(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let at = 0;
    while (at < chunk.length) {
      if (!this.#body) {
        let length: number;
        if (this.#high >= 0) {
          length = (this.#high << 8) | chunk[at++]!;
          this.#high = -1;
        } else if (chunk.length - at >= 2) {
          length = chunk.readUInt16BE(at);
          at += 2;
        } else {
          this.#high = chunk[at++]!;
          continue;
        }
        if (chunk.length - at >= length) {
          // Whole message in this chunk: a copy, so that it does not pin the chunk in memory.
          out.push(Buffer.from(chunk.subarray(at, at + length)));
          at += length;
          continue;
        }
        this.#body = Buffer.allocUnsafe(length);
        this.#filled = 0;
      }
      const n = Math.min(chunk.length - at, this.#body.length - this.#filled);
      chunk.copy(this.#body, this.#filled, at, at + n);
      this.#filled += n;
      at += n;
      if (this.#filled === this.#body.length) {
        out.push(this.#body);
        this.#body = undefined;
      }
    }
    return out;
  }
}
