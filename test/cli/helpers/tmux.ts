// A pseudo-terminal for the interactive shell: tmux on a private socket,
// typed at with send-keys and read with capture-pane. `waitForScreen` polls
// the screen for expected text, bounded in count and time.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { setTimeout as delay } from "node:timers/promises";

const run = promisify(execFile);
export const TMUX = "/usr/bin/tmux";

export class TmuxSession {
  private constructor(private readonly socket: string, readonly name: string) {}

  /** Starts `command` (a shell line) in a detached 100×30 terminal. */
  static async start(command: string, cwd: string): Promise<TmuxSession> {
    const socket = `ftpwire-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    const session = new TmuxSession(socket, "cli");
    await run(TMUX, ["-L", socket, "-f", "/dev/null", "new-session", "-d", "-s", "cli", "-x", "100", "-y", "30", "-c", cwd, command]);
    // Keep the pane (and its last screen) after the program exits.
    await run(TMUX, ["-L", socket, "set-option", "-t", "cli", "remain-on-exit", "on"]).catch(() => {});
    return session;
  }

  /** Types literal text (no Enter). */
  async type(text: string): Promise<void> {
    await run(TMUX, ["-L", this.socket, "send-keys", "-t", this.name, "-l", text]);
  }

  /** Sends key names: "Enter", "Tab", "C-c", "C-d". */
  async keys(...keys: string[]): Promise<void> {
    await run(TMUX, ["-L", this.socket, "send-keys", "-t", this.name, ...keys]);
  }

  async screen(): Promise<string> {
    const { stdout } = await run(TMUX, ["-L", this.socket, "capture-pane", "-p", "-J", "-S", "-200", "-t", this.name]);
    return stdout;
  }

  /** Polls the screen until `test` holds (every 50 ms, at most `timeoutMs`); returns the screen. */
  async waitForScreen(test: RegExp | ((screen: string) => boolean), timeoutMs = 15_000): Promise<string> {
    const ok = typeof test === "function" ? test : (s: string) => test.test(s);
    const rounds = Math.ceil(timeoutMs / 50);
    let last = "";
    for (let i = 0; i < rounds; i++) {
      last = await this.screen();
      if (ok(last)) return last;
      await delay(50);
    }
    throw new Error(`screen never showed ${String(test)} within ${timeoutMs} ms; last screen:\n${last}`);
  }

  async stop(): Promise<void> {
    await run(TMUX, ["-L", this.socket, "kill-server"]).catch(() => {});
  }
}
