// The client suite against pure-ftpd over explicit FTPS (the launcher's tls defaults:
// TLS required for login and data).
import { peerTarget } from "./client-peer-target.js";
import { clientSuite } from "./client-suite.js";

clientSuite(peerTarget("pure-ftpd", { mlsd: true, mfmt: true }, { resumes: false }));
