// The client suite against pyftpdlib (MLSD, MFMT, EPSV/PASV, EPRT/PORT).
import { peerTarget } from "./client-peer-target.js";
import { clientSuite } from "./client-suite.js";

clientSuite(peerTarget("pyftpdlib", { mlsd: true, mfmt: true }));
