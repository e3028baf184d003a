/** Every shell command, `help`, and name lookup (ftp(1) accepts any unambiguous prefix: "bin" is binary). */
import { argCount, type ShellCommand } from "./command.js";
import { CONNECTION_COMMANDS } from "./connection-commands.js";
import { FILE_COMMANDS } from "./file-commands.js";
import { ShellError } from "./state.js";
import { TRANSFER_COMMANDS } from "./transfer-commands.js";

const help: ShellCommand = {
  names: ["help", "?"],
  usage: "help [command]",
  help: "print local help information",
  async run(state, args) {
    if (args.length === 0) {
      const names = ALL_COMMANDS.flatMap((c) => c.names).concat("!").sort();
      const width = Math.max(...names.map((n) => n.length)) + 2;
      const perRow = Math.max(1, Math.floor(Math.min(state.io.stdout.columns ?? 80, 80) / width));
      const rows: string[] = [];
      for (let i = 0; i < names.length; i += perRow) rows.push(names.slice(i, i + perRow).map((n) => n.padEnd(width)).join("").trimEnd());
      state.out(["Commands may be abbreviated.  Commands are:", "", ...rows].join("\n"));
      return;
    }
    for (const name of args) {
      if (name === "!") {
        state.out("!\t\tescape to the shell (!command runs it)");
        continue;
      }
      const c = findCommand(name);
      state.out(c ? `${c.names.join("/")}\t\t${c.help}\n\tusage: ${c.usage}` : `?Invalid help command ${name}`);
    }
  },
};

const shellEscape: ShellCommand = {
  names: ["!"],
  usage: "!command",
  help: "escape to the shell",
  async run() {
    argCount(this, [], 0, 0);
  },
};

export const ALL_COMMANDS: readonly ShellCommand[] = [...CONNECTION_COMMANDS, ...FILE_COMMANDS, ...TRANSFER_COMMANDS, help];

const BY_NAME = new Map<string, ShellCommand>(ALL_COMMANDS.flatMap((c) => c.names.map((n) => [n, c] as const)));

export function commandNames(): string[] {
  return [...BY_NAME.keys()].sort();
}

/** The command named exactly, or the only one this is a prefix of. */
export function findCommand(name: string): ShellCommand | undefined {
  const exact = BY_NAME.get(name);
  if (exact) return exact;
  const matches = new Set([...BY_NAME].filter(([n]) => n.startsWith(name)).map(([, c]) => c));
  if (matches.size > 1) throw new ShellError("?Ambiguous command.", 1);
  return matches.values().next().value;
}

export { shellEscape };
