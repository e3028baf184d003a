// vsftpd (Debian's /usr/sbin/vsftpd) in the foreground with one config file,
// logging in a local system user chrooted into a temp root.
import { chown, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { findFreePort, randomPassiveRange } from "../ports.js";
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
  PORT_ATTEMPTS,
  resolveTls,
  writeInitialFiles,
} from "./common.js";
import { launch, waitForGreeting, withPortRetries } from "./process.js";
import type { PeerOptions, RunningPeer } from "./types.js";

export const VSFTPD_BIN = "/usr/sbin/vsftpd";

export interface VsftpdOptions extends PeerOptions {
  /**
   * Extra or overriding vsftpd.conf settings, e.g. `{ ascii_upload_enable: true }`
   * (booleans become YES/NO).
   */
  config?: Readonly<Record<string, string | number | boolean>>;
}

/** Undefined when vsftpd can be started here, else why not. */
export async function vsftpdAvailable(): Promise<string | undefined> {
  if (!(await exists(VSFTPD_BIN))) return `${VSFTPD_BIN} is missing (run .ci/install-peers.sh)`;
  if (!isRoot()) return "vsftpd needs root (it logs in a system user through PAM)";
  if (!(await exists("/etc/pam.d/vsftpd"))) return "/etc/pam.d/vsftpd is missing";
  return undefined;
}

export async function startVsftpd(options: VsftpdOptions = {}): Promise<RunningPeer> {
  const missing = await vsftpdAvailable();
  if (missing) throw new Error(missing);
  const user = options.user ?? DEFAULT_USER;
  const password = options.password ?? DEFAULT_PASSWORD;
  const owner = await ensureSystemUser(user, password);
  const tls = await resolveTls(options.tls);
  const passivePorts = options.passivePorts ?? randomPassiveRange();
  const maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;

  return withPortRetries(PORT_ATTEMPTS, () =>
    inPeerDirs("vsftpd", async ({ base, root }, track) => {
      // The chroot root must belong to the user so uploads work (with
      // allow_writeable_chroot); secure_chroot_dir must stay root's and empty.
      await chown(root, owner.uid, owner.gid);
      const emptyDir = join(base, "empty");
      await mkdir(emptyDir, { mode: 0o755 });
      await writeInitialFiles(root, options.files, owner);

      const port = await findFreePort();
      const token = greetingToken();
      const settings: Record<string, string | number | boolean> = {
        listen: true,
        listen_ipv6: false,
        listen_address: "127.0.0.1",
        listen_port: port,
        background: false,
        anonymous_enable: false,
        local_enable: true,
        write_enable: true,
        local_umask: "022",
        dirmessage_enable: false,
        xferlog_enable: false,
        connect_from_port_20: false,
        chroot_local_user: true,
        allow_writeable_chroot: true,
        local_root: root,
        secure_chroot_dir: emptyDir,
        pam_service_name: "vsftpd",
        userlist_enable: false,
        tcp_wrappers: false,
        seccomp_sandbox: false,
        isolate: false,
        isolate_network: false,
        delay_failed_login: 0,
        delay_successful_login: 0,
        pasv_enable: true,
        pasv_min_port: passivePorts[0],
        pasv_max_port: passivePorts[1],
        max_clients: maxConnections,
        max_per_ip: maxConnections,
        ftpd_banner: `${token} vsftpd ready`,
        use_localtime: false,
      };
      if (tls) {
        Object.assign(settings, {
          ssl_enable: true,
          rsa_cert_file: tls.certFile,
          rsa_private_key_file: tls.keyFile,
          allow_anon_ssl: false,
          force_local_logins_ssl: tls.required,
          force_local_data_ssl: tls.required,
          require_ssl_reuse: tls.requireSessionReuse,
          ssl_request_cert: false,
          ssl_ciphers: "HIGH",
          ssl_sslv2: false,
          ssl_sslv3: false,
          ssl_tlsv1: true,
        });
      }
      Object.assign(settings, options.config ?? {});
      const conf = join(base, "vsftpd.conf");
      await writeFile(
        conf,
        Object.entries(settings)
          .map(([k, v]) => `${k}=${typeof v === "boolean" ? (v ? "YES" : "NO") : String(v)}\n`)
          .join(""),
        { mode: 0o600 },
      );

      const proc = track(launch({ label: "vsftpd", command: VSFTPD_BIN, args: [conf], dirs: [base] }));
      const greeting = await waitForGreeting(
        proc,
        "vsftpd",
        port,
        options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
        token,
      );
      return buildRunningPeer({
        name: "vsftpd", port, user, password, root, passivePorts, tls, greeting, proc, owner,
      });
    }),
  );
}
