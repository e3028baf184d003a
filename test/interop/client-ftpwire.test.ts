// The client suite against ftpwire's own server (LocalFileSystem on a temp dir).
import { mkdtemp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createServer } from "../../src/server/ftp-server.js";
import { LocalFileSystem } from "../../src/storage/local-file-system.js";
import { clientSuite } from "./client-suite.js";

clientSuite({
  name: "ftpwire",
  mlsd: true,
  mfmt: true,
  available: async () => true,
  async start() {
    const root = await mkdtemp(join(tmpdir(), "ftpwire-own-"));
    const server = createServer({
      authenticate: ({ username, password }) =>
        username === "tester" && password === "secret" ? { fileSystem: new LocalFileSystem(root) } : null,
      limits: { failedLoginDelayMs: 0 },
    });
    const address = await server.listen({ host: "127.0.0.1", port: 0 });
    return {
      options: { host: "127.0.0.1", port: address.port, user: "tester", password: "secret", timeouts: { control: 10_000, data: 10_000 } },
      writeFile: async (path, data) => {
        await mkdir(dirname(join(root, path)), { recursive: true });
        await writeFile(join(root, path), data);
      },
      readFile: (path) => readFile(join(root, path)),
      stop: async () => {
        await server.close();
        await rm(root, { recursive: true, force: true });
      },
    };
  },
});
