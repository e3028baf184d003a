/**
 * `ftpwire serve [dir]`: a folder over FTP with no configuration, the way
 * `python -m pyftpdlib` works. Anonymous and read-only by default; on
 * SIGINT/SIGTERM it stops accepting, lets running transfers finish within the
 * grace period, and exits 0.
 */
import { readFile, stat } from "node:fs/promises";
import { networkInterfaces } from "node:os";
import { resolve } from "node:path";
import { createServer, LocalFileSystem, SERVER_DEFAULTS, type FtpServerOptions } from "../index.js";
import { flag, helpText, integerOption, parseCommand, stringList, stringOption, type CommandSpec } from "./args.js";
import { EXIT, LocalFileError, UsageError } from "./exit-codes.js";
import type { CliIo } from "./io.js";
import { attachServeLog, type LogStyle } from "./serve-log.js";
import { ANONYMOUS_NAMES, usersFromFile, usersFromFlags, type UserEntry } from "./serve-users.js";

export const SERVE_SPEC: CommandSpec = {
  name: "serve",
  summary: "serve a folder over FTP (anonymous, read-only by default)",
  usage: ["serve [options] [dir]"],
  options: {
    write: { type: "boolean", short: "w", description: "allow uploads, deletes, renames and mkdir" },
    user: { type: "string", short: "u", multiple: true, value: "NAME:PASSWORD", description: "a login (replaces anonymous)" },
    users: { type: "string", value: "FILE.json", description: 'logins with scrypt hashes: {"alice":{"password":"scrypt$…","write":true}} (see ftpwire hash-password)' },
    port: { type: "string", short: "p", value: "PORT", description: "control port (default 2121; 0 picks a free one)" },
    host: { type: "string", value: "ADDRESS", description: "address to listen on (default 127.0.0.1; 0.0.0.0 or :: for every interface)" },
    "pasv-range": { type: "string", value: "LOW-HIGH", description: "passive data ports, e.g. 50000-50100 (default: any free port)" },
    "public-address": { type: "string", value: "IPV4", description: "address announced in PASV replies (behind NAT)" },
    "tls-cert": { type: "string", value: "FILE", description: "PEM certificate: enables explicit FTPS (AUTH TLS)" },
    "tls-key": { type: "string", value: "FILE", description: "PEM private key of --tls-cert" },
    "implicit-tls": { type: "boolean", description: "TLS from the first byte (implicit FTPS, ftps://)" },
    "require-tls": { type: "boolean", description: "refuse logins and transfers without TLS" },
    "max-connections": { type: "string", value: "N", description: `most simultaneous connections (default ${SERVER_DEFAULTS.limits.maxConnections})` },
    quiet: { type: "boolean", short: "q", description: "print only the URL and errors" },
    "json-log": { type: "boolean", description: "one JSON object per event (login, upload, download, mkdir, delete, rename, disconnect)" },
  },
  details: [
    "Anonymous users (\"anonymous\" or \"ftp\", any password) may log in unless --user or --users is given.",
    "Ctrl-C (SIGINT) or SIGTERM stops the server; running transfers get the grace period to finish.",
  ],
};

function portRange(text: string): [number, number] {
  const m = /^(\d+)-(\d+)$/.exec(text);
  const low = Number(m?.[1]), high = Number(m?.[2]);
  if (!m || low < 1024 || high > 65535 || low > high) {
    throw new UsageError(`ftpwire serve: --pasv-range must be LOW-HIGH within 1024-65535, got ${JSON.stringify(text)}`);
  }
  return [low, high];
}

async function readPem(file: string, what: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    throw new LocalFileError(`cannot read ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

async function checkFolder(dir: string): Promise<void> {
  let isDirectory = false;
  try {
    isDirectory = (await stat(dir)).isDirectory();
  } catch (error) {
    throw new LocalFileError(`cannot serve ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (!isDirectory) throw new LocalFileError(`cannot serve ${dir}: not a directory`);
}

/** The URLs to print: the bound address, or each interface's address for a wildcard bind. */
function urls(address: string, port: number, scheme: string, user: string | undefined): string[] {
  const at = user ? `${encodeURIComponent(user)}@` : "";
  const hostText = (h: string) => (h.includes(":") ? `[${h}]` : h);
  if (address !== "0.0.0.0" && address !== "::") return [`${scheme}://${at}${hostText(address)}:${port}/`];
  const found: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const i of list ?? []) if (i.family === "IPv4" || address === "::") found.push(`${scheme}://${at}${hostText(i.address)}:${port}/`);
  }
  return found.length ? found : [`${scheme}://${at}127.0.0.1:${port}/`];
}

export async function runServe(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(SERVE_SPEC, argv);
  if (flag(values, "help")) {
    io.stdout.write(helpText(SERVE_SPEC));
    return EXIT.ok;
  }
  if (positionals.length > 1) throw new UsageError("ftpwire serve: give at most one folder");
  const root = resolve(io.cwd, positionals[0] ?? ".");
  await checkFolder(root);
  const write = flag(values, "write");
  const users = new Map<string, UserEntry>(usersFromFlags(stringList(values, "user"), write));
  const usersFile = stringOption(values, "users");
  if (usersFile !== undefined) for (const [name, entry] of await usersFromFile(resolve(io.cwd, usersFile), write)) users.set(name, entry);
  const anonymous = users.size === 0;

  const certFile = stringOption(values, "tls-cert");
  const keyFile = stringOption(values, "tls-key");
  if ((certFile === undefined) !== (keyFile === undefined)) throw new UsageError("ftpwire serve: --tls-cert and --tls-key go together");
  const implicitTls = flag(values, "implicit-tls");
  const requireTls = flag(values, "require-tls");
  if ((implicitTls || requireTls) && certFile === undefined) throw new UsageError("ftpwire serve: --implicit-tls and --require-tls need --tls-cert and --tls-key");
  const pasv = stringOption(values, "pasv-range");
  const publicAddress = stringOption(values, "public-address");
  const maxConnections = integerOption(values, "max-connections", 1, 1_000_000, "serve");
  const port = integerOption(values, "port", 0, 65535, "serve") ?? 2121;
  const host = stringOption(values, "host") ?? "127.0.0.1";
  const style: LogStyle = flag(values, "json-log") ? "json" : flag(values, "quiet") ? "quiet" : "text";

  const options: FtpServerOptions = {
    authenticate: async ({ username, password }) => {
      const fileSystem = new LocalFileSystem(root);
      if (anonymous) return ANONYMOUS_NAMES.has(username.toLowerCase()) ? { fileSystem, readOnly: !write } : null;
      const user = users.get(username);
      if (!user || !(await user.check(password))) return null;
      return { fileSystem, readOnly: !user.write };
    },
    ...(pasv !== undefined || publicAddress !== undefined
      ? { passive: { ...(pasv !== undefined ? { portRange: portRange(pasv) } : {}), ...(publicAddress !== undefined ? { publicAddress } : {}) } }
      : {}),
    ...(maxConnections !== undefined ? { limits: { maxConnections } } : {}),
    ...(certFile !== undefined && keyFile !== undefined
      ? { tls: { cert: await readPem(certFile, "--tls-cert"), key: await readPem(keyFile, "--tls-key") }, secure: implicitTls ? "implicit" : "explicit", requireTls: requireTls ? "all" : "none" }
      : {}),
  };
  const server = createServer(options);
  const out = (line: string) => void io.stdout.write(line);
  attachServeLog(server, style, out, (line) => void io.stderr.write(line));
  const address = await server.listen({ host, port });
  const scheme = implicitTls ? "ftps" : certFile !== undefined ? "ftpes" : "ftp";
  const firstUser = anonymous ? undefined : [...users.keys()][0];
  const shown = urls(address.address, address.port, scheme, firstUser);
  const access = `${anonymous ? "anonymous" : `${users.size} user${users.size === 1 ? "" : "s"}`}, ${write ? "read-write" : "read-only"}`;
  if (style === "json") out(JSON.stringify({ time: new Date().toISOString(), event: "listening", root, urls: shown, address: address.address, port: address.port, access }) + "\n");
  else out(`Serving ${root} (${access}) on ${shown.join(" ")}\n`);

  return new Promise<number>((done) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      if (style === "text") out(`${signal}: closing (running transfers get ${SERVER_DEFAULTS.shutdownGraceMs} ms)\n`);
      server.close().then(
        () => done(EXIT.ok),
        (error: unknown) => {
          io.stderr.write(`ftpwire serve: close failed: ${(error as Error).message}\n`);
          done(EXIT.connection);
        },
      );
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
