// A fresh self-signed certificate for 127.0.0.1 / localhost / ::1, made with
// openssl at test time (nothing secret is committed, nothing expires in git).
import { mkdtempSync, rmSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runChecked } from "./tools.js";

export interface TestCertificate {
  keyPem: string;
  certPem: string;
  /** PEM private key (unencrypted). */
  keyFile: string;
  /** PEM certificate; self-signed, so it is also its own CA file. */
  certFile: string;
  /** Key followed by certificate in one PEM file (pure-ftpd, pyftpdlib). */
  combinedFile: string;
}

let cached: Promise<TestCertificate> | undefined;
let cachedDir: string | undefined;

/**
 * Returns a self-signed certificate with SAN IP:127.0.0.1, DNS:localhost,
 * IP:::1. Without `dir` the certificate is made once per process in a temp
 * dir that is removed at exit; with `dir` a new one is written there.
 */
export function makeTestCertificate(dir?: string): Promise<TestCertificate> {
  if (dir !== undefined) return generate(dir);
  if (!cached) {
    cachedDir = mkdtempSync(join(tmpdir(), "ftpwire-cert-"));
    const d = cachedDir;
    process.once("exit", () => rmSync(d, { recursive: true, force: true }));
    cached = generate(d);
    // A failed attempt must not poison later calls.
    cached.catch(() => {
      cached = undefined;
    });
  }
  return cached;
}

async function generate(dir: string): Promise<TestCertificate> {
  const keyFile = join(dir, "key.pem");
  const certFile = join(dir, "cert.pem");
  const combinedFile = join(dir, "combined.pem");
  // RSA rather than EC: every peer (vsftpd 3.0.3 included) loads it with its
  // default settings.
  await runChecked(
    "openssl",
    [
      "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "2",
      "-keyout", keyFile, "-out", certFile,
      "-subj", "/CN=localhost",
      "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost,IP:::1",
      "-addext", "basicConstraints=critical,CA:TRUE",
    ],
    { timeoutMs: 30_000 },
  );
  const [keyPem, certPem] = await Promise.all([readFile(keyFile, "utf8"), readFile(certFile, "utf8")]);
  await writeFile(combinedFile, keyPem + certPem, { mode: 0o600 });
  return { keyPem, certPem, keyFile, certFile, combinedFile };
}
