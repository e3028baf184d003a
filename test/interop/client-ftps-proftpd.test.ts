// The client suite against proftpd over explicit FTPS (the launcher's tls defaults:
// TLS required for login and data, session reuse required).
import { peerTarget } from "./client-peer-target.js";
import { clientSuite } from "./client-suite.js";

clientSuite(peerTarget("proftpd", { mlsd: true, mfmt: true }, { resumes: true }));
