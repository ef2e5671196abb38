/**
 * TC3-HMAC-SHA256 in the browser, on WebCrypto: the console signs its own calls, like any SDK.
 * The key never leaves this module's callers' memory; only the signature goes on the wire.
 */
const enc = new TextEncoder();

function hex(buf: ArrayBuffer): string {
  return Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');
}

export async function sha256Hex(data: string | Uint8Array<ArrayBuffer>): Promise<string> {
  return hex(await crypto.subtle.digest('SHA-256', typeof data === 'string' ? enc.encode(data) : data));
}

async function hmac(key: Uint8Array<ArrayBuffer> | ArrayBuffer, msg: string): Promise<ArrayBuffer> {
  const k = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return crypto.subtle.sign('HMAC', k, enc.encode(msg));
}

export interface SignInput {
  secretId: string;
  secretKey: string;
  service: string;
  host: string;
  /** Seconds since the epoch. */
  timestamp: number;
  payload: string;
  contentType?: string;
  method?: 'POST';
}

export interface Signed {
  authorization: string;
  canonicalRequest: string;
  stringToSign: string;
  signature: string;
}

export async function signTc3(input: SignInput): Promise<Signed> {
  const contentType = input.contentType ?? 'application/json';
  const date = new Date(input.timestamp * 1000).toISOString().slice(0, 10);
  const canonicalRequest = [
    input.method ?? 'POST',
    '/',
    '',
    `content-type:${contentType}\nhost:${input.host}\n`,
    'content-type;host',
    await sha256Hex(input.payload),
  ].join('\n');
  const scope = `${date}/${input.service}/tc3_request`;
  const stringToSign = ['TC3-HMAC-SHA256', String(input.timestamp), scope, await sha256Hex(canonicalRequest)].join('\n');
  const secretDate = await hmac(enc.encode(`TC3${input.secretKey}`), date);
  const secretService = await hmac(secretDate, input.service);
  const secretSigning = await hmac(secretService, 'tc3_request');
  const signature = hex(await hmac(secretSigning, stringToSign));
  return {
    authorization: `TC3-HMAC-SHA256 Credential=${input.secretId}/${scope}, SignedHeaders=content-type;host, Signature=${signature}`,
    canonicalRequest,
    stringToSign,
    signature,
  };
}
