/**
 * Who may log in to `ftpwire serve`: anonymous (read-only unless --write),
 * `--user name:password` pairs, or a `--users file.json` of scrypt hashes
 * made by `ftpwire hash-password`. Passwords are compared in constant time;
 * the server itself delays and bans repeated failures.
 */
import { randomBytes, scrypt, timingSafeEqual, createHash, type ScryptOptions } from "node:crypto";
import { readFile } from "node:fs/promises";
import { LocalFileError, UsageError } from "./exit-codes.js";

export interface UserEntry {
  readonly write: boolean;
  /** Resolves true when `password` is this user's. */
  readonly check: (password: string) => Promise<boolean>;
}

/** Names that mean "anonymous" to every FTP client (RFC 1635). */
export const ANONYMOUS_NAMES: ReadonlySet<string> = new Set(["anonymous", "ftp"]);

const SCRYPT = { N: 16384, r: 8, p: 1, keyLength: 32 } as const;

function scryptAsync(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key))));
}

/** `scrypt$N$r$p$salt$hash` (base64 salt and hash): what `ftpwire hash-password` prints. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, SCRYPT.keyLength, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return ["scrypt", SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString("base64"), key.toString("base64")].join("$");
}

function parseHash(text: string, where: string): (password: string) => Promise<boolean> {
  const parts = text.split("$");
  const [kind, n, r, p, salt, hash] = parts;
  const N = Number(n), R = Number(r), P = Number(p);
  if (parts.length !== 6 || kind !== "scrypt" || ![N, R, P].every((x) => Number.isSafeInteger(x) && x > 0) || !salt || !hash) {
    throw new UsageError(`${where}: not a hash made by "ftpwire hash-password" (scrypt$N$r$p$salt$hash)`);
  }
  const saltBytes = Buffer.from(salt, "base64");
  const expected = Buffer.from(hash, "base64");
  // maxmem: N=2^20 with r=8 needs 1 GiB; allow what the file asks for, up to that.
  const maxmem = Math.min(128 * N * R * 2, 1 << 30);
  return async (password) => {
    const key = await scryptAsync(password, saltBytes, expected.length, { N, r: R, p: P, maxmem });
    return timingSafeEqual(key, expected);
  };
}

/** Compares through a digest so the lengths match and the comparison takes constant time. */
function plainCheck(secret: string): (password: string) => Promise<boolean> {
  const expected = createHash("sha256").update(secret).digest();
  return (password) => Promise.resolve(timingSafeEqual(createHash("sha256").update(password).digest(), expected));
}

/** `--user name:password` (repeatable). */
export function usersFromFlags(pairs: readonly string[], write: boolean): Map<string, UserEntry> {
  const users = new Map<string, UserEntry>();
  for (const pair of pairs) {
    const colon = pair.indexOf(":");
    const name = colon === -1 ? pair : pair.slice(0, colon);
    if (colon <= 0) throw new UsageError(`ftpwire serve: --user takes name:password, got ${JSON.stringify(name)}`);
    if (/[\r\n\0\s]/.test(name)) throw new UsageError(`ftpwire serve: user name ${JSON.stringify(name)} contains a space or control character`);
    users.set(name, { write, check: plainCheck(pair.slice(colon + 1)) });
  }
  return users;
}

/**
 * `--users file.json`: `{ "alice": { "password": "scrypt$…", "write": true }, … }`.
 * `write` defaults to the --write flag.
 */
export async function usersFromFile(file: string, write: boolean): Promise<Map<string, UserEntry>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new LocalFileError(`cannot read --users file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--users file ${file} is not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`--users file ${file} must be an object of user name → { "password": "scrypt$…", "write": boolean }`);
  }
  const users = new Map<string, UserEntry>();
  for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
    const entry = value as { password?: unknown; write?: unknown } | null;
    if (typeof entry !== "object" || entry === null || typeof entry.password !== "string") {
      throw new UsageError(`--users file ${file}: user ${JSON.stringify(name)} needs a "password" hash`);
    }
    if (entry.write !== undefined && typeof entry.write !== "boolean") {
      throw new UsageError(`--users file ${file}: "write" of ${JSON.stringify(name)} must be true or false`);
    }
    users.set(name, { write: entry.write ?? write, check: parseHash(entry.password, `--users file ${file}, user ${JSON.stringify(name)}`) });
  }
  return users;
}
