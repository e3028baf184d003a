/**
 * Connection and session commands: open, user, close, bye/quit, status,
 * passive/active, the toggles (verbose, debug, hash, prompt, progress),
 * type/binary/ascii, feat, quote, lcd.
 */
import { homedir } from "node:os";
import { stat } from "node:fs/promises";
import { FtpReplyError, CLIENT_DEFAULTS } from "../../index.js";
import { describeError, exitCodeFor } from "../exit-codes.js";
import { parseTarget, tlsOptions, withCredentials, type Target } from "../target.js";
import { argCount, toggle, usageError, type ShellCommand } from "./command.js";
import { ShellError, replyText, type ShellState } from "./state.js";

const ANONYMOUS = new Set(["anonymous", "ftp"]);

/** Connects and logs in to `state.target`, asking for what is missing (a terminal) or going anonymous (a script). */
export async function login(state: ShellState, user?: string, password?: string): Promise<void> {
  const target = state.target!;
  const host = target.options.host;
  let name = user ?? target.user;
  if (name === undefined) {
    if (state.input.interactive) {
      const local = state.localUserName();
      const answer = await state.input.read(`Name (${host}:${local}): `);
      if (answer === null) throw new ShellError("Login failed.", 3);
      name = answer.trim() || local;
    } else name = CLIENT_DEFAULTS.user;
  }
  let secret = password ?? (name === target.user ? target.password : undefined);
  if (secret === undefined) {
    if (state.input.interactive || !ANONYMOUS.has(name)) {
      const answer = await state.input.readSecret("Password:");
      if (answer === null) throw new ShellError("Login failed.", 3);
      secret = answer;
    } else secret = CLIENT_DEFAULTS.password;
  }
  const client = state.makeClient(name, secret, { ...tlsOptions(target, state.tlsFlags), ...(target.path ? { path: target.path } : {}) });
  state.hold("all");
  try {
    await client.connect();
  } catch (error) {
    if (error instanceof FtpReplyError) {
      state.out(`Connected to ${host}.`);
      state.release();
      if (!state.settings.verbose) state.out(replyText(error.reply));
      throw new ShellError("Login failed.", error.replyCode === 530 ? 3 : 2);
    }
    state.release();
    throw new ShellError(`ftp: ${host}: ${describeError(error)}`, 2);
  }
  state.client = client;
  state.user = name;
  state.password = secret;
  state.out(`Connected to ${host}.`);
  state.release();
  if (state.input.interactive && state.settings.verbose) state.out(`Using ${state.settings.type} mode to transfer files.`);
}

/** Closes the connection (QUIT) if there is one. */
export async function disconnect(state: ShellState): Promise<void> {
  const client = state.client;
  state.client = undefined;
  state.remoteNames = undefined;
  await client?.close();
}

/** Reconnects with the current login (after a mode change: the Client fixes its mode when made), back in the same directory. */
async function reconnect(state: ShellState): Promise<void> {
  if (!state.client?.connected) return;
  const cwd = await state.client.pwd();
  const wasVerbose = state.settings.verbose;
  state.settings.verbose = false;
  try {
    await disconnect(state);
    await login(state, state.user, state.password);
    await state.client!.cd(cwd);
  } finally {
    state.settings.verbose = wasVerbose;
  }
}

const onOff = (b: boolean) => (b ? "on" : "off");

export const open: ShellCommand = {
  names: ["open"],
  usage: "open host [port]   (or ftp://, ftps://, ftpes:// URL, user@host:port)",
  help: "connect to remote ftp server",
  async run(state, args) {
    argCount(this, args, 1, 2);
    if (state.client?.connected) throw new ShellError(`Already connected to ${state.target?.options.host}, use close first.`, 1);
    const port = args[1] === undefined ? undefined : Number(args[1]);
    if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) usageError(this);
    state.target = await withCredentials(parseTarget(args[0]!, port), state.io.env);
    await login(state);
  },
};

export const user: ShellCommand = {
  names: ["user"],
  usage: "user user-name [password [account]]",
  help: "send new user information",
  async run(state, args) {
    argCount(this, args, 1, 3);
    if (!state.target) throw new ShellError("Not connected.", 2);
    if (args[2] !== undefined) state.target = { ...state.target, account: args[2] } as Target;
    await disconnect(state);
    await login(state, args[0], args[1]);
  },
};

export const close: ShellCommand = {
  names: ["close", "disconnect"],
  usage: "close",
  help: "terminate ftp session",
  async run(state) {
    if (!state.client?.connected) throw new ShellError("Not connected.", 2);
    await disconnect(state);
  },
};

export const bye: ShellCommand = {
  names: ["bye", "quit", "exit"],
  usage: "bye",
  help: "terminate ftp session and exit",
  async run(state) {
    await disconnect(state);
    return "exit";
  },
};

export const status: ShellCommand = {
  names: ["status"],
  usage: "status",
  help: "show current status",
  async run(state) {
    const s = state.settings;
    const c = state.client;
    const lines = [c?.connected ? `Connected to ${c.options.host} port ${c.options.port} as ${state.user}.` : "Not connected."];
    const tls = c?.tlsInfo();
    if (tls) lines.push(`TLS: ${tls.protocol ?? "?"}, data ${c?.options.dataProtection === "clear" ? "clear" : "protected"}.`);
    lines.push(
      `Mode: stream; Type: ${s.type}; Structure: file.`,
      `Passive mode: ${onOff(s.mode === "passive")}.`,
      `Verbose: ${onOff(s.verbose)}; Debugging: ${onOff(s.debug)}; Hash mark printing: ${s.hashBytes > 0 ? `on (${s.hashBytes} bytes/hash mark)` : "off"}.`,
      `Interactive prompting: ${onOff(s.prompt)}; Progress bar: ${onOff(s.progress)}.`,
      `Local directory: ${state.localCwd}.`,
    );
    state.out(lines.join("\n"));
  },
};

function modeCommand(names: string[], help: string, pick: (current: "passive" | "active", arg: string | undefined, self: ShellCommand) => "passive" | "active"): ShellCommand {
  return {
    names,
    usage: `${names[0]} [on|off]`,
    help,
    async run(state, args) {
      argCount(this, args, 0, 1);
      state.settings.mode = pick(state.settings.mode, args[0], this);
      state.out(`Passive mode: ${onOff(state.settings.mode === "passive")}.`);
      await reconnect(state);
    },
  };
}

export const passive = modeCommand(["passive"], "toggle passive transfer mode", (current, arg, self) =>
  toggle(self, current === "passive", arg) ? "passive" : "active");
export const active = modeCommand(["active"], "use active transfer mode (the server connects to us)", (_c, arg, self) =>
  toggle(self, false, arg ?? "on") ? "active" : "passive");

function flagCommand(name: string, help: string, get: (s: ShellState) => boolean, set: (s: ShellState, v: boolean) => void, say: (v: boolean) => string): ShellCommand {
  return {
    names: [name],
    usage: `${name} [on|off]`,
    help,
    async run(state, args) {
      argCount(this, args, 0, 1);
      const v = toggle(this, get(state), args[0]);
      set(state, v);
      state.out(say(v));
    },
  };
}

export const verbose = flagCommand("verbose", "toggle verbose mode", (s) => s.settings.verbose, (s, v) => (s.settings.verbose = v), (v) => `Verbose mode ${onOff(v)}.`);
export const debugCommand = flagCommand("debug", "toggle debugging (show commands sent)", (s) => s.settings.debug, (s, v) => (s.settings.debug = v), (v) => `Debugging ${onOff(v)}.`);
export const prompt = flagCommand("prompt", "toggle interactive prompting on multiple commands", (s) => s.settings.prompt, (s, v) => (s.settings.prompt = v), (v) => `Interactive mode ${onOff(v)}.`);
export const progress = flagCommand("progress", "toggle the progress bar (on a terminal)", (s) => s.settings.progress, (s, v) => (s.settings.progress = v), (v) => `Progress bar ${onOff(v)}.`);

export const hash: ShellCommand = {
  names: ["hash"],
  usage: "hash [on|off|bytes-per-mark]",
  help: "toggle printing `#' for each buffer transferred",
  async run(state, args) {
    argCount(this, args, 0, 1);
    const arg = args[0];
    if (arg !== undefined && /^\d+[kKmM]?$/.test(arg)) {
      const n = Number.parseInt(arg, 10) * (/[kK]$/.test(arg) ? 1024 : /[mM]$/.test(arg) ? 1 << 20 : 1);
      if (n < 1) usageError(this);
      state.settings.hashBytes = n;
    } else state.settings.hashBytes = toggle(this, state.settings.hashBytes > 0, arg) ? state.settings.hashBytes || 1024 : 0;
    const n = state.settings.hashBytes;
    state.out(n > 0 ? `Hash mark printing on (${n} bytes/hash mark).` : "Hash mark printing off.");
  },
};

function typeCommand(names: string[], type: "binary" | "ascii"): ShellCommand {
  return {
    names,
    usage: names[0]!,
    help: `set ${type} transfer type`,
    async run(state, args) {
      argCount(this, args, 0, 0);
      state.settings.type = type;
      state.out(`Using ${type} mode to transfer files.`);
    },
  };
}

export const binary = typeCommand(["binary", "image"], "binary");
export const ascii = typeCommand(["ascii"], "ascii");

export const type: ShellCommand = {
  names: ["type"],
  usage: "type [ascii|binary|image]",
  help: "set file transfer type",
  async run(state, args) {
    argCount(this, args, 0, 1);
    const arg = args[0]?.toLowerCase();
    if (arg === undefined) return void state.out(`Using ${state.settings.type} mode to transfer files.`);
    if (arg === "ascii" || arg === "a") state.settings.type = "ascii";
    else if (arg === "binary" || arg === "image" || arg === "i") state.settings.type = "binary";
    else usageError(this);
    state.out(`Using ${state.settings.type} mode to transfer files.`);
  },
};

/** Sends a raw command and prints its reply (always: it is the answer the user asked for). */
async function raw(state: ShellState, line: string): Promise<void> {
  const client = state.requireClient();
  const wasVerbose = state.settings.verbose;
  state.settings.verbose = false; // the event printer stays quiet; the reply is printed once, here
  let reply;
  try {
    reply = await client.send(line, { allowFailure: true });
  } finally {
    state.settings.verbose = wasVerbose;
  }
  state.out(replyText(reply));
  // Already printed: the shell only needs to count the failure (and its exit code for -e).
  if (reply.code >= 400) throw new ShellError("", exitCodeFor(new FtpReplyError(reply, { command: line })));
}

export const quote: ShellCommand = {
  names: ["quote", "literal"],
  usage: "quote command [arguments]",
  help: "send an arbitrary ftp command",
  async run(state, args) {
    if (args.length === 0) usageError(this);
    await raw(state, args.join(" "));
  },
};

export const feat: ShellCommand = {
  names: ["feat", "features"],
  usage: "feat",
  help: "show the server's features (FEAT)",
  async run(state, args) {
    argCount(this, args, 0, 0);
    await raw(state, "FEAT");
  },
};

export const lcd: ShellCommand = {
  names: ["lcd"],
  usage: "lcd [local-directory]",
  help: "change local working directory",
  async run(state, args) {
    argCount(this, args, 0, 1);
    const dir = state.local(args[0] ?? state.io.env.HOME ?? homedir());
    const info = await stat(dir);
    if (!info.isDirectory()) throw new ShellError(`local: ${dir}: Not a directory`, 5);
    state.localCwd = dir;
    state.out(`Local directory now: ${dir}`);
  },
};

export const CONNECTION_COMMANDS: readonly ShellCommand[] = [
  open, user, close, bye, status, passive, active, verbose, debugCommand, prompt, progress, hash, binary, ascii, type, quote, feat, lcd,
];
