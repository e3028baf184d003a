// A listing far larger than one socket write: the server sends it in batches,
// and no line may be split, lost or duplicated across them.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer, readAll, type TestClient, type TestServer } from "./helpers/ftp-test-client.js";
import { LocalFileSystem } from "../../src/storage/local-file-system.js";

const FILES = 3000;
const nameOf = (i: number) => `report-${String(i).padStart(5, "0")}-with-a-rather-long-name-to-fill-the-batches.csv`;

async function list(c: TestClient, line: string): Promise<string[]> {
  const data = await c.pasv();
  const first = await c.cmd(line);
  assert.equal(first.code, 150, line);
  const text = (await readAll(data, 20_000)).toString("utf8");
  assert.equal((await c.reply()).code, 226, line);
  assert.ok(text.endsWith("\r\n"), `${line}: the listing ends with a complete line`);
  return text.slice(0, -2).split("\r\n");
}

describe("large listings through LocalFileSystem", () => {
  let t: TestServer;
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), "ftpwire-biglist-"));
    for (let i = 0; i < FILES; i++) await writeFile(join(root, nameOf(i)), String(i));
    await symlink(join(root, nameOf(0)), join(root, "link-inside"));
    await symlink("/etc/passwd", join(root, "link-outside"));
    t = await startServer({}, new LocalFileSystem(root));
  });
  after(async () => {
    await t.close();
    await rm(root, { recursive: true, force: true });
  });

  it("NLST, LIST and MLSD each give every entry exactly once, whole", async () => {
    const c = await t.login();
    const expected = [...Array.from({ length: FILES }, (_, i) => nameOf(i)), "link-inside", "link-outside"].sort();

    const nlst = await list(c, "NLST");
    assert.deepEqual([...nlst].sort(), expected);

    const long = await list(c, "LIST");
    assert.equal(long.length, expected.length);
    for (const line of long) assert.match(line, /^[-dl][-rwxsStT]{9} +\d+ \S+ +\S+ +\d+ \w{3} [ \d]\d [ \d]\d[:\d]\d\d /, line);
    const names = long.map((line) => line.replace(/ -> .*$/, "").split(/ +/).slice(8).join(" "));
    assert.deepEqual(names.sort(), expected);

    const mlsd = await list(c, "MLSD");
    assert.equal(mlsd.length, expected.length);
    for (const line of mlsd) assert.match(line, /^(?:[\w.-]+=[^;]*;)+ \S/, line);
    const fromMlsd = mlsd.map((line) => line.slice(line.indexOf("; ") + 2));
    assert.deepEqual(fromMlsd.sort(), expected);
    // The size of a file in the middle proves facts and names stay paired across batches.
    const middle = mlsd.find((line) => line.endsWith(nameOf(1500)));
    assert.match(middle ?? "", /size=4;/);
    c.close();
  });
});
