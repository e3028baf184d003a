// IPv6: EPSV in passive mode and EPRT in active mode, against ftpwire's own
// server on ::1 (PASV/PORT cannot carry IPv6 addresses).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer as createNetServer } from "node:net";
import { PassThrough } from "node:stream";
import { Client } from "../../src/client/client.js";
import { createServer } from "../../src/server/ftp-server.js";
import { MemoryFileSystem } from "../../src/storage/memory-file-system.js";

async function ipv6Available(): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createNetServer();
    s.once("error", () => resolve(false));
    s.listen(0, "::1", () => s.close(() => resolve(true)));
  });
}

test("passive (EPSV) and active (EPRT) over IPv6 loopback", async (t) => {
  if (!(await ipv6Available())) {
    t.skip("no IPv6 loopback here");
    return;
  }
  const fileSystem = new MemoryFileSystem();
  const server = createServer({ authenticate: () => ({ fileSystem }) });
  const { port } = await server.listen({ host: "::1", port: 0 });
  try {
    for (const mode of ["passive", "active"] as const) {
      const client = await Client.connect({ host: "::1", port, user: "a", password: "b", mode });
      const commands: string[] = [];
      client.on("command", (c) => commands.push(c.split(" ")[0]!));
      try {
        await client.upload(Buffer.from(`over ${mode}`), `/${mode}.txt`);
        const sink = new PassThrough();
        const chunks: Buffer[] = [];
        sink.on("data", (c: Buffer) => chunks.push(c));
        await client.download(`/${mode}.txt`, sink);
        assert.equal(Buffer.concat(chunks).toString(), `over ${mode}`);
        assert.ok(commands.includes(mode === "passive" ? "EPSV" : "EPRT"), commands.join(","));
        assert.ok(!commands.includes("PASV") && !commands.includes("PORT"), commands.join(","));
      } finally {
        await client.close();
      }
    }
  } finally {
    await server.close();
  }
});
