// Pieces every launcher needs: defaults, temp dirs, the system user that owns
// the served files, TLS files, and assembling the RunningPeer object.
import { access, chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { constants } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as delay } from "node:timers/promises";
import { makeTestCertificate } from "../certs.js";
import { runCommand } from "../tools.js";
import type { LaunchedProcess } from "./process.js";
import type { PeerName, PeerOptions, PeerTlsOptions, RunningPeer } from "./types.js";

export const DEFAULT_USER = "ftpwire";
export const DEFAULT_PASSWORD = "ftpwire-pass";
export const DEFAULT_MAX_CONNECTIONS = 200;
export const DEFAULT_START_TIMEOUT_MS = 10_000;
/** How many times a start is retried when the free port was taken meanwhile. */
export const PORT_ATTEMPTS = 4;

/** Repository root (test/support/peers → ../../..). */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
/** Where .ci/install-peers.sh unpacks pure-ftpd and proftpd. */
export const PEERS_DIR = join(REPO_ROOT, "test", ".peers");

export async function exists(path: string, mode = constants.F_OK): Promise<boolean> {
  try {
    await access(path, mode);
    return true;
  } catch {
    return false;
  }
}

export function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

/** A temp base dir (0755 so a dropped-privilege session can traverse it) with a `root` inside. */
export async function makePeerDirs(name: PeerName): Promise<{ base: string; root: string }> {
  const base = await mkdtemp(join(tmpdir(), `ftpwire-${name}-`));
  await chmod(base, 0o755);
  const root = join(base, "root");
  await mkdir(root, { mode: 0o755 });
  return { base, root };
}

export interface ResolvedTls {
  certFile: string;
  keyFile: string;
  required: boolean;
  requireSessionReuse: boolean;
}

export async function resolveTls(tls: PeerOptions["tls"]): Promise<ResolvedTls | undefined> {
  if (!tls) return undefined;
  const o: PeerTlsOptions = tls === true ? {} : tls;
  let { certFile, keyFile } = o;
  if (!certFile || !keyFile) {
    const cert = await makeTestCertificate();
    certFile ??= cert.certFile;
    keyFile ??= cert.keyFile;
  }
  return { certFile, keyFile, required: o.required ?? true, requireSessionReuse: o.requireSessionReuse ?? true };
}

export interface SystemUser {
  name: string;
  uid: number;
  gid: number;
}

const userCache = new Map<string, Promise<SystemUser>>();

/**
 * Makes sure a local system user exists (useradd -M, shell /bin/bash, not in
 * /etc/ftpusers) and, when `password` is given, sets it with chpasswd.
 * Parallel test processes may race on useradd/chpasswd: both retry.
 */
export function ensureSystemUser(name: string, password?: string): Promise<SystemUser> {
  const key = `${name}\0${password ?? ""}`;
  let p = userCache.get(key);
  if (!p) {
    p = createSystemUser(name, password);
    p.catch(() => userCache.delete(key));
    userCache.set(key, p);
  }
  return p;
}

async function lookupIds(name: string): Promise<SystemUser | undefined> {
  const [u, g] = await Promise.all([
    runCommand("id", ["-u", name], { timeoutMs: 5_000 }),
    runCommand("id", ["-g", name], { timeoutMs: 5_000 }),
  ]);
  if (u.code !== 0 || g.code !== 0) return undefined;
  return { name, uid: Number(u.stdout.trim()), gid: Number(g.stdout.trim()) };
}

async function createSystemUser(name: string, password?: string): Promise<SystemUser> {
  if (!/^[a-z_][a-z0-9_-]{0,30}$/.test(name)) throw new Error(`not a usable system user name: ${name}`);
  let user = await lookupIds(name);
  for (let i = 0; !user && i < 20; i++) {
    // 9 = already exists (a parallel test created it); 10 = passwd file busy.
    // Home "/": vsftpd chdirs to the home dir before local_root, so it must exist.
    const r = await runCommand("useradd", ["-M", "-s", "/bin/bash", "-d", "/", name], { timeoutMs: 10_000 });
    user = await lookupIds(name);
    if (!user && r.code !== 10) throw new Error(`useradd ${name} failed (${r.code}): ${r.stderr}`);
    if (!user) await delay(100);
  }
  if (!user) throw new Error(`could not create system user ${name}`);
  const entry = await runCommand("getent", ["passwd", name], { timeoutMs: 5_000 });
  const home = entry.stdout.trim().split(":")[5];
  if (home !== undefined && !(await exists(home))) {
    await runCommand("usermod", ["-d", "/", name], { timeoutMs: 10_000 });
  }
  if (password !== undefined) {
    let ok = false;
    let last = "";
    for (let i = 0; !ok && i < 20; i++) {
      const r = await runCommand("chpasswd", [], { input: `${name}:${password}\n`, timeoutMs: 10_000 });
      ok = r.code === 0;
      last = r.stderr;
      if (!ok) await delay(100);
    }
    if (!ok) throw new Error(`chpasswd for ${name} failed: ${last}`);
  }
  // Debian's PAM config for vsftpd refuses users listed in /etc/ftpusers.
  const ftpusers = await readFile("/etc/ftpusers", "utf8").catch(() => undefined);
  if (ftpusers !== undefined) {
    const lines = ftpusers.split("\n");
    const kept = lines.filter((l) => l.trim() !== name);
    if (kept.length !== lines.length) await writeFile("/etc/ftpusers", kept.join("\n"));
  }
  return user;
}

/** A file under `root`, refusing paths that escape it. */
export function resolveUnder(root: string, relativePath: string): string {
  const full = resolve(root, relativePath.replace(/^\/+/, ""));
  const rel = relative(root, full);
  if (rel === "" || rel.startsWith("..") || rel.startsWith(sep)) {
    throw new Error(`path escapes the peer root: ${relativePath}`);
  }
  return full;
}

/** Writes a file under root, creating parents, and gives the new entries to `owner`. */
export async function writeOwnedFile(
  root: string,
  relativePath: string,
  data: string | Uint8Array,
  owner?: { uid: number; gid: number },
): Promise<string> {
  const full = resolveUnder(root, relativePath);
  const parents: string[] = [];
  for (let d = dirname(full); d !== root && d.startsWith(root); d = dirname(d)) parents.unshift(d);
  for (const d of parents) {
    if (!(await exists(d))) {
      await mkdir(d, { mode: 0o755 });
      if (owner) await chown(d, owner.uid, owner.gid);
    }
  }
  await writeFile(full, data, { mode: 0o644 });
  if (owner) await chown(full, owner.uid, owner.gid);
  return full;
}

export async function writeInitialFiles(
  root: string,
  files: PeerOptions["files"],
  owner?: { uid: number; gid: number },
): Promise<void> {
  for (const [path, data] of Object.entries(files ?? {})) await writeOwnedFile(root, path, data, owner);
}

/** A token put in the peer's greeting so the 220 is known to come from our process. */
export function greetingToken(): string {
  return `ftpwire-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
}

export function buildRunningPeer(fields: {
  name: PeerName;
  port: number;
  user: string;
  password: string;
  root: string;
  passivePorts: readonly [number, number];
  tls: ResolvedTls | undefined;
  greeting: string;
  proc: LaunchedProcess;
  owner?: { uid: number; gid: number };
}): RunningPeer {
  const { proc, owner, tls } = fields;
  return {
    name: fields.name,
    host: "127.0.0.1",
    port: fields.port,
    user: fields.user,
    password: fields.password,
    root: fields.root,
    pid: proc.pid,
    passivePorts: fields.passivePorts,
    tls: tls !== undefined,
    tlsRequired: tls?.required ?? false,
    ...(tls ? { certFile: tls.certFile } : {}),
    greeting: fields.greeting,
    writeFile: (relativePath, data) => writeOwnedFile(fields.root, relativePath, data, owner),
    output: () => proc.output(),
    stop: () => proc.stop(),
  };
}

/**
 * Makes the peer's temp dirs and runs `start` in them; if `start` fails, the
 * process it launched (reported through `track`) is stopped and the dirs are
 * removed, so a failed start leaves nothing behind.
 */
export async function inPeerDirs<T>(
  name: PeerName,
  start: (dirs: { base: string; root: string }, track: (proc: LaunchedProcess) => LaunchedProcess) => Promise<T>,
): Promise<T> {
  const dirs = await makePeerDirs(name);
  let proc: LaunchedProcess | undefined;
  try {
    return await start(dirs, (p) => (proc = p));
  } catch (e) {
    if (proc) await proc.stop();
    await rm(dirs.base, { recursive: true, force: true });
    throw e;
  }
}
