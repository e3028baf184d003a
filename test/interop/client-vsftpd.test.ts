// The client suite against vsftpd (no MLSD/MLST: LIST, SIZE/MDTM fallbacks).
import { peerTarget } from "./client-peer-target.js";
import { clientSuite } from "./client-suite.js";

clientSuite(peerTarget("vsftpd", { mlsd: false, mfmt: false }));
