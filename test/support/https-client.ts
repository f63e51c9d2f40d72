import { request } from 'node:https';
import type { TLSSocket } from 'node:tls';

export interface HttpsAnswer {
  status: number;
  body: any;
  /** SHA-256 fingerprint of the certificate the server presented. */
  fingerprint: string;
}

/**
 * One request over a fresh connection (so it sees the certificate served now), trusting
 * only `ca`: a certificate that does not verify against it fails the request.
 */
export function httpsRequest(url: string, ca: Buffer, options: { method?: string; body?: string } = {}): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: options.method ?? 'GET', ca, agent: false, headers: { 'content-type': 'application/json' } }, (response) => {
      const fingerprint = (response.socket as TLSSocket).getPeerCertificate().fingerprint256;
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => {
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // keep the text
        }
        resolve({ status: response.statusCode ?? 0, body, fingerprint });
      });
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.setTimeout(10_000, () => outgoing.destroy(new Error(`no answer from ${url} within 10 s`)));
    outgoing.end(options.body);
  });
}
