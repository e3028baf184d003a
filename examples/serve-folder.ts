// Serves a folder over FTP with a small user table.
//
//   node --import tsx examples/serve-folder.ts [folder] [--port 2121] [--host 127.0.0.1] [--passive 50000-50100]
//   curl -u alice:wonderland ftp://127.0.0.1:2121/
//
// --port 0 takes a free port (printed at start); without --passive, each
// passive data connection gets a free port from the system.
//
// Each user sees their own sub-folder of `folder` as "/" ("alice" → folder/alice);
// "anonymous" gets the public folder read-only. Passwords are stored as scrypt
// hashes and compared in constant time; failed logins are delayed by the server.
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { randomBytes, scryptSync, timingSafeEqual } from "node:crypto";
import { createServer, LocalFileSystem } from "ftpwire";

interface UserEntry {
  readonly salt: Buffer;
  readonly hash: Buffer;
  readonly readOnly: boolean;
}

function entry(password: string, readOnly = false): UserEntry {
  const salt = randomBytes(16);
  return { salt, hash: scryptSync(password, salt, 32), readOnly };
}

// In a real app this comes from a database; here it is built at start-up.
const USERS: ReadonlyMap<string, UserEntry> = new Map([
  ["alice", entry("wonderland")],
  ["bob", entry("builder", true)],
]);

function checkPassword(user: UserEntry, password: string): boolean {
  return timingSafeEqual(scryptSync(password, user.salt, 32), user.hash);
}

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: { port: { type: "string", default: "2121" }, host: { type: "string", default: "127.0.0.1" }, passive: { type: "string" } },
});
const folder = resolve(positionals[0] ?? "./ftp-root");
const port = Number(args.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0 to 65535, got ${args.port}`);
/** "50000-50100" → [50000, 50100]; the server checks the numbers themselves. */
function portRange(text: string): [number, number] {
  const match = /^(\d+)-(\d+)$/.exec(text);
  if (!match) throw new Error(`--passive must look like 50000-50100, got ${text}`);
  return [Number(match[1]), Number(match[2])];
}

for (const name of [...USERS.keys(), "public"]) await mkdir(join(folder, name), { recursive: true });

const server = createServer({
  greeting: "Welcome to the ftpwire example server",
  ...(args.passive === undefined ? {} : { passive: { portRange: portRange(args.passive) } }),
  limits: { maxConnectionsPerAddress: 8 },
  timeouts: { idle: 600_000 },
  authenticate: ({ username, password }) => {
    if (username === "anonymous" || username === "ftp") {
      return { fileSystem: new LocalFileSystem(join(folder, "public")), readOnly: true };
    }
    const user = USERS.get(username);
    if (!user || !checkPassword(user, password)) return null;
    return {
      fileSystem: new LocalFileSystem(join(folder, username), { atomicUploads: true }),
      readOnly: user.readOnly,
    };
  },
  site: {
    // SITE WHOAMI → "200 alice from 127.0.0.1"
    WHOAMI: ({ session }) => ({ code: 200, text: `${session.username ?? "?"} from ${session.remoteAddress}` }),
  },
});

server.on("login", ({ session, username }) => console.log(`login ${username} from ${session.remoteAddress}`));
server.on("loginFailed", ({ session, username }) => console.log(`failed login ${username} from ${session.remoteAddress}`));
server.on("upload", (e) => console.log(`upload ${e.path} ${e.bytes} B in ${e.durationMs} ms${e.aborted ? " (aborted)" : ""}`));
server.on("download", (e) => console.log(`download ${e.path} ${e.bytes} B in ${e.durationMs} ms${e.aborted ? " (aborted)" : ""}`));
server.on("error", (error) => console.error("session error:", error.message));

const address = await server.listen({ host: args.host, port });
console.log(`serving ${folder} on ftp://${address.address}:${address.port}`);

// The library never installs signal handlers; the application decides how to stop.
process.once("SIGINT", () => {
  console.log("closing…");
  void server.close({ graceMs: 5000 }).then(() => process.exit(0));
});
