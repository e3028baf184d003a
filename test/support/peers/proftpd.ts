// proftpd unpacked by .ci/install-peers.sh into test/.peers/proftpd, run in
// the foreground (-n) with a standalone config in a temp dir and one user in
// an AuthUserFile (mod_auth_file), chrooted into the temp root.
import { chown, writeFile } from "node:fs/promises";
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

export const PROFTPD_DIR = join(PEERS_DIR, "proftpd");
export const PROFTPD_BIN = join(PROFTPD_DIR, "usr/sbin/proftpd");
export const PROFTPD_MODULES = join(PROFTPD_DIR, "usr/lib/proftpd");
/** The system account whose uid/gid the login runs as and owns files with. */
export const PROFTPD_SYSTEM_USER = "ftpwire";

export interface ProftpdOptions extends PeerOptions {
  /** Extra directives appended to the server config, e.g. `["ListOptions -a"]`. */
  extraDirectives?: readonly string[];
}

export async function proftpdAvailable(options: { tls?: boolean } = {}): Promise<string | undefined> {
  if (!(await exists(PROFTPD_BIN))) return `${PROFTPD_BIN} is missing (run .ci/install-peers.sh)`;
  if (options.tls && !(await exists(join(PROFTPD_MODULES, "mod_tls.so")))) {
    return "proftpd mod_tls.so is missing (proftpd-mod-crypto; run .ci/install-peers.sh)";
  }
  if (!isRoot()) return "proftpd needs root (switching to the login's uid, chroot)";
  return undefined;
}

function quote(value: string): string {
  return `"${value.replace(/"/g, "")}"`;
}

export async function startProftpd(options: ProftpdOptions = {}): Promise<RunningPeer> {
  const missing = await proftpdAvailable({ tls: Boolean(options.tls) });
  if (missing) throw new Error(missing);
  const user = options.user ?? DEFAULT_USER;
  const password = options.password ?? DEFAULT_PASSWORD;
  if (!/^[A-Za-z0-9._-]+$/.test(user)) throw new Error(`unsupported proftpd user name: ${user}`);
  const owner = await ensureSystemUser(PROFTPD_SYSTEM_USER);
  const tls = await resolveTls(options.tls);
  const passivePorts = options.passivePorts ?? randomPassiveRange();
  const maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  const hash = (await runChecked("openssl", ["passwd", "-6", "-stdin"], { input: `${password}\n`, timeoutMs: 10_000 }))
    .stdout.trim();

  return withPortRetries(PORT_ATTEMPTS, () =>
    inPeerDirs("proftpd", async ({ base, root }, track) => {
      await chown(root, owner.uid, owner.gid);
      await writeInitialFiles(root, options.files, owner);

      const passwdFile = join(base, "ftpd.passwd");
      const groupFile = join(base, "ftpd.group");
      await writeFile(passwdFile, `${user}:${hash}:${owner.uid}:${owner.gid}::${root}:/bin/bash\n`, { mode: 0o600 });
      await writeFile(groupFile, `${PROFTPD_SYSTEM_USER}:x:${owner.gid}:${user}\n`, { mode: 0o600 });

      const port = await findFreePort();
      const token = greetingToken();
      const systemLog = join(base, "system.log");
      const tlsLog = join(base, "tls.log");
      const lines = [
        "ServerType standalone",
        `ServerName ${quote("ftpwire test proftpd")}`,
        `ServerIdent on ${quote(`${token} proftpd ready`)}`,
        "DefaultServer on",
        "UseIPv6 off",
        "DefaultAddress 127.0.0.1",
        "SocketBindTight on",
        `Port ${port}`,
        "User nobody",
        "Group nogroup",
        `ScoreboardFile ${join(base, "proftpd.scoreboard")}`,
        `PidFile ${join(base, "proftpd.pid")}`,
        `DelayTable ${join(base, "proftpd.delay")}`,
        "DelayEngine off",
        "WtmpLog off",
        "UseReverseDNS off",
        "UseFtpUsers off",
        `SystemLog ${systemLog}`,
        "TransferLog none",
        `MaxInstances ${maxConnections}`,
        "AuthOrder mod_auth_file.c",
        `AuthUserFile ${passwdFile}`,
        `AuthGroupFile ${groupFile}`,
        "RequireValidShell off",
        "DefaultRoot ~",
        "Umask 022",
        "AllowOverwrite on",
        "AllowStoreRestart on",
        "AllowRetrieveRestart on",
        `PassivePorts ${passivePorts[0]} ${passivePorts[1]}`,
        `MaxClients ${maxConnections}`,
        `MaxClientsPerHost ${maxConnections}`,
        `ModulePath ${PROFTPD_MODULES}`,
      ];
      if (tls) {
        lines.push(
          "LoadModule mod_tls.c",
          "TLSEngine on",
          "TLSProtocol TLSv1.2 TLSv1.3",
          `TLSRSACertificateFile ${tls.certFile}`,
          `TLSRSACertificateKeyFile ${tls.keyFile}`,
          `TLSRequired ${tls.required ? "on" : "off"}`,
          "TLSVerifyClient off",
          `TLSLog ${tlsLog}`,
        );
        // By default mod_tls refuses data connections that do not resume the
        // control connection's TLS session.
        if (!tls.requireSessionReuse) lines.push("TLSOptions NoSessionReuseRequired");
      }
      lines.push(...(options.extraDirectives ?? []));
      const conf = join(base, "proftpd.conf");
      await writeFile(conf, `${lines.join("\n")}\n`, { mode: 0o600 });

      const proc = track(launch({
        label: "proftpd",
        command: PROFTPD_BIN,
        // FTPWIRE_PROFTPD_DEBUG=10 puts proftpd's debug log in output().
        args: ["-n", "-q", ...(process.env.FTPWIRE_PROFTPD_DEBUG ? ["-d", process.env.FTPWIRE_PROFTPD_DEBUG] : []), "-c", conf],
        dirs: [base],
        logFiles: [systemLog, tlsLog],
      }));
      const greeting = await waitForGreeting(
        proc,
        "proftpd",
        port,
        options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
        token,
      );
      return buildRunningPeer({
        name: "proftpd", port, user, password, root, passivePorts, tls, greeting, proc, owner,
      });
    }),
  );
}
