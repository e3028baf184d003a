// Our server on a temporary folder, for tests driven by real clients
// (ftplib, curl, lftp). User "ftpuser" / "ftppass".
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer, type FtpServer } from "../../../src/server/ftp-server.js";
import type { FtpServerOptions } from "../../../src/server/options.js";
import { LocalFileSystem } from "../../../src/storage/local-file-system.js";

export const USER = "ftpuser";
export const PASSWORD = "ftppass";

export interface InteropServer {
  server: FtpServer;
  port: number;
  /** The folder the user sees as "/". */
  root: string;
  /** A scratch folder for the client's local files. */
  local: string;
  url: string;
  close(): Promise<void>;
}

export async function startInteropServer(options: Partial<FtpServerOptions> = {}): Promise<InteropServer> {
  const base = await mkdtemp(join(tmpdir(), "ftpwire-interop-"));
  const root = join(base, "root");
  const local = join(base, "local");
  const { mkdir } = await import("node:fs/promises");
  await mkdir(root);
  await mkdir(local);
  const server = createServer({
    authenticate: ({ username, password }) =>
      username === USER && password === PASSWORD ? { fileSystem: new LocalFileSystem(root) } : null,
    ...options,
    limits: { failedLoginDelayMs: 0, ...options.limits },
    timeouts: { data: 5000, idle: 30_000, ...options.timeouts },
  });
  const address = await server.listen({ host: "127.0.0.1", port: 0 });
  return {
    server,
    port: address.port,
    root,
    local,
    url: `ftp://${USER}:${PASSWORD}@127.0.0.1:${address.port}`,
    async close() {
      await server.close({ graceMs: 0 });
      await rm(base, { recursive: true, force: true });
    },
  };
}
