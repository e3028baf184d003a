// The client suite against proftpd.
import { peerTarget } from "./client-peer-target.js";
import { clientSuite } from "./client-suite.js";

clientSuite(peerTarget("proftpd", { mlsd: true, mfmt: true }));
