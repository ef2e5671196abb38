/** The console's browser signer (console/src/tc3.ts, WebCrypto only) against the official TC3 test vector and the server's verifier. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signTc3 } from '../../console/src/tc3.js';
import { canonicalRequest, sha256Hex, signature, stringToSign } from '../../src/protocol/tc3.js';

test('the browser signer reproduces the official TC3-HMAC-SHA256 example (cvm DescribeInstances, 2019-02-25)', async () => {
  const payload = '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}';
  const s = await signTc3({
    secretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE',
    secretKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE',
    service: 'cvm',
    host: 'cvm.tencentcloudapi.com',
    timestamp: 1551113065,
    payload,
    contentType: 'application/json; charset=utf-8',
  });
  assert.equal(
    s.canonicalRequest,
    'POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n\ncontent-type;host\n35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064',
  );
  assert.equal(s.stringToSign, 'TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031');
  assert.equal(s.signature, '72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168');
  assert.equal(
    s.authorization,
    'TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168',
  );
});

test('the browser signer agrees with the server-side signer on a console call (non-ASCII body, a port in the host)', async () => {
  const payload = JSON.stringify({ View: 'partners', StartTime: '2026-01-01 00:00:00', EndTime: '2026-12-31 23:59:59', Note: '未命名' });
  const s = await signTc3({ secretId: 'AKIDx', secretKey: 'k', service: 'partners', host: '127.0.0.1:8080', timestamp: 1795502033, payload });
  const canonical = canonicalRequest({ method: 'POST', canonicalQuery: '', headers: [['content-type', 'application/json'], ['host', '127.0.0.1:8080']], payloadHash: sha256Hex(payload) });
  assert.equal(s.canonicalRequest, canonical);
  const date = new Date(1795502033 * 1000).toISOString().slice(0, 10);
  assert.equal(s.signature, signature('k', date, 'partners', stringToSign(1795502033, 'partners', canonical)));
});
