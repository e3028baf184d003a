// LocalFileSystem: containment (symlinks included), resumed writes, atomic uploads, listings.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, mkdir, readFile, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import { LocalFileSystem } from "../../src/storage/local-file-system.js";
import { storageErrorReply } from "../../src/storage/error-replies.js";
import { FtpInvalidOptionError } from "../../src/errors.js";

async function readStream(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString();
}

describe("LocalFileSystem", () => {
  let base: string;
  let root: string;
  before(async () => {
    base = await mkdtemp(join(tmpdir(), "ftpwire-lfs-"));
    root = join(base, "root");
    await mkdir(join(root, "dir"), { recursive: true });
    await writeFile(join(root, "dir", "a.txt"), "hello");
    await writeFile(join(base, "secret.txt"), "outside");
    await mkdir(join(base, "outside-dir"));
    await symlink(join(base, "secret.txt"), join(root, "escape.txt"));
    await symlink(join(base, "outside-dir"), join(root, "escape-dir"));
    await symlink(join(root, "dir", "a.txt"), join(root, "inside-link.txt"));
    await symlink(join(base, "nowhere"), join(root, "dangling"));
  });
  after(() => rm(base, { recursive: true, force: true }));

  it("maps virtual paths under the root", async () => {
    const fs = new LocalFileSystem(root);
    const info = await fs.stat("/dir/a.txt");
    assert.equal(info.name, "a.txt");
    assert.equal(info.type, "file");
    assert.equal(info.size, 5);
    assert.equal(await readStream(await fs.read("/dir/a.txt", { start: 1 })), "ello");
    assert.equal((await fs.stat("/")).type, "directory");
  });

  it("refuses real paths outside the root, symlinks included", async () => {
    const fs = new LocalFileSystem(root);
    await assert.rejects(fs.read("/escape.txt"), { code: "EACCES" });
    await assert.rejects(fs.stat("/escape.txt"), { code: "EACCES" });
    await assert.rejects(fs.list("/escape-dir"), { code: "EACCES" });
    await assert.rejects(fs.write("/escape.txt"), { code: "EACCES" });
    await assert.rejects(fs.write("/escape-dir/new.txt"), { code: "EACCES" });
    await assert.rejects(fs.mkdir("/escape-dir/sub"), { code: "EACCES" });
    await assert.rejects(fs.write("/dangling"), { code: "EACCES" });
    await assert.rejects(fs.rename("/dir/a.txt", "/escape-dir/a.txt"), { code: "EACCES" });
    await assert.rejects(fs.rmdir("/"), { code: "EACCES" });
    await assert.rejects(fs.stat("/../secret.txt"), (e: NodeJS.ErrnoException) => e.code === "EACCES" || e.code === "ENOENT");
    assert.equal(await readFile(join(base, "secret.txt"), "utf8"), "outside");
    // A link that stays inside is fine.
    assert.equal(await readStream(await fs.read("/inside-link.txt")), "hello");
  });

  it("lists entries, describing outside links without following them", async () => {
    const fs = new LocalFileSystem(root);
    const names = new Map((await fs.list("/")).map((e) => [e.name, e]));
    assert.equal(names.get("dir")?.type, "directory");
    assert.equal(names.get("inside-link.txt")?.type, "file");
    assert.equal(names.get("escape.txt")?.type, "symlink");
    assert.equal(names.get("escape.txt")?.target, undefined);
    assert.equal(names.get("escape.txt")?.size, 0);
  });

  it("resumed writes keep the bytes before the offset and do not truncate", async () => {
    const fs = new LocalFileSystem(root);
    await writeFile(join(root, "resume.bin"), "AAAAABBBBB");
    await pipeline(Readable.from([Buffer.from("cc")]), await fs.write("/resume.bin", { start: 5 }));
    assert.equal(await readFile(join(root, "resume.bin"), "utf8"), "AAAAAccBBB");
    await pipeline(Readable.from([Buffer.from("!")]), await fs.write("/resume.bin", { append: true }));
    assert.equal(await readFile(join(root, "resume.bin"), "utf8"), "AAAAAccBBB!");
    await pipeline(Readable.from([Buffer.from("new")]), await fs.write("/resume.bin"));
    assert.equal(await readFile(join(root, "resume.bin"), "utf8"), "new");
  });

  it("atomicUploads: the file appears only on success; a failed upload leaves the old file and no temp file", async () => {
    const fs = new LocalFileSystem(root, { atomicUploads: true });
    await writeFile(join(root, "atomic.txt"), "old content");
    const w = await fs.write("/atomic.txt");
    w.write("partial");
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(await readFile(join(root, "atomic.txt"), "utf8"), "old content");
    w.on("error", () => {});
    w.destroy(new Error("aborted"));
    await new Promise((r) => w.once("close", r));
    assert.equal(await readFile(join(root, "atomic.txt"), "utf8"), "old content");
    assert.deepEqual((await readdir(root)).filter((n) => n.startsWith(".ftpwire-upload-")), []);
    await pipeline(Readable.from([Buffer.from("new content")]), await fs.write("/atomic.txt"));
    assert.equal(await readFile(join(root, "atomic.txt"), "utf8"), "new content");
    await pipeline(Readable.from([Buffer.from("NEW")]), await fs.write("/atomic.txt", { start: 4 }));
    assert.equal(await readFile(join(root, "atomic.txt"), "utf8"), "new NEWtent");
    assert.deepEqual((await readdir(root)).filter((n) => n.startsWith(".ftpwire-upload-")), []);
  });

  it("mkdir, rename, unlink, rmdir, chmod, setModifiedTime", async () => {
    const fs = new LocalFileSystem(root);
    await fs.mkdir("/made");
    await assert.rejects(fs.mkdir("/made"), { code: "EEXIST" });
    await pipeline(Readable.from([Buffer.from("x")]), await fs.write("/made/f.txt"));
    await assert.rejects(fs.rmdir("/made"), { code: "ENOTEMPTY" });
    await assert.rejects(fs.unlink("/made"), { code: "EISDIR" });
    await fs.rename("/made/f.txt", "/made/g.txt");
    await fs.chmod("/made/g.txt", 0o600);
    assert.equal((await fs.stat("/made/g.txt")).mode, 0o600);
    const when = new Date(Date.UTC(2001, 1, 3, 4, 5, 6));
    await fs.setModifiedTime("/made/g.txt", when);
    assert.equal((await fs.stat("/made/g.txt")).modifiedAt?.getTime(), when.getTime());
    await fs.unlink("/made/g.txt");
    await fs.rmdir("/made");
    await assert.rejects(fs.stat("/made"), { code: "ENOENT" });
    // The link itself is removed, not its target.
    await symlink(join(base, "secret.txt"), join(root, "link-to-remove"));
    await fs.unlink("/link-to-remove");
    assert.equal(await readFile(join(base, "secret.txt"), "utf8"), "outside");
  });

  it("bad options throw FtpInvalidOptionError", () => {
    assert.throws(() => new LocalFileSystem(""), FtpInvalidOptionError);
    assert.throws(() => new LocalFileSystem(root, { readChunkSize: 10 }), FtpInvalidOptionError);
    assert.throws(() => new LocalFileSystem(root, { eventLoopIo: "sometimes" as "auto" }), FtpInvalidOptionError);
  });

  it('eventLoopIo "never" (every call through the thread pool) stores and reads the same bytes, containment included', async () => {
    const pooled = new LocalFileSystem(root, { eventLoopIo: "never" });
    await pipeline(Readable.from([Buffer.from("pooled "), Buffer.from("bytes")]), await pooled.write("/pooled.txt"));
    const chunks: Buffer[] = [];
    for await (const chunk of await pooled.read("/pooled.txt")) chunks.push(chunk as Buffer);
    assert.equal(Buffer.concat(chunks).toString(), "pooled bytes");
    await assert.rejects(pooled.read("/escape/secret.txt"), (e: NodeJS.ErrnoException) => e.code === "EACCES" || e.code === "ENOENT");
    await assert.rejects(pooled.read("/"), (e: NodeJS.ErrnoException) => e.code === "EISDIR");
  });
});

describe("storage errors → replies", () => {
  it("maps errno codes and never uses the message", () => {
    const cases: Array<[string, number]> = [
      ["ENOENT", 550],
      ["EACCES", 550],
      ["EPERM", 550],
      ["ENOTDIR", 550],
      ["EISDIR", 550],
      ["EEXIST", 550],
      ["ENOTEMPTY", 550],
      ["ENOSPC", 452],
      ["EDQUOT", 552],
      ["ENAMETOOLONG", 553],
    ];
    for (const [code, reply] of cases) {
      const r = storageErrorReply(Object.assign(new Error(`/real/path/${code}`), { code }));
      assert.equal(r.code, reply, code);
      assert.ok(!r.text.includes("/real/path"));
    }
    assert.equal(storageErrorReply(new Error("boom at /srv/x")).code, 451);
    assert.equal(storageErrorReply("string").code, 451);
  });
});
