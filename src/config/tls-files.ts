import { createPrivateKey, KeyObject, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createSecureContext } from 'node:tls';
import { DomainError } from '../common/domain-error';

export type TlsSetting = 'HOOKFLOW_TLS_CERT' | 'HOOKFLOW_TLS_KEY';

/** A certificate file's content with the private key that matches it. */
export interface TlsPair {
  cert: Buffer;
  key: Buffer;
  certificate: X509Certificate;
}

/** A TLS file that cannot be served, naming its setting; never quotes the file's content. */
export class TlsFilesError extends DomainError {
  constructor(
    readonly setting: TlsSetting,
    readonly reason: string,
  ) {
    super('INVALID_TLS_FILES', `${setting} ${reason}`);
  }
}

/** The PEM files named by HOOKFLOW_TLS_CERT (the certificate, then any intermediates) and HOOKFLOW_TLS_KEY. */
export class TlsFiles {
  readonly certPath: string;
  readonly keyPath: string;

  constructor(certPath: string, keyPath: string) {
    this.certPath = resolve(certPath);
    this.keyPath = resolve(keyPath);
  }

  /** The files to serve, or undefined when Hookflow serves plain HTTP. */
  static of(settings: { HOOKFLOW_TLS_CERT?: string; HOOKFLOW_TLS_KEY?: string }): TlsFiles | undefined {
    const { HOOKFLOW_TLS_CERT: cert, HOOKFLOW_TLS_KEY: key } = settings;
    return cert && key ? new TlsFiles(cert, key) : undefined;
  }

  /** Reads both files and checks that they make a pair Node can serve; throws `TlsFilesError`. */
  read(): TlsPair {
    const cert = readTlsFile('HOOKFLOW_TLS_CERT', this.certPath);
    const key = readTlsFile('HOOKFLOW_TLS_KEY', this.keyPath);
    const certificate = parseCertificate(cert, this.certPath);
    if (!certificate.checkPrivateKey(parseKey(key, this.keyPath))) {
      throw new TlsFilesError('HOOKFLOW_TLS_KEY', `${this.keyPath} is not the private key of the certificate in ${this.certPath}`);
    }
    try {
      createSecureContext({ cert, key });
    } catch (error) {
      throw new TlsFilesError('HOOKFLOW_TLS_CERT', `${this.certPath} cannot be served with its key (${(error as Error).message})`);
    }
    return { cert, key, certificate };
  }
}

/** Subject, SHA-256 fingerprint and end of validity, as logs and the banner show a certificate. */
export function describeCertificate(certificate: X509Certificate): string {
  const expired = new Date(certificate.validTo).getTime() < Date.now() ? ' (EXPIRED)' : '';
  return `${certificate.subject.replace(/\n/g, ', ')}, SHA-256 ${certificate.fingerprint256}, valid until ${new Date(certificate.validTo).toISOString()}${expired}`;
}

const READ_PROBLEMS: Record<string, string> = {
  ENOENT: 'does not exist',
  EACCES: 'is not readable by the user running Hookflow',
  EISDIR: 'is a folder, not a file',
};

function readTlsFile(setting: TlsSetting, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new TlsFilesError(setting, `${path} ${READ_PROBLEMS[code] ?? `cannot be read (${code})`}`);
  }
}

function parseCertificate(cert: Buffer, path: string): X509Certificate {
  try {
    return new X509Certificate(cert);
  } catch {
    throw new TlsFilesError('HOOKFLOW_TLS_CERT', `${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  }
}

function parseKey(key: Buffer, path: string): KeyObject {
  // Node reports a missing passphrase differently from version to version: read the PEM header.
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(key.toString('latin1'))) {
    throw new TlsFilesError('HOOKFLOW_TLS_KEY', `${path} is encrypted with a passphrase; give Hookflow the key unencrypted and readable by its user only`);
  }
  try {
    return createPrivateKey(key);
  } catch {
    throw new TlsFilesError('HOOKFLOW_TLS_KEY', `${path} holds no PEM private key (-----BEGIN PRIVATE KEY-----)`);
  }
}
