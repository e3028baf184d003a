// Our server driven by lftp: mirror both ways, passive and active, plus a few commands.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile, mkdir, readdir } from "node:fs/promises";
import { join, relative } from "node:path";
import { randomBytes } from "node:crypto";
import { requirePeer } from "../support/require-peer.js";
import { runCommand } from "../support/tools.js";
import { startInteropServer, USER, PASSWORD, type InteropServer } from "../server/helpers/interop-server.js";

async function tree(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name);
    out.set(relative(dir, full), await readFile(full));
  }
  return out;
}

function lftp(s: InteropServer, script: string) {
  const settings = [
    "set cmd:fail-exit yes",
    "set ftp:ssl-allow no",
    "set ssl:verify-certificate no",
    "set net:max-retries 1",
    "set net:timeout 10",
    "set net:reconnect-interval-base 1",
  ].join("; ");
  return runCommand(
    "/usr/bin/lftp",
    ["-u", `${USER},${PASSWORD}`, "-p", String(s.port), "-e", `${settings}; ${script}; bye`, "127.0.0.1"],
    { timeoutMs: 60_000, env: { HOME: s.local } },
  );
}

describe("interop: lftp against our server", () => {
  let s: InteropServer;
  before(async () => {
    s = await startInteropServer();
  });
  after(() => s.close());

  for (const passive of ["on", "off"]) {
    it(`mirror -R uploads a tree and mirror downloads it back identical (passive-mode ${passive})`, async (t) => {
      if (!(await requirePeer(t, "lftp"))) return;
      const source = join(s.local, `src-${passive}`);
      await mkdir(join(source, "deep", "er"), { recursive: true });
      await writeFile(join(source, "top.bin"), randomBytes(1_500_000));
      await writeFile(join(source, "empty.txt"), "");
      await writeFile(join(source, "deep", "a b.txt"), "spaces in name\n");
      await writeFile(join(source, "deep", "er", "x.bin"), randomBytes(70_000));
      const up = await lftp(s, `set ftp:passive-mode ${passive}; mirror -R ${source} /m-${passive}`);
      assert.equal(up.code, 0, up.stderr + up.stdout);
      const expected = await tree(source);
      assert.deepEqual(await tree(join(s.root, `m-${passive}`)), expected);
      const back = join(s.local, `back-${passive}`);
      const down = await lftp(s, `set ftp:passive-mode ${passive}; mirror /m-${passive} ${back}`);
      assert.equal(down.code, 0, down.stderr + down.stdout);
      assert.deepEqual(await tree(back), expected);
    });
  }

  it("ls, cls, mkdir, mv, rm, and a resumed get", async (t) => {
    if (!(await requirePeer(t, "lftp"))) return;
    const bytes = randomBytes(400_000);
    await writeFile(join(s.root, "resume.bin"), bytes);
    await writeFile(join(s.local, "resume.bin"), bytes.subarray(0, 100_000));
    const r = await lftp(
      s,
      `mkdir /lf; put -O /lf ${join(s.local, "resume.bin")}; mv /lf/resume.bin /lf/moved.bin; cls -1 /lf; rm /lf/moved.bin; rmdir /lf; get -c /resume.bin -o ${join(s.local, "resume.bin")}`,
    );
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /moved\.bin/);
    assert.ok((await readFile(join(s.local, "resume.bin"))).equals(bytes));
  });
});
