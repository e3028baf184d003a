// pure-ftpd unpacked by .ci/install-peers.sh into test/.peers/pure-ftpd, with
// one virtual user in a PureDB file. The user's hash is SHA-512 crypt
// (`openssl passwd -6`), written by hand: pure-pw's default argon2id costs
// about 3 s to create and 3 s per login here.
import { chown, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { findFreePort, randomPassiveRange } from "../ports.js";
import { runChecked } from "../tools.js";
import {
  buildRunningPeer,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_PASSWORD,
  DEFAULT_START_TIMEOUT_MS,
  DEFAULT_USER,
  ensureSystemUser,
  exists,
  greetingToken,
  isRoot,
  inPeerDirs,
  PEERS_DIR,
  PORT_ATTEMPTS,
  resolveTls,
  writeInitialFiles,
} from "./common.js";
import { launch, waitForGreeting, withPortRetries } from "./process.js";
import type { PeerOptions, RunningPeer } from "./types.js";

export const PURE_FTPD_DIR = join(PEERS_DIR, "pure-ftpd");
export const PURE_FTPD_BIN = join(PURE_FTPD_DIR, "usr/sbin/pure-ftpd");
export const PURE_PW_BIN = join(PURE_FTPD_DIR, "usr/bin/pure-pw");
/** The system account whose uid/gid the virtual user runs as and owns files with. */
export const PURE_FTPD_SYSTEM_USER = "ftpwire";

export interface PureFtpdOptions extends PeerOptions {
  /** Extra command-line flags, e.g. `["-D"]` (list dot files) or `["-w"]` (allow FXP). */
  extraArgs?: readonly string[];
}

export async function pureFtpdAvailable(): Promise<string | undefined> {
  for (const f of [PURE_FTPD_BIN, PURE_PW_BIN]) {
    if (!(await exists(f))) return `${f} is missing (run .ci/install-peers.sh)`;
  }
  if (!isRoot()) return "pure-ftpd needs root (virtual users run under a system uid, chroot)";
  return undefined;
}

export async function startPureFtpd(options: PureFtpdOptions = {}): Promise<RunningPeer> {
  const missing = await pureFtpdAvailable();
  if (missing) throw new Error(missing);
  const user = options.user ?? DEFAULT_USER;
  const password = options.password ?? DEFAULT_PASSWORD;
  if (!/^[A-Za-z0-9._-]+$/.test(user)) throw new Error(`unsupported pure-ftpd user name: ${user}`);
  const owner = await ensureSystemUser(PURE_FTPD_SYSTEM_USER);
  const tls = await resolveTls(options.tls);
  const passivePorts = options.passivePorts ?? randomPassiveRange();
  const maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  const hash = (await runChecked("openssl", ["passwd", "-6", "-stdin"], { input: `${password}\n`, timeoutMs: 10_000 }))
    .stdout.trim();

  return withPortRetries(PORT_ATTEMPTS, () =>
    inPeerDirs("pure-ftpd", async ({ base, root }, track) => {
      await chown(root, owner.uid, owner.gid);
      await writeInitialFiles(root, options.files, owner);

      // passwd line format (pure-pw(8)): user:hash:uid:gid:gecos:home/./:...;
      // "/./" at the end of home marks the chroot point.
      const passwdFile = join(base, "pureftpd.passwd");
      const pdbFile = join(base, "pureftpd.pdb");
      await writeFile(passwdFile, `${user}:${hash}:${owner.uid}:${owner.gid}::${root}/./::::::::::::\n`, { mode: 0o600 });
      await runChecked(PURE_PW_BIN, ["mkdb", pdbFile, "-f", passwdFile], { timeoutMs: 10_000 });

      // The first line of a fortunes file is shown in the greeting: it tells
      // our 220 apart from another program's that took the port meanwhile.
      const token = greetingToken();
      const fortunes = join(base, "fortunes");
      await writeFile(fortunes, `${token}\n`);

      const port = await findFreePort();
      const args = [
        "-S", `127.0.0.1,${port}`,
        "-p", `${passivePorts[0]}:${passivePorts[1]}`,
        "-P", "127.0.0.1",
        "-l", `puredb:${pdbFile}`,
        "-E", // no anonymous logins
        "-A", // chroot everyone
        "-H", // no reverse DNS
        "-4",
        "-c", String(maxConnections),
        "-C", String(maxConnections),
        "-F", fortunes,
      ];
      if (tls) {
        // Key and certificate in one PEM file.
        const combined = join(base, "pure-ftpd.pem");
        const [key, cert] = await Promise.all([readFile(tls.keyFile, "utf8"), readFile(tls.certFile, "utf8")]);
        await writeFile(combined, `${key.trimEnd()}\n${cert.trimEnd()}\n`, { mode: 0o600 });
        // 1: TLS and clear text both accepted; 3: TLS required on control and data.
        args.push("-Y", tls.required ? "3" : "1", "-2", combined);
      }
      args.push(...(options.extraArgs ?? []));

      const proc = track(launch({ label: "pure-ftpd", command: PURE_FTPD_BIN, args, dirs: [base] }));
      const greeting = await waitForGreeting(
        proc,
        "pure-ftpd",
        port,
        options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
        token,
      );
      return buildRunningPeer({
        name: "pure-ftpd", port, user, password, root, passivePorts, tls, greeting, proc, owner,
      });
    }),
  );
}
