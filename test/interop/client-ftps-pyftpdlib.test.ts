// The client suite against pyftpdlib over explicit FTPS (the launcher's tls defaults:
// TLS required for login and data).
import { peerTarget } from "./client-peer-target.js";
import { clientSuite } from "./client-suite.js";

clientSuite(peerTarget("pyftpdlib", { mlsd: true, mfmt: true }, { resumes: true }));
