// Our server's MODE Z driven by lftp (ftp:use-mode-z, which lftp turns on
// when FEAT lists MODE Z): put, get and a listing, compared byte for byte,
// with the commands lftp sent and the bytes the server saw on the wire.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { requirePeer } from "../support/require-peer.js";
import { runCommand } from "../support/tools.js";
import { startInteropServer, USER, PASSWORD, type InteropServer } from "../server/helpers/interop-server.js";
import type { ServerTransferEvent } from "../../src/server/types.js";

const log = Buffer.from(Array.from({ length: 20_000 }, (_, i) => `2026-12-07 10:00:${String(i % 60).padStart(2, "0")} GET /item/${i % 97} id=${randomBytes(3).toString("hex")}\n`).join(""));

describe("interop: lftp MODE Z against our server", () => {
  let s: InteropServer;
  const commands: string[] = [];
  const transfers: ServerTransferEvent[] = [];
  before(async () => {
    s = await startInteropServer();
    s.server.on("command", ({ verb, arg }) => commands.push(`${verb} ${arg}`.trim()));
    s.server.on("upload", (e) => transfers.push(e));
    s.server.on("download", (e) => transfers.push(e));
  });
  after(() => s.close());

  it("put and get in MODE Z are byte-exact and smaller on the wire", async (t) => {
    if (!(await requirePeer(t, "lftp"))) return;
    await writeFile(join(s.local, "app.log"), log);
    const settings = ["set cmd:fail-exit yes", "set ftp:ssl-allow no", "set net:max-retries 1", "set net:timeout 10", "set ftp:use-mode-z true"].join("; ");
    const script = `put ${join(s.local, "app.log")} -o /app.log; get /app.log -o ${join(s.local, "back.log")}; cls -1 /`;
    const r = await runCommand("/usr/bin/lftp", ["-u", `${USER},${PASSWORD}`, "-p", String(s.port), "-e", `${settings}; ${script}; bye`, "127.0.0.1"], {
      timeoutMs: 60_000,
      env: { HOME: s.local },
    });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.ok(commands.includes("MODE Z"), commands.join(" | "));
    // lftp 4.9.2 sends no OPTS MODE Z (it compresses at its own level) and keeps MODE Z for MLSD: the listing is deflated too.
    assert.ok(commands.indexOf("MLSD") > commands.indexOf("MODE Z"), commands.join(" | "));
    assert.ok((await readFile(join(s.root, "app.log"))).equals(log), "uploaded byte-exact");
    assert.ok((await readFile(join(s.local, "back.log"))).equals(log), "downloaded byte-exact");
    assert.match(r.stdout, /app\.log/);
    const up = transfers.find((e) => e.path === "/app.log" && !e.aborted);
    assert.ok(up && up.bytes < log.length / 3, `${up?.bytes} wire bytes for ${log.length}`);
    t.diagnostic(`lftp MODE Z upload: ${log.length} bytes as ${up?.bytes} on the wire`);
  });
});
