/**
 * `ftpwire <command> …`: picks the subcommand, runs it, and turns any error
 * into one line on stderr and the documented exit code. Each subcommand
 * module is loaded only when named, so `ftpwire serve` does not load the
 * interactive shell and vice versa.
 */
import { readFileSync, realpathSync } from "node:fs";
import { dirname, join } from "node:path";
import { EXIT, UsageError, describeError, exitCodeFor } from "./exit-codes.js";
import type { CliIo } from "./io.js";

interface Subcommand {
  readonly summary: string;
  readonly run: (argv: readonly string[], io: CliIo) => Promise<number>;
}

function oneShot(name: string, summary: string): Subcommand {
  return { summary, run: async (argv, io) => (await import("./oneshot.js")).runOneShot(name, argv, io) };
}

const COMMANDS: Readonly<Record<string, Subcommand>> = {
  open: { summary: "an ftp(1) session (interactive, or commands on stdin)", run: async (a, io) => (await import("./open.js")).runOpen(a, io) },
  serve: { summary: "serve a folder over FTP", run: async (a, io) => (await import("./serve.js")).runServe(a, io) },
  ls: oneShot("ls", "list a remote directory (-l long, --json)"),
  stat: oneShot("stat", "show a remote file's type, size and time (--json)"),
  cat: oneShot("cat", "write a remote file to stdout"),
  get: oneShot("get", "download a remote file"),
  put: oneShot("put", "upload a local file"),
  rm: oneShot("rm", "delete remote files (-r for directories)"),
  mkdir: oneShot("mkdir", "create a remote directory (-p)"),
  mv: oneShot("mv", "rename a remote file"),
  mirror: { summary: "copy a directory tree to or from a server (--parallel N)", run: async (a, io) => (await import("./mirror.js")).runMirror(a, io) },
  "hash-password": { summary: "print an scrypt hash for serve --users", run: async (a, io) => (await import("./hash-password.js")).runHashPassword(a, io) },
};

export function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length)) + 2;
  return [
    "ftpwire — FTP and FTPS from the command line",
    "",
    "Usage:",
    "  ftpwire <command> [options] [arguments]",
    "",
    "Commands:",
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}${c.summary}`),
    "",
    'Run "ftpwire <command> --help" for the options of one command, "ftpwire --version" for the version.',
    "",
  ].join("\n");
}

function looksLikeHost(word: string): boolean {
  return !word.startsWith("-") && (/[.:@/]/.test(word) || word === "localhost");
}

/** The version of the installed package: the nearest package.json named "ftpwire" above the running script. */
function packageVersion(): string {
  try {
    let dir = dirname(realpathSync(process.argv[1] ?? "."));
    for (let i = 0; i < 8; i++, dir = dirname(dir)) {
      try {
        const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string; version?: string };
        if (pkg.name === "ftpwire" && pkg.version) return pkg.version;
      } catch {
        // no package.json here: one folder up
      }
    }
  } catch {
    // argv[1] unreadable: unknown
  }
  return "unknown";
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === "--help" || name === "-h" || name === "help") {
      const topic = name === "help" ? rest[0] : undefined;
      if (topic !== undefined && COMMANDS[topic]) return await COMMANDS[topic].run(["--help"], io);
      (name === undefined ? io.stderr : io.stdout).write(mainHelp());
      return name === undefined ? EXIT.usage : EXIT.ok;
    }
    if (name === "--version" || name === "-V") {
      io.stdout.write(`ftpwire ${packageVersion()}\n`);
      return EXIT.ok;
    }
    const command = COMMANDS[name];
    // `ftpwire host` is `ftpwire open host`, as `ftp host` is; a bare word that is no host is a typo.
    if (!command && (looksLikeHost(name) || name.startsWith("-"))) return await COMMANDS.open!.run(argv, io);
    if (!command) throw new UsageError(`ftpwire: unknown command ${JSON.stringify(name)}`);
    return await command.run(rest, io);
  } catch (error) {
    const code = exitCodeFor(error);
    io.stderr.write(`${describeError(error)}\n`);
    if (code === EXIT.usage) io.stderr.write(`Try "ftpwire ${name && COMMANDS[name] ? `${name} ` : ""}--help".\n`);
    return code;
  }
}
