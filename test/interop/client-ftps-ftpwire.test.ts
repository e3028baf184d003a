// The client suite against ftpwire's own server over explicit FTPS, with the
// strictest settings: TLS required on control and data, and data connections
// refused unless they resume the control connection's TLS session.
import { makeTestCertificate } from "../support/certs.js";
import { clientSuite } from "./client-suite.js";
import { ownTarget } from "./client-own-target.js";

clientSuite(
  ownTarget(
    "ftpwire (FTPS explicit, PROT P, TLS and session reuse required)",
    async () => {
      const cert = await makeTestCertificate();
      return {
        server: { tls: { key: cert.keyPem, cert: cert.certPem }, requireTls: "all", requireTlsSessionReuse: true },
        client: { secure: true, tls: { ca: cert.certPem } },
      };
    },
    { resumes: true },
  ),
);
