/**
 * Certificates for the local CA and its leaves, with @peculiar/x509 on Node's own WebCrypto
 * (keys and signatures are OpenSSL's; the library only builds and parses the ASN.1).
 *
 * @peculiar/x509 resolves its algorithm providers through tsyringe, which needs the Reflect
 * metadata polyfill loaded first; this module is the only place that imports the library, and
 * only the commands that need certificates load it.
 */
import 'reflect-metadata';
import { createHash, createPrivateKey, createPublicKey, randomBytes, webcrypto, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';
import { GeneralName, GeneralSubtree, GeneralSubtrees, id_ce_nameConstraints, NameConstraints } from '@peculiar/asn1-x509';
import { AsnConvert } from '@peculiar/asn1-schema';
import { NameNotPermittedError, normalizeHost, PERMITTED, permitted } from './names.js';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
type Crypto = Parameters<typeof x509.cryptoProvider.set>[0];

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;

export const CA_LIFETIME_MS = 10 * 365 * 86_400_000;
/** Leaves live a day; the cache renews them after half of it. */
export const LEAF_LIFETIME_MS = 86_400_000;
/** Backdating, for clients whose clock is a little behind. */
const BACKDATE_MS = 3_600_000;

/** A positive 128-bit serial number, as hex. */
function serial(): string {
  const b = randomBytes(16);
  b[0] = (b[0]! & 0x7f) | 0x01;
  return b.toString('hex');
}

function pem(label: string, der: ArrayBuffer | Buffer): string {
  const b64 = Buffer.from(der as ArrayBuffer).toString('base64');
  return `-----BEGIN ${label}-----\n${b64.match(/.{1,64}/g)!.join('\n')}\n-----END ${label}-----\n`;
}

function fromPem(text: string, label: string): Buffer {
  const m = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`).exec(text);
  if (!m) throw new Error(`no ${label} in the file`);
  return Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64');
}

/** The CA's name constraints: critical, so a verifier that does not understand them refuses the CA. */
function nameConstraints(): x509.Extension {
  const subtrees = [
    ...PERMITTED.dns.map((d) => new GeneralSubtree({ base: new GeneralName({ dNSName: d }) })),
    ...PERMITTED.ip.map((cidr) => new GeneralSubtree({ base: new GeneralName({ iPAddress: cidr }) })),
  ];
  const value = AsnConvert.serialize(new NameConstraints({ permittedSubtrees: new GeneralSubtrees(subtrees) }));
  return new x509.Extension(id_ce_nameConstraints, true, value);
}

export interface CaMaterial {
  certPem: string;
  keyPem: string;
}

/** A new CA: ECDSA P-256, ten years, path length 0, serverAuth only, name-constrained. */
export async function createCaMaterial(label: string, now = Date.now()): Promise<CaMaterial> {
  const keys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: [{ CN: [label] }, { O: ['tcdeals sandbox'] }],
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + CA_LIFETIME_MS),
    keys,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      nameConstraints(),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { certPem: cert.toString('pem') + '\n', keyPem: pem('PRIVATE KEY', pkcs8) };
}

export interface Leaf {
  certPem: string;
  keyPem: string;
  notAfter: number;
  names: readonly string[];
}

/** A loaded CA: its certificate, and its key as a non-extractable WebCrypto key. */
export class CaSigner {
  private constructor(
    readonly cert: x509.X509Certificate,
    readonly certPem: string,
    private readonly signingKey: CryptoKey,
    private readonly publicKey: CryptoKey,
  ) {}

  /** Parses and cross-checks the PEM files' contents: the key must belong to the certificate. */
  static async load(material: CaMaterial): Promise<CaSigner> {
    const cert = new x509.X509Certificate(fromPem(material.certPem, 'CERTIFICATE'));
    const keyDer = fromPem(material.keyPem, 'PRIVATE KEY');
    let publicFromKey: KeyObject;
    try {
      publicFromKey = createPublicKey(createPrivateKey({ key: keyDer, format: 'der', type: 'pkcs8' }));
    } catch (err) {
      throw new Error(`the CA key is not a PKCS#8 private key (${(err as Error).message})`);
    }
    const spki = publicFromKey.export({ type: 'spki', format: 'der' });
    if (!spki.equals(Buffer.from(cert.publicKey.rawData))) throw new Error('the CA key does not belong to the CA certificate');
    const signingKey = await webcrypto.subtle.importKey('pkcs8', keyDer, EC, false, ['sign']);
    const publicKey = (await cert.publicKey.export(EC, ['verify'], webcrypto as unknown as Crypto)) as unknown as CryptoKey;
    return new CaSigner(cert, `${material.certPem.trim()}\n`, signingKey, publicKey);
  }

  get subject(): string {
    return this.cert.subject;
  }

  get notAfter(): Date {
    return this.cert.notAfter;
  }

  /** SHA-256 of the certificate, as upper-case hex pairs (how browsers and openssl show it). */
  get fingerprint(): string {
    return createHash('sha256').update(Buffer.from(this.cert.rawData)).digest('hex').toUpperCase().match(/../g)!.join(':');
  }

  /**
   * A leaf for `names` (DNS names, `*.` wildcards, loopback addresses): ECDSA P-256, serverAuth,
   * valid from an hour ago for `lifetimeMs`. Names outside the CA's constraints are refused here,
   * before anything is signed.
   */
  async mint(names: readonly string[], lifetimeMs = LEAF_LIFETIME_MS, now = Date.now()): Promise<Leaf> {
    const normalized = [...new Set(names.map(normalizeHost))];
    const refused = normalized.filter((n) => !permitted(n));
    if (normalized.length === 0 || refused.length > 0) throw new NameNotPermittedError(refused.length ? refused : ['(no name)']);
    const keys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as CryptoKeyPair;
    const notAfter = Math.min(now + lifetimeMs, this.cert.notAfter.getTime());
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      // No CN: a verifier checks a CN that looks like a host name against the DNS constraints
      // when the certificate has no DNS name, which would refuse an IP-only leaf.
      subject: [{ O: ['tcdeals sandbox'] }],
      issuer: this.cert.subject,
      notBefore: new Date(now - BACKDATE_MS),
      notAfter: new Date(notAfter),
      signingKey: this.signingKey,
      publicKey: keys.publicKey,
      signingAlgorithm: SIGNING,
      extensions: [
        new x509.SubjectAlternativeNameExtension(normalized.map((n) => ({ type: isIP(n) ? 'ip' : 'dns', value: n }))),
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
        await x509.AuthorityKeyIdentifierExtension.create(this.publicKey),
      ],
    });
    const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
    return { certPem: cert.toString('pem') + '\n', keyPem: pem('PRIVATE KEY', pkcs8), notAfter, names: normalized };
  }
}
