/**
 * `tcdeals/client`: signing helpers for talking to Tencent Cloud API 3.0 endpoints (real or tcdeals).
 * The paginating, pacing client arrives with the sync work; the signer is shared with the server.
 */
export { authorizationHeader, canonicalRequest, scopeDate, sha256Hex, signature, stringToSign, TC3_ALGORITHM } from '../protocol/tc3.js';
export { v1Signature, v1StringToSign } from '../protocol/v1.js';
