/**
 * The control connection's idle clock: `onIdle` runs once no command came
 * for `timeoutMs`. A command only records the time (`touch()`); the one
 * timer checks it when it fires and sleeps again for what is left, so a busy
 * session costs no timer operation per command.
 */
export class IdleTimer {
  private timer: NodeJS.Timeout | undefined;
  private lastActivity = 0;

  constructor(
    private readonly timeoutMs: number,
    private readonly onIdle: () => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** (Re)starts the clock from now. */
  start(): void {
    this.stop();
    this.lastActivity = this.now();
    this.schedule(this.timeoutMs);
  }

  /** Activity: the clock counts from now (no effect while stopped). */
  touch(): void {
    if (this.timer) this.lastActivity = this.now();
  }

  /** Stops the clock (during a transfer, at close). */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => {
      const left = this.lastActivity + this.timeoutMs - this.now();
      if (left > 0) return this.schedule(left);
      this.timer = undefined;
      this.onIdle();
    }, ms);
    this.timer.unref?.();
  }
}
