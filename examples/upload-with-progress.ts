// Upload one file with a live progress line, then verify the size on the server.
//
//   npx tsx examples/upload-with-progress.ts ftp://user:pass@host:21 ./big.iso /incoming/big.iso
//
// Ctrl-C aborts the transfer cleanly (ABOR) through an AbortSignal.
import { stat } from "node:fs/promises";
import { basename } from "node:path";
import { Client, FtpError } from "ftpwire";

const [url, localPath, remoteArg] = process.argv.slice(2);
if (!url || !localPath) {
  console.error("usage: upload-with-progress <ftp-url> <local-file> [remote-path]");
  process.exit(2);
}
const remotePath = remoteArg ?? basename(localPath);
const total = (await stat(localPath)).size;

const controller = new AbortController();
process.once("SIGINT", () => controller.abort());

await using client = await Client.connect(url);
const started = Date.now();
try {
  const { bytes } = await client.upload(localPath, remotePath, {
    signal: controller.signal,
    // Called per chunk, at most every 100 ms, and once at the end.
    onProgress: ({ bytes: done }) => {
      const seconds = (Date.now() - started) / 1000 || 0.001;
      const percent = total ? ((done / total) * 100).toFixed(1) : "100.0";
      const rate = (done / 1024 / 1024 / seconds).toFixed(1);
      process.stdout.write(`\r${remotePath}: ${percent}% (${done}/${total} bytes, ${rate} MiB/s)   `);
    },
  });
  process.stdout.write("\n");
  const onServer = await client.size(remotePath);
  console.log(`uploaded ${bytes} bytes; the server reports ${onServer} bytes`);
} catch (error) {
  process.stdout.write("\n");
  if (error instanceof FtpError && error.code === "ERR_FTP_ABORTED") console.error("aborted");
  else throw error;
}
