// An injected clock for ReplyChannel's timers: time moves only when the test
// says so, and refresh() re-arms a timer from "now" as Node's does (node:test's
// mock timers on Node 20 do not honour refresh()).
import type { ChannelTimer, ChannelTimers } from "../../src/control/client-channel.js";

interface ManualTimer extends ChannelTimer {
  due: number;
  active: boolean;
  readonly ms: number;
  readonly callback: () => void;
}

export class ManualClock implements ChannelTimers {
  now = 0;
  private readonly timers: ManualTimer[] = [];

  setTimeout(callback: () => void, ms: number): ChannelTimer {
    const clock = this;
    const timer: ManualTimer = {
      due: this.now + ms,
      active: true,
      ms,
      callback,
      refresh() {
        timer.due = clock.now + ms;
        timer.active = true;
        return timer;
      },
      unref() {
        return timer;
      },
    };
    this.timers.push(timer);
    return timer;
  }

  clearTimeout(timer: ChannelTimer): void {
    (timer as ManualTimer).active = false;
  }

  /** Moves time on by `ms`, firing every timer that falls due, in order. */
  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const next = this.timers.filter((t) => t.active && t.due <= until).sort((a, b) => a.due - b.due)[0];
      if (!next) break;
      this.now = next.due;
      next.active = false;
      next.callback();
    }
    this.now = until;
  }
}
