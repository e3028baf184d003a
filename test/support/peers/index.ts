// One entry point for the real-peer launchers.
import { proftpdAvailable, startProftpd, type ProftpdOptions } from "./proftpd.js";
import { pureFtpdAvailable, startPureFtpd, type PureFtpdOptions } from "./pure-ftpd.js";
import { pyftpdlibAvailable, startPyftpdlib, type PyftpdlibOptions } from "./pyftpdlib.js";
import { startVsftpd, vsftpdAvailable, type VsftpdOptions } from "./vsftpd.js";
import type { PeerName, PeerOptions, RunningPeer } from "./types.js";

export * from "./types.js";
export { livePeerProcesses } from "./process.js";
export { proftpdAvailable, startProftpd, type ProftpdOptions } from "./proftpd.js";
export { pureFtpdAvailable, startPureFtpd, type PureFtpdOptions } from "./pure-ftpd.js";
export { pyftpdlibAvailable, startPyftpdlib, type PyftpdlibOptions } from "./pyftpdlib.js";
export { startVsftpd, vsftpdAvailable, type VsftpdOptions } from "./vsftpd.js";

/**
 * Undefined when the peer can be started here (with TLS when asked), else the
 * reason it cannot.
 */
export async function peerAvailable(name: PeerName, options: { tls?: boolean } = {}): Promise<string | undefined> {
  switch (name) {
    case "vsftpd":
      return vsftpdAvailable();
    case "pure-ftpd":
      return pureFtpdAvailable();
    case "proftpd":
      return proftpdAvailable(options);
    case "pyftpdlib":
      return pyftpdlibAvailable(options);
  }
}

/** Starts any peer by name; peer-specific options are accepted by that peer only. */
export function startPeer(name: "vsftpd", options?: VsftpdOptions): Promise<RunningPeer>;
export function startPeer(name: "pure-ftpd", options?: PureFtpdOptions): Promise<RunningPeer>;
export function startPeer(name: "proftpd", options?: ProftpdOptions): Promise<RunningPeer>;
export function startPeer(name: "pyftpdlib", options?: PyftpdlibOptions): Promise<RunningPeer>;
export function startPeer(name: PeerName, options?: PeerOptions): Promise<RunningPeer>;
export function startPeer(name: PeerName, options: PeerOptions = {}): Promise<RunningPeer> {
  switch (name) {
    case "vsftpd":
      return startVsftpd(options);
    case "pure-ftpd":
      return startPureFtpd(options);
    case "proftpd":
      return startProftpd(options);
    case "pyftpdlib":
      return startPyftpdlib(options);
  }
}
