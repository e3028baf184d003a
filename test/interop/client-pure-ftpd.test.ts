// The client suite against pure-ftpd.
import { peerTarget } from "./client-peer-target.js";
import { clientSuite } from "./client-suite.js";

clientSuite(peerTarget("pure-ftpd", { mlsd: true, mfmt: true }));
