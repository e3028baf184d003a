// The reply side of the raw test clients (plain and FTPS): bytes in, parsed
// replies queued, and `next()` waiting for one with a deadline.
import { ReplyParser } from "../../../src/protocol/reply-parser.js";
import type { Reply } from "../../../src/protocol/types.js";

export class ReplyInbox {
  private parser = new ReplyParser();
  private readonly replies: Reply[] = [];
  private waiter: (() => void) | undefined;
  private closedFlag = false;

  /** Bytes from the server. */
  push(chunk: Buffer): void {
    for (const reply of this.parser.push(chunk)) this.replies.push(reply);
    this.wake();
  }

  /** A fresh parser (the connection was upgraded to TLS: nothing may straddle it). */
  resetParser(): void {
    this.parser = new ReplyParser();
  }

  /** The connection closed: waiting with nothing queued now fails. */
  close(): void {
    this.closedFlag = true;
    this.wake();
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  get empty(): boolean {
    return this.replies.length === 0;
  }

  /** The next reply; rejects after `timeoutMs` or when the connection closed with none left. */
  async next(timeoutMs: number): Promise<Reply> {
    const deadline = Date.now() + timeoutMs;
    while (this.replies.length === 0) {
      if (this.closedFlag) throw new Error("connection closed, no reply");
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no reply within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.replies.shift() as Reply;
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }
}
