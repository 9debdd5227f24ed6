import { generateKeyPairSync, randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { isIP } from "node:net";
import { createSecureContext, type SecureContext } from "node:tls";
import type forge from "node-forge";

let forgeLoaded: typeof forge | undefined;

/**
 * node-forge, loaded when the first authority is made: it takes ~25 ms to load, which every run
 * without model hosts (and every other command) would otherwise pay at its start.
 */
function forgeLib(): typeof forge {
  forgeLoaded ??= createRequire(import.meta.url)("node-forge") as typeof forge;
  return forgeLoaded;
}

/**
 * A certificate authority made for one sandbox: the proxy shows the agent a certificate it signed
 * for each model host, so only that sandbox, which trusts it, can be talked to in the clear. Its
 * key lives in this object alone (never on disk) and goes with it.
 */
export interface RunAuthority {
  /** The CA's certificate (PEM): the one thing of it the sandbox gets. */
  readonly certificate: string;
  /** A key and certificate (PEM) for a server named `host` (a name or an IP literal), signed by this CA. */
  serverPair(host: string): { key: string; cert: string };
  /** The same, as a TLS context; made once per host. */
  contextFor(host: string): SecureContext;
}

const VALID_BEFORE_MS = 60 * 60_000;
/** Outlives any run; the CA is made again for every sandbox anyway. */
const VALID_FOR_MS = 30 * 24 * 60 * 60_000;

export function createRunAuthority(): RunAuthority {
  const { md, pki } = forgeLib();
  const caKeys = rsaKeys();
  const caName = [
    { name: "commonName", value: "gaffer sandbox CA" },
    { name: "organizationName", value: "gaffer" },
  ];
  const ca = certificate(caKeys.publicKey, caName, caName, [
    { name: "basicConstraints", cA: true, pathLenConstraint: 0, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  ca.sign(caKeys.privateKey, md.sha256.create());
  const caKeyId = ca.generateSubjectKeyIdentifier().getBytes();
  // One key for every host's certificate: the hosts are few, and all are the proxy's own.
  const leafKeys = rsaKeys();
  const leafKeyPem = pki.privateKeyToPem(leafKeys.privateKey);
  const contexts = new Map<string, SecureContext>();
  const serverPair = (host: string) => {
    const leaf = certificate(leafKeys.publicKey, [{ name: "commonName", value: host }], caName, [
      { name: "basicConstraints", cA: false, critical: true },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames: [isIP(host) ? { type: 7, ip: host } : { type: 2, value: host }] },
      { name: "authorityKeyIdentifier", keyIdentifier: caKeyId },
    ]);
    leaf.sign(caKeys.privateKey, md.sha256.create());
    return { key: leafKeyPem, cert: pki.certificateToPem(leaf) };
  };
  return {
    certificate: pki.certificateToPem(ca),
    serverPair,
    contextFor(host) {
      const known = contexts.get(host);
      if (known) return known;
      const context = createSecureContext(serverPair(host));
      contexts.set(host, context);
      return context;
    },
  };
}

/** Keys made by Node's own crypto, not forge's JavaScript (seconds faster). */
function rsaKeys(): { publicKey: forge.pki.rsa.PublicKey; privateKey: forge.pki.rsa.PrivateKey } {
  const { pki } = forgeLib();
  const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    publicKey: pki.publicKeyFromPem(pair.publicKey.export({ type: "spki", format: "pem" }) as string),
    privateKey: pki.privateKeyFromPem(pair.privateKey.export({ type: "pkcs8", format: "pem" }) as string),
  };
}

function certificate(
  publicKey: forge.pki.rsa.PublicKey,
  subject: forge.pki.CertificateField[],
  issuer: forge.pki.CertificateField[],
  extensions: object[],
): forge.pki.Certificate {
  const { pki } = forgeLib();
  const cert = pki.createCertificate();
  cert.publicKey = publicKey;
  // A positive serial: the first byte below 0x80.
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  cert.serialNumber = serial.toString("hex");
  const now = Date.now();
  cert.validity.notBefore = new Date(now - VALID_BEFORE_MS);
  cert.validity.notAfter = new Date(now + VALID_FOR_MS);
  cert.setSubject(subject);
  cert.setIssuer(issuer);
  cert.setExtensions(extensions);
  return cert;
}
