// `npm run demo`: both roles of ftpwire in one process, with nothing to set up.
//
// Starts an embedded ftpwire server on a temporary folder, then drives it
// with the ftpwire client: log in, make a directory, upload a few MiB with
// live progress, list, download, verify the bytes, delete, and close. Every
// step is printed; the process exits 0 only if every check passed.
import { randomBytes, createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client, createServer, LocalFileSystem } from "ftpwire";

const SIZE = 4 * 1024 * 1024;
const USER = "demo";
const PASSWORD = "demo-password";

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex").slice(0, 16);
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
// Progress redraws one line; anything else printed meanwhile starts a fresh line.
let progressLine = false;
const say = (text: string) => {
  if (progressLine) process.stdout.write("\n");
  progressLine = false;
  console.log(text);
};
const step = (text: string) => say(`\n▸ ${text}`);

function progressBar(label: string, total: number) {
  const started = Date.now();
  return ({ bytes }: { bytes: number }) => {
    const width = 30;
    const done = Math.min(width, Math.round((bytes / total) * width));
    const seconds = Math.max((Date.now() - started) / 1000, 0.001);
    const rate = (bytes / 1024 / 1024 / seconds).toFixed(1);
    progressLine = true;
    process.stdout.write(`\r  ${label} [${"#".repeat(done)}${".".repeat(width - done)}] ${mib(bytes)} / ${mib(total)}  ${rate} MiB/s `);
  };
}

const root = await mkdtemp(join(tmpdir(), "ftpwire-demo-root-"));
const work = await mkdtemp(join(tmpdir(), "ftpwire-demo-local-"));
const server = createServer({
  greeting: "ftpwire demo server",
  authenticate: async ({ username, password }) =>
    username === USER && password === PASSWORD ? { fileSystem: new LocalFileSystem(root) } : null,
});
server.on("login", ({ session }) => say(`  [server] ${session.username} logged in from ${session.remoteAddress}`));
server.on("upload", (e) => say(`  [server] upload ${e.path}: ${e.bytes} bytes${e.aborted ? " (aborted)" : ""}`));
server.on("download", (e) => say(`  [server] download ${e.path}: ${e.bytes} bytes${e.aborted ? " (aborted)" : ""}`));
server.on("mkdir", (e) => say(`  [server] mkdir ${e.path}`));
server.on("delete", (e) => say(`  [server] delete ${e.path}`));

let client: Client | undefined;
let ok = false;
try {
  const address = await server.listen({ host: "127.0.0.1", port: 0 });
  console.log(`ftpwire demo\n  server root: ${root}\n  listening on ${address.address} port ${address.port}`);

  step("connect and log in");
  client = await Client.connect({ host: "127.0.0.1", port: address.port, user: USER, password: PASSWORD });
  const features = [...client.features().keys()].join(" ");
  console.log(`  logged in; server features: ${features}`);

  step("make /reports/2026 (recursive)");
  await client.mkdir("/reports/2026", { recursive: true });
  await client.cd("/reports/2026");
  console.log(`  working directory is now ${await client.pwd()}`);

  step(`upload ${mib(SIZE)} of random bytes`);
  const original = randomBytes(SIZE);
  const localUpload = join(work, "upload.bin");
  await writeFile(localUpload, original);
  const up = await client.upload(localUpload, "data.bin", { onProgress: progressBar("upload  ", SIZE) });
  say(`  sent ${up.bytes} bytes, server said ${up.reply.code} ${up.reply.message}`);

  step("list the directory");
  for (const entry of await client.list()) {
    say(`  ${entry.type.padEnd(9)} ${String(entry.size ?? "").padStart(9)}  ${entry.modifiedAt?.toISOString() ?? ""}  ${entry.name}`);
  }

  step("download it back and compare");
  const localDownload = join(work, "download.bin");
  const down = await client.download("data.bin", localDownload, { onProgress: progressBar("download", SIZE) });
  const copy = await readFile(localDownload);
  const same = copy.equals(original);
  say(`  received ${down.bytes} bytes; sha256 ${sha256(original)} vs ${sha256(copy)}: ${same ? "identical" : "DIFFERENT"}`);
  if (!same) throw new Error("the downloaded bytes differ from the uploaded ones");

  step("delete the file and the directories");
  await client.remove("data.bin");
  await client.cd("/");
  await client.rmdir("/reports", { recursive: true });
  const left = await client.list("/");
  console.log(`  the server root now holds ${left.length} entries`);
  if (left.length !== 0) throw new Error("the server root is not empty after the clean-up");

  step("close");
  await client.close();
  ok = true;
} catch (error) {
  console.error("\ndemo failed:", error);
} finally {
  await client?.close().catch(() => {});
  await server.close();
  await rm(root, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
}
console.log(ok ? "\nAll steps passed: both roles of ftpwire work on this machine." : "\nThe demo did not complete.");
process.exitCode = ok ? 0 : 1;
