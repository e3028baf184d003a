// Child process of sync-restart.test.ts: runs one upload sync and says
// "started" on stdout once `threshold` bytes have moved, so the parent can
// SIGKILL it in the middle. Arguments: port localDir remoteDir threshold.
import { Client } from "../../src/client/client.js";

const [port, localDir, remoteDir, threshold] = process.argv.slice(2);
const client = await Client.connect({ host: "127.0.0.1", port: Number(port), user: "u", password: "p", progressInterval: 0 });
let said = false;
await client.sync(localDir!, remoteDir!, {
  direction: "upload",
  onProgress: (p) => {
    if (!said && p.bytesDone >= Number(threshold)) {
      said = true;
      process.stdout.write("started\n");
    }
  },
});
process.stdout.write("finished\n");
await client.close();
