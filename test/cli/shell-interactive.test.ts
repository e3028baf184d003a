// The interactive shell in a real pseudo-terminal (tmux), typed at as a
// person would: the password prompt does not echo, Tab completes commands
// and remote names, Ctrl-C in the middle of a large get sends ABOR and
// leaves the session usable, Ctrl-D exits.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { USER, PASSWORD } from "../server/helpers/interop-server.js";
import { startEndlessServer, type EndlessServer } from "./helpers/endless-server.js";
import { commandExists } from "../support/tools.js";
import { CLI_MAIN, TSX_LOADER } from "./helpers/cli-process.js";
import { TmuxSession } from "./helpers/tmux.js";

const shellQuote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;

describe("ftpwire open, interactive (a terminal)", () => {
  let s: EndlessServer;
  let home: string;
  before(async () => {
    home = await mkdtemp(join(tmpdir(), "ftpwire-cli-tty-"));
    s = await startEndlessServer();
    await writeFile(join(s.root, "hello.txt"), "hello\n");
  });
  after(async () => {
    await s.close();
    await rm(home, { recursive: true, force: true });
  });

  it("prompts for the password without echo, completes names, aborts a get on Ctrl-C and exits on Ctrl-D", async (t) => {
    if (!(await commandExists("/usr/bin/tmux"))) {
      if (process.env.CI === "true") assert.fail("tmux is missing");
      return t.skip("tmux is missing");
    }
    const exitFile = join(home, "exit-code");
    const command = `HOME=${shellQuote(home)} ${shellQuote(process.execPath)} --import ${shellQuote(TSX_LOADER)} ${shellQuote(CLI_MAIN)} open 127.0.0.1 ${s.port}; echo "exit=$?" > ${shellQuote(exitFile)}`;
    const tty = await TmuxSession.start(`sh -c ${shellQuote(command)}`, s.local);
    try {
      await tty.waitForScreen(/^Name \(127\.0\.0\.1:\S+\): $/m);
      await tty.type(USER);
      await tty.keys("Enter");
      await tty.waitForScreen(/Password:/);
      await tty.type(PASSWORD);
      await tty.keys("Enter");
      let screen = await tty.waitForScreen(/230 .*\n(.*\n)*ftp> $/m);
      assert.doesNotMatch(screen, new RegExp(PASSWORD), "the password is not echoed");
      assert.match(screen, /^220 /m);

      // Ctrl-C at the prompt drops the half-typed line.
      await tty.type("garbage");
      await tty.keys("C-c");
      await tty.waitForScreen(/^ftp> ?\nftp> ?$/m);

      // Tab: a command name, then a remote name from the listing.
      await tty.type("pw");
      await tty.keys("Tab");
      await tty.waitForScreen(/ftp> pwd ?$/m);
      await tty.keys("Enter");
      await tty.waitForScreen(/^257 .*"\/"/m);
      await tty.type("get hel");
      await tty.keys("Tab");
      await tty.waitForScreen(/ftp> get hello\.txt ?$/m);
      await tty.keys("Enter");
      await tty.waitForScreen(/^6 bytes received in/m);
      assert.equal(await readFile(join(s.local, "hello.txt"), "utf8"), "hello\n");

      // Ctrl-C in the middle of an endless download: ABOR, back at the prompt, still logged in.
      await tty.type("get endless.bin");
      await tty.keys("Enter");
      await tty.waitForScreen(/^150 /m);
      // The progress bar of an unknown-size download: bytes, rate, elapsed time.
      await tty.waitForScreen(/endless\.bin +[\d.]+ (KiB|MiB|GiB) +[\d.]+ (KiB|MiB|GiB)\/s \d\d:\d\d/);
      await tty.keys("C-c");
      screen = await tty.waitForScreen(/receive aborted\.\n(.*\n)*ftp> $/m);
      assert.equal(s.aborts(), 1, "one ABOR reached the server");
      await tty.type("pwd");
      await tty.keys("Enter");
      screen = await tty.waitForScreen((text) => (text.match(/^257 /gm) ?? []).length === 2);
      assert.doesNotMatch(screen, /\?Invalid command/, "the line dropped with Ctrl-C never ran");

      // Ctrl-D at an empty prompt ends the session (QUIT) with status 0.
      await tty.keys("C-d");
      await tty.waitForScreen(/^221 /m);
      const exited = await (async () => {
        for (let i = 0; i < 200; i++) {
          const text = await readFile(exitFile, "utf8").catch(() => "");
          if (text) return text.trim();
          await new Promise((r) => setTimeout(r, 50));
        }
        return "no exit";
      })();
      assert.equal(exited, "exit=0");
    } finally {
      await tty.stop();
    }
  });
});
