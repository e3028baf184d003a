// Ctrl-C (SIGINT) without a terminal: a scripted session aborts the running
// transfer with ABOR and exits 130; so does a one-shot get, which leaves the
// partial file for --resume.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { startEndlessServer, type EndlessServer } from "./helpers/endless-server.js";
import { startCli } from "./helpers/cli-process.js";

describe("ftpwire and SIGINT", () => {
  let s: EndlessServer;
  before(async () => {
    s = await startEndlessServer();
  });
  after(() => s.close());

  it("a scripted session aborts the transfer (ABOR) and exits 130", async () => {
    const before = s.aborts();
    const cli = startCli(["open", "-v", s.url], { cwd: s.local, input: "get endless.bin\npwd\nbye\n" });
    await cli.waitFor(/^150 /m);
    cli.child.kill("SIGINT");
    assert.equal(await cli.exited(), 130, cli.stdout());
    assert.match(cli.stdout(), /^receive aborted\.$/m);
    assert.match(cli.stdout(), /^257 /m, "the session was still usable after the abort");
    assert.equal(s.aborts(), before + 1);
  });

  it("a one-shot get exits 130 and keeps the partial file", async () => {
    const cli = startCli(["get", "-v", `${s.url}/endless.bin`, "partial.bin"], { cwd: s.local });
    await cli.waitFor(/^150 /m, 20_000, "stderr");
    cli.child.kill("SIGINT");
    assert.equal(await cli.exited(), 130, cli.stderr());
    assert.match(cli.stderr(), /^ftpwire get: interrupted$/m);
    assert.ok((await stat(join(s.local, "partial.bin"))).isFile());
  });
});
