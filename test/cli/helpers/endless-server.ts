// Our server on a temp folder where /endless.bin never ends (64 KiB chunks
// as the client reads them), for Ctrl-C tests; it counts the ABORs it gets.
import { Readable } from "node:stream";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createServer, LocalFileSystem, type FileSystemReadOptions, type FtpServer } from "../../../src/index.js";
import { startInteropServer, USER, PASSWORD, type InteropServer } from "../../server/helpers/interop-server.js";

class EndlessFileSystem extends LocalFileSystem {
  override async read(path: string, options?: FileSystemReadOptions): Promise<Readable> {
    if (path !== "/endless.bin") return super.read(path, options);
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    return new Readable({
      read() {
        setTimeout(() => this.push(chunk), 5);
      },
    });
  }
}

export interface EndlessServer extends InteropServer {
  /** ABOR commands received so far. */
  aborts(): number;
}

export async function startEndlessServer(): Promise<EndlessServer> {
  // The interop server's folders, but our own server in front of them.
  const base = await startInteropServer();
  await base.server.close({ graceMs: 0 });
  const server: FtpServer = createServer({
    authenticate: ({ username, password }) => (username === USER && password === PASSWORD ? { fileSystem: new EndlessFileSystem(base.root) } : null),
    limits: { failedLoginDelayMs: 0 },
  });
  let aborts = 0;
  server.on("command", ({ verb }) => {
    if (verb === "ABOR") aborts++;
  });
  const address = await server.listen({ host: "127.0.0.1", port: 0 });
  await writeFile(join(base.root, "endless.bin"), "placeholder: the FileSystem serves an endless stream");
  return {
    ...base,
    server,
    port: address.port,
    url: `ftp://${USER}:${PASSWORD}@127.0.0.1:${address.port}`,
    aborts: () => aborts,
    async close() {
      await server.close({ graceMs: 0 });
      await base.close();
    },
  };
}
