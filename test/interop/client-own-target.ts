// Adapts ftpwire's own server (LocalFileSystem on a temp dir) to the client
// suite, in clear text or with FTPS options.
import { mkdtemp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { ClientOptions } from "../../src/client/options.js";
import { createServer } from "../../src/server/ftp-server.js";
import type { FtpServerOptions } from "../../src/server/options.js";
import { LocalFileSystem } from "../../src/storage/local-file-system.js";
import type { ServerTarget, ServerUnderTest } from "./client-suite.js";

export const OWN_USER = "tester";
export const OWN_PASSWORD = "secret";

/** Starts ftpwire's server on 127.0.0.1 port 0 with `serverOptions` added; the client options get `clientOptions` added. */
export async function startOwnServer(
  serverOptions: Omit<Partial<FtpServerOptions>, "authenticate"> = {},
  clientOptions: Partial<ClientOptions> = {},
): Promise<ServerUnderTest & { authenticated(): number }> {
  const root = await mkdtemp(join(tmpdir(), "ftpwire-own-"));
  let logins = 0;
  const server = createServer({
    authenticate: ({ username, password }) => {
      logins++;
      return username === OWN_USER && password === OWN_PASSWORD ? { fileSystem: new LocalFileSystem(root) } : null;
    },
    ...serverOptions,
    limits: { failedLoginDelayMs: 0, ...serverOptions.limits },
  });
  const address = await server.listen({ host: "127.0.0.1", port: 0 });
  return {
    options: {
      host: "127.0.0.1", port: address.port, user: OWN_USER, password: OWN_PASSWORD,
      timeouts: { control: 10_000, data: 10_000 },
      ...clientOptions,
    },
    writeFile: async (path, data) => {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), data);
    },
    readFile: (path) => readFile(join(root, path)),
    stop: async () => {
      await server.close();
      await rm(root, { recursive: true, force: true });
    },
    authenticated: () => logins,
  };
}

export function ownTarget(
  name: string,
  setup: () => Promise<{ server?: Omit<Partial<FtpServerOptions>, "authenticate">; client?: Partial<ClientOptions> }> = async () => ({}),
  ftps?: { resumes: boolean },
): ServerTarget {
  return {
    name,
    mlsd: true,
    mfmt: true,
    ...(ftps ? { ftps } : {}),
    available: async () => true,
    async start() {
      const { server, client } = await setup();
      return startOwnServer(server, client);
    },
  };
}
