// The client suite against vsftpd over explicit FTPS: ssl_enable, forced TLS
// for logins and data, require_ssl_reuse=YES (the launcher's tls defaults).
import { peerTarget } from "./client-peer-target.js";
import { clientSuite } from "./client-suite.js";

clientSuite(peerTarget("vsftpd", { mlsd: false, mfmt: false }, { resumes: true }));
