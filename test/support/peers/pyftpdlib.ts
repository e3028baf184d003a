// pyftpdlib (Debian's python3-pyftpdlib, TLS through python3-openssl) run by
// /usr/bin/python3 — not a python3 earlier on PATH, which lacks both. The
// script binds port 0 itself and prints the port, so no free-port race here.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { randomPassiveRange } from "../ports.js";
import { runCommand, SYSTEM_PYTHON } from "../tools.js";
import {
  buildRunningPeer,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_PASSWORD,
  DEFAULT_START_TIMEOUT_MS,
  DEFAULT_USER,
  exists,
  greetingToken,
  inPeerDirs,
  resolveTls,
  writeInitialFiles,
} from "./common.js";
import { launch, waitForGreeting } from "./process.js";
import type { PeerOptions, RunningPeer } from "./types.js";

export interface PyftpdlibOptions extends PeerOptions {
  /**
   * Python statements run after setup and before serving; `Handler` (the
   * FTPHandler subclass) and `server` are in scope, e.g.
   * `"Handler.permit_foreign_addresses = True"`.
   */
  extraPython?: string;
}

const SCRIPT = String.raw`
import json, sys
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.servers import FTPServer

cfg = json.loads(sys.argv[1])
authorizer = DummyAuthorizer()
authorizer.add_user(cfg["user"], cfg["password"], cfg["root"], perm="elradfmwMT")

if cfg.get("tls"):
    from pyftpdlib.handlers import TLS_FTPHandler as Base
else:
    from pyftpdlib.handlers import FTPHandler as Base

class Handler(Base):
    pass

Handler.authorizer = authorizer
Handler.passive_ports = list(range(cfg["pasvMin"], cfg["pasvMax"] + 1))
Handler.banner = cfg["banner"]
if cfg.get("tls"):
    Handler.certfile = cfg["certFile"]
    Handler.keyfile = cfg["keyFile"]
    Handler.tls_control_required = cfg["tlsRequired"]
    Handler.tls_data_required = cfg["tlsRequired"]

server = FTPServer(("127.0.0.1", 0), Handler)
server.max_cons = cfg["maxConnections"]
server.max_cons_per_ip = cfg["maxConnections"]
exec(cfg.get("extraPython") or "")
print("FTPWIRE_PORT %d" % server.address[1], flush=True)
server.serve_forever(handle_exit=True)
`;

const availability = new Map<string, Promise<string | undefined>>();

export function pyftpdlibAvailable(options: { tls?: boolean } = {}): Promise<string | undefined> {
  const key = options.tls ? "tls" : "plain";
  let p = availability.get(key);
  if (!p) {
    p = (async () => {
      if (!(await exists(SYSTEM_PYTHON))) return `${SYSTEM_PYTHON} is missing (run .ci/install-peers.sh)`;
      const imports = options.tls ? "import pyftpdlib, OpenSSL" : "import pyftpdlib";
      const r = await runCommand(SYSTEM_PYTHON, ["-c", imports], { timeoutMs: 10_000 });
      if (r.code !== 0) {
        return `${SYSTEM_PYTHON} cannot ${imports} (python3-pyftpdlib${options.tls ? ", python3-openssl" : ""}; run .ci/install-peers.sh)`;
      }
      return undefined;
    })();
    availability.set(key, p);
  }
  return p;
}

export async function startPyftpdlib(options: PyftpdlibOptions = {}): Promise<RunningPeer> {
  const missing = await pyftpdlibAvailable({ tls: Boolean(options.tls) });
  if (missing) throw new Error(missing);
  const user = options.user ?? DEFAULT_USER;
  const password = options.password ?? DEFAULT_PASSWORD;
  const tls = await resolveTls(options.tls);
  const passivePorts = options.passivePorts ?? randomPassiveRange();
  const timeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  return inPeerDirs("pyftpdlib", async ({ base, root }, track) => {
    // pyftpdlib runs as the test's own user: files need no chown.
    await writeInitialFiles(root, options.files);
    const token = greetingToken();
    const script = join(base, "server.py");
    await writeFile(script, SCRIPT);
    const cfg = {
      user,
      password,
      root,
      pasvMin: passivePorts[0],
      pasvMax: passivePorts[1],
      banner: `${token} pyftpdlib ready`,
      maxConnections: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
      tls: Boolean(tls),
      certFile: tls?.certFile,
      keyFile: tls?.keyFile,
      tlsRequired: tls?.required ?? false,
      extraPython: options.extraPython ?? "",
    };
    const proc = track(
      launch({
        label: "pyftpdlib",
        command: SYSTEM_PYTHON,
        args: ["-u", script, JSON.stringify(cfg)],
        dirs: [base],
        env: { PYTHONDONTWRITEBYTECODE: "1" },
      }),
    );
    const started = Date.now();
    let port: number;
    try {
      const m = await proc.waitForStdout(/FTPWIRE_PORT (\d+)/, timeoutMs);
      port = Number(m[1]);
    } catch (e) {
      throw new Error(`pyftpdlib did not start: ${(e as Error).message}\n--- output ---\n${await proc.output()}`);
    }
    const remaining = Math.max(1_000, timeoutMs - (Date.now() - started));
    const greeting = await waitForGreeting(proc, "pyftpdlib", port, remaining, token);
    return buildRunningPeer({ name: "pyftpdlib", port, user, password, root, passivePorts, tls, greeting, proc });
  });
}
