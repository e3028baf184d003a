/**
 * The shell's input: one readline interface over stdin, whether a person
 * types (a terminal: prompt, history, tab completion, no echo for passwords)
 * or a script pipes commands in (no prompt, lines read in order). Lines that
 * arrive while a command runs wait in a queue; EOF (Ctrl-D) reads as null.
 */
import { createInterface, type Completer, type AsyncCompleter, type Interface } from "node:readline";
import { Writable } from "node:stream";
import type { CliIo } from "../io.js";

export class LineInput {
  private readonly rl: Interface;
  private readonly queue: string[] = [];
  private waiting: ((line: string | null) => void) | undefined;
  private ended = false;
  private muted = false;
  private interruptHandler: (() => boolean) | undefined;

  constructor(
    private readonly io: CliIo,
    readonly interactive: boolean,
    completer?: Completer | AsyncCompleter,
  ) {
    // On a terminal, readline echoes through this writable, which a password prompt mutes.
    const stdout = io.stdout;
    const muted = () => this.muted;
    const output = new Writable({
      write(chunk, _encoding, callback) {
        if (!muted()) stdout.write(chunk);
        callback();
      },
    }) as Writable & { isTTY: boolean; columns: number };
    output.isTTY = true;
    Object.defineProperty(output, "columns", { get: () => stdout.columns ?? 80 });
    if (interactive && "on" in stdout) stdout.on("resize", () => output.emit("resize"));
    this.rl = createInterface({
      input: io.stdin,
      ...(interactive ? { output, terminal: true, historySize: 500, ...(completer ? { completer } : {}) } : { terminal: false }),
    });
    this.rl.on("line", (line) => this.push(line));
    this.rl.on("close", () => {
      this.ended = true;
      this.take(null);
    });
    this.rl.on("SIGINT", () => {
      if (this.interruptHandler?.()) return;
      // At the prompt, as ftp(1): drop what was typed and prompt again.
      this.rl.write(null, { ctrl: true, name: "u" });
      this.io.stdout.write("\n");
      if (this.waiting) this.rl.prompt();
    });
  }

  /** Ctrl-C on a terminal (readline catches it, not the process). The handler returns true when it used it (a transfer aborted). */
  onInterrupt(handler: (() => boolean) | undefined): void {
    this.interruptHandler = handler;
  }

  private push(line: string): void {
    if (this.waiting) this.take(line);
    else this.queue.push(line);
  }

  private take(line: string | null): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.(line);
  }

  /** The next line (without its newline), or null at the end of input. Shows `prompt` on a terminal. */
  read(prompt: string): Promise<string | null> {
    const queued = this.queue.shift();
    // A line typed ahead while a command ran was echoed then; it is not shown again.
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.ended) return Promise.resolve(null);
    if (this.interactive) {
      this.rl.setPrompt(prompt);
      this.rl.prompt();
    }
    return new Promise((resolve) => (this.waiting = resolve));
  }

  /** Reads a line without echo (a terminal) and keeps it out of the history. */
  async readSecret(prompt: string): Promise<string | null> {
    if (!this.interactive) return this.read(prompt);
    this.io.stdout.write(prompt);
    this.muted = true;
    try {
      const queued = this.queue.shift();
      const line = queued ?? (this.ended ? null : await new Promise<string | null>((resolve) => (this.waiting = resolve)));
      const history = (this.rl as unknown as { history?: string[] }).history;
      if (line !== null && history?.[0] === line) history.shift();
      return line;
    } finally {
      this.muted = false;
      this.io.stdout.write("\n");
    }
  }

  close(): void {
    this.rl.close();
  }
}
