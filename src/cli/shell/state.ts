/**
 * The shell's session: the connected Client (if any), where it goes and as
 * whom, the toggles of ftp(1) (verbose, hash, prompt, passive, type), the
 * local directory, and how replies are printed — every reply when verbose,
 * like ftp(1), but not the housekeeping the library does on its own (FEAT,
 * OPTS, TYPE, PBSZ/PROT).
 */
import { resolve } from "node:path";
import { userInfo } from "node:os";
import { Client, type ClientOptions, type Reply } from "../../index.js";
import type { CliIo } from "../io.js";
import type { Target, TlsFlags } from "../target.js";
import type { LineInput } from "./line-input.js";

/** A shell command's own failure ("Not connected.", a usage line): printed, and counted for -e. */
export class ShellError extends Error {
  override readonly name = "ShellError";
  constructor(message: string, readonly exitCode: number) {
    super(message);
  }
}

export interface ShellSettings {
  verbose: boolean;
  debug: boolean;
  /** Bytes per hash mark, 0 = off. */
  hashBytes: number;
  progress: boolean;
  /** Ask before each file of mget/mput/mdelete. */
  prompt: boolean;
  mode: "passive" | "active";
  type: "binary" | "ascii";
}

const HOUSEKEEPING: ReadonlySet<string> = new Set(["FEAT", "OPTS", "TYPE", "PBSZ", "PROT", "HOST"]);

/** The lines of a reply as they were on the wire: `123-first`, middle lines, `123 last`. */
export function replyText(reply: Reply): string {
  const { code, lines } = reply;
  if (lines.length <= 1) return `${code} ${lines[0] ?? ""}`;
  return lines.map((l, i) => (i === 0 ? `${code}-${l}` : i === lines.length - 1 ? `${code} ${l}` : l)).join("\n");
}

export class ShellState {
  client: Client | undefined;
  target: Target | undefined;
  user: string | undefined;
  password: string | undefined;
  localCwd: string;
  readonly settings: ShellSettings;
  /** The running transfer's abort (Ctrl-C), if one runs. */
  abortRunning: (() => void) | undefined;
  /** Remote names of the working directory, for tab completion; cleared when it may have changed. */
  remoteNames: string[] | undefined;
  /** While set, final replies wait here so a listing prints between its 150 and its 226. */
  private held: Reply[] | undefined;
  /** "transfer": hold only what follows the 150 (the 229 before it prints at once); "all": the login's replies. */
  private holdFrom: "all" | "transfer" = "all";
  private sawPreliminary = false;
  private lastVerb: string | undefined;
  /** Set while a transfer runs: its SIZE/MDTM/REST round trips are housekeeping too. */
  inTransfer = false;
  /** Set while tab completion lists the directory: nothing may print over the line being typed. */
  silent = false;

  constructor(
    readonly io: CliIo,
    readonly input: LineInput,
    readonly tlsFlags: TlsFlags,
    settings: Partial<ShellSettings> = {},
  ) {
    this.localCwd = io.cwd;
    this.settings = {
      verbose: input.interactive,
      debug: false,
      hashBytes: 0,
      progress: input.interactive && io.stdout.isTTY === true,
      prompt: input.interactive,
      mode: "passive",
      type: "binary",
      ...settings,
    };
  }

  out(text: string): void {
    this.io.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
  }

  err(text: string): void {
    this.io.stderr.write(text.endsWith("\n") ? text : `${text}\n`);
  }

  requireClient(): Client {
    if (!this.client?.connected) throw new ShellError("Not connected.", 2);
    return this.client;
  }

  local(path: string): string {
    return resolve(this.localCwd, path);
  }

  localUserName(): string {
    try {
      return userInfo().username;
    } catch {
      return "anonymous";
    }
  }

  /** Holds replies until `release()`: all of them, or (a transfer) the final ones after its 150. */
  hold(from: "all" | "transfer" = "transfer"): void {
    this.held = [];
    this.holdFrom = from;
    this.sawPreliminary = false;
  }

  release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const r of held) this.out(replyText(r));
  }

  private showReply(reply: Reply): void {
    const verb = this.lastVerb;
    if (verb !== undefined && HOUSEKEEPING.has(verb)) return;
    if (this.inTransfer && (verb === "SIZE" || verb === "MDTM" || verb === "MLST")) return;
    if (!this.settings.verbose || this.silent) return;
    if (reply.code < 200) this.sawPreliminary = true;
    const holding = this.held && (this.holdFrom === "all" || (this.sawPreliminary && reply.code >= 200));
    if (holding) this.held!.push(reply);
    else this.out(replyText(reply));
  }

  /** A new Client for the current target, with the shell's printers attached. */
  makeClient(user: string, password: string, extra: Partial<ClientOptions>): Client {
    const target = this.target!;
    const client = new Client(
      { ...target.options, ...extra, user, password, ...(target.account !== undefined ? { account: target.account } : {}), mode: this.settings.mode },
      {},
    );
    client.on("command", (line) => {
      this.lastVerb = line.split(" ", 1)[0]!.toUpperCase();
      if (this.settings.debug && !this.silent) this.out(`---> ${line}`);
    });
    client.on("reply", (reply) => this.showReply(reply));
    client.on("close", (error) => {
      if (this.client !== client) return;
      this.client = undefined;
      this.remoteNames = undefined;
      if (error) this.out(`Connection closed: ${error.message}`);
    });
    return client;
  }

  /** After a failure of a command: prints the server's reply when verbose did not already show it. */
  printFailureReply(reply: Reply | undefined): boolean {
    if (!reply) return false;
    if (!this.settings.verbose) this.out(replyText(reply));
    return true;
  }
}
