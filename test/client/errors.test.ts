/** TencentCloudError's brand survives package copies; isRetryable sorts codes and raw failures. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClientErrorCode, isRetryable, isRetryableCode, TencentCloudError } from '../../src/client/index.js';

test('TencentCloudError carries code, requestId, httpStatus and is an Error', () => {
  const err = new TencentCloudError({ code: 'InvalidParameter', message: 'bad Limit', requestId: 'r-1', httpStatus: 200 });
  assert.ok(err instanceof Error);
  assert.ok(err instanceof TencentCloudError);
  assert.equal(err.name, 'TencentCloudError');
  assert.equal(err.code, 'InvalidParameter');
  assert.equal(err.message, 'bad Limit');
  assert.equal(err.requestId, 'r-1');
  assert.equal(err.httpStatus, 200);
  const bare = new TencentCloudError({ code: ClientErrorCode.Network, message: 'down' });
  assert.equal(bare.requestId, '');
  assert.equal(bare.httpStatus, undefined);
});

test('instanceof holds for an error from another copy of the package (same global brand)', () => {
  // What a second copy's class produces: a different prototype, the same Symbol.for brand.
  class OtherCopyError extends Error {
    readonly code = 'RequestLimitExceeded';
    readonly requestId = 'r';
    constructor() {
      super('limited');
      Object.defineProperty(this, Symbol.for('tcdeals.client.error'), { value: true });
    }
  }
  const foreign = new OtherCopyError();
  assert.ok(foreign instanceof TencentCloudError);
  assert.equal(isRetryable(foreign), true);
  assert.equal(new Error('x') instanceof TencentCloudError, false);
  assert.equal(({ code: 'InternalError' }) instanceof TencentCloudError, false);
  assert.equal((null as unknown) instanceof TencentCloudError, false);
});

test('retryable codes', () => {
  const yes = [
    'RequestLimitExceeded',
    'RequestLimitExceeded.UinLimitExceeded',
    'RequestLimitExceeded.GlobalRegionUinLimitExceeded',
    'RequestLimitExceeded.IPLimitExceeded',
    'InternalError',
    'InternalError.DbOperatError',
    'ServiceUnavailable',
    ClientErrorCode.Network,
    ClientErrorCode.Timeout,
    ClientErrorCode.HttpStatus,
    ClientErrorCode.ParseJson,
  ];
  const no = [
    'InvalidParameter',
    'InvalidParameterValue',
    'MissingParameter',
    'UnknownParameter',
    'AuthFailure.SignatureFailure',
    'AuthFailure.SignatureExpire',
    'UnauthorizedOperation',
    'RequestSizeLimitExceeded',
    'RequestLimitExceededX',
    'InternalErrors',
    'LimitExceeded',
    'FailedOperation',
    ClientErrorCode.Request,
  ];
  for (const code of yes) {
    assert.equal(isRetryableCode(code), true, code);
    assert.equal(isRetryable(new TencentCloudError({ code, message: '' })), true, code);
  }
  for (const code of no) {
    assert.equal(isRetryableCode(code), false, code);
    assert.equal(isRetryable(new TencentCloudError({ code, message: '' })), false, code);
  }
});

test('raw network failures are retryable, other errors are not', () => {
  const sys = (code: string) => Object.assign(new Error(code), { code });
  assert.equal(isRetryable(new TypeError('fetch failed', { cause: sys('ECONNREFUSED') })), true);
  assert.equal(isRetryable(new TypeError('fetch failed')), true);
  assert.equal(isRetryable(sys('ECONNRESET')), true);
  assert.equal(isRetryable(sys('ETIMEDOUT')), true);
  assert.equal(isRetryable(new Error('wrapped', { cause: new Error('deeper', { cause: sys('UND_ERR_SOCKET') }) })), true);
  assert.equal(isRetryable(new DOMException('aborted', 'AbortError')), true);
  assert.equal(isRetryable(new DOMException('timed out', 'TimeoutError')), true);
  assert.equal(isRetryable(new TypeError('x is not a function')), false);
  assert.equal(isRetryable(sys('ENOENT')), false);
  assert.equal(isRetryable(new RangeError('bad')), false);
  assert.equal(isRetryable('ECONNREFUSED'), false);
  assert.equal(isRetryable(undefined), false);
});
