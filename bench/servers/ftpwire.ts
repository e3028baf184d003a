// ftpwire's server in its own process for the bench: serves `root` from disk
// (LocalFileSystem) to user "bench"/"bench" on 127.0.0.1, port 0, and sends
// {type:"ready", port} to the parent. Limits are raised to what the bench's
// load needs; everything else keeps its defaults.
import { answerGc, childArg, failToParent, sendToParent } from "../lib/child-side.js";

interface Arg {
  root: string;
  passivePorts: [number, number];
  maxConnections: number;
}

const arg = childArg<Arg>();
try {
  const ftpwire = await import("../../src/index.js");
  if (typeof ftpwire.createServer !== "function" || typeof ftpwire.LocalFileSystem !== "function") {
    throw new Error("ftpwire API not ready (createServer/LocalFileSystem not exported)");
  }
  const fileSystem = new ftpwire.LocalFileSystem(arg.root);
  const server = ftpwire.createServer({
    authenticate: ({ username, password }) =>
      username === "bench" && password === "bench" ? { fileSystem } : null,
    passive: { portRange: arg.passivePorts },
    limits: { maxConnections: arg.maxConnections, maxConnectionsPerAddress: arg.maxConnections },
  });
  server.on("error", () => {}); // counted by the client as failures; never crash the server
  const address = await server.listen({ host: "127.0.0.1", port: 0 });
  answerGc();
  process.once("SIGTERM", () => {
    void server.close({ graceMs: 0 }).finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 3000).unref();
  });
  await sendToParent({ type: "ready", port: address.port });
} catch (e) {
  await failToParent(e);
}
