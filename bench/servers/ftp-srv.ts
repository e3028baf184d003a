// ftp-srv (npm, the baseline Node server) in its own process: serves `root`
// to user "bench"/"bench" on 127.0.0.1, port 0, passive ports in the given
// range, logging off. Sends {type:"ready", port} to the parent.
import { FtpSrv } from "ftp-srv";
import type { AddressInfo } from "node:net";
import { answerGc, childArg, failToParent, sendToParent } from "../lib/child-side.js";

interface Arg {
  root: string;
  passivePorts: [number, number];
}

/** ftp-srv logs through a bunyan-like object; logging costs time the other servers do not spend. */
interface SilentLogger {
  child(): SilentLogger;
  trace(): void;
  debug(): void;
  info(): void;
  warn(): void;
  error(): void;
  fatal(): void;
}
function silentLogger(): SilentLogger {
  const noop = (): void => {};
  const log: SilentLogger = { child: () => log, trace: noop, debug: noop, info: noop, warn: noop, error: noop, fatal: noop };
  return log;
}

const arg = childArg<Arg>();
try {
  const server = new FtpSrv({
    url: "ftp://127.0.0.1:0",
    pasv_url: "127.0.0.1",
    pasv_min: arg.passivePorts[0],
    pasv_max: arg.passivePorts[1],
    anonymous: false,
    log: silentLogger(),
  });
  server.on("login", ({ username, password }, resolve, reject) => {
    if (username === "bench" && password === "bench") resolve({ root: arg.root });
    else reject(new Error("bad login"));
  });
  server.on("client-error", () => {});
  await server.listen();
  // ftp-srv keeps its net.Server in `.server`; the typings do not show it.
  const address = (server as unknown as { server: { address(): AddressInfo } }).server.address();
  answerGc();
  await sendToParent({ type: "ready", port: address.port });
} catch (e) {
  await failToParent(e);
}
