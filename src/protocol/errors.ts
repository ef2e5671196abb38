/**
 * The catalogue of Tencent Cloud error codes tcdeals answers with.
 *
 * Every code the server can emit is listed here with a default text in both languages the
 * protocol knows (`X-TC-Language: en-US | zh-CN`). `docs/errors.md` documents each one, and a
 * test fails when the two drift apart (the way Fastify keeps its error catalogue honest).
 */

export type Lang = 'en-US' | 'zh-CN';

/** A message in both languages. */
export interface Text {
  readonly en: string;
  readonly zh: string;
}

export const ERROR_CATALOGUE = {
  'AuthFailure.InvalidAuthorization': {
    en: 'Authorization in the request header is invalid.',
    zh: '请求头部的 Authorization 不符合腾讯云标准。',
  },
  'AuthFailure.SecretIdNotFound': {
    en: 'The SecretId is not found, please ensure that your SecretId is correct.',
    zh: '密钥不存在。请检查密钥是否填写正确，注意前后不得有空格。',
  },
  'AuthFailure.SignatureExpire': {
    en: 'The signature is expired, please request again.',
    zh: '签名过期。Timestamp 和服务器时间相差不得超过五分钟。',
  },
  'AuthFailure.SignatureFailure': {
    en: 'The provided credentials could not be validated. Please check your signature is correct.',
    zh: '签名错误。签名计算错误，请对照调用方式中的签名方法文档检查签名计算过程。',
  },
  'AuthFailure.TokenFailure': {
    en: 'Token error.',
    zh: 'token 错误。',
  },
  FailedOperation: { en: 'Operation failed.', zh: '操作失败。' },
  InternalError: { en: 'Internal error.', zh: '内部错误。' },
  InvalidAction: {
    en: 'The request `Action` is invalid or not found.',
    zh: '接口不存在。',
  },
  InvalidParameter: { en: 'Invalid parameter.', zh: '参数错误。' },
  InvalidParameterValue: { en: 'Invalid parameter value.', zh: '参数取值错误。' },
  MissingParameter: { en: 'A required parameter is missing.', zh: '缺少参数。' },
  NoSuchVersion: { en: 'The API version does not exist.', zh: '接口版本不存在。' },
  RequestLimitExceeded: {
    en: 'The number of requests exceeds the frequency limit.',
    zh: '请求的次数超过了频率限制。',
  },
  RequestSizeLimitExceeded: {
    en: 'The request size exceeds the limit.',
    zh: '请求包超过限制大小。',
  },
  UnauthorizedOperation: { en: 'Unauthorized operation.', zh: '未授权操作。' },
  UnknownParameter: {
    en: 'Unknown parameter: the request carries a parameter the action does not define.',
    zh: '未知参数错误，用户多传未定义的参数会导致错误。',
  },
  UnsupportedProtocol: {
    en: 'HTTP(S) request protocol error; only GET and POST requests are supported.',
    zh: 'http(s) 请求协议错误，只支持 GET 和 POST 请求。',
  },
} as const satisfies Record<string, Text>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** Every code, for documentation checks and exhaustive tests. */
export const ERROR_CODES = Object.keys(ERROR_CATALOGUE) as ErrorCode[];

/**
 * An error that reaches the caller as `Response.Error`. Throw it anywhere below the protocol
 * layer; the envelope turns it into the documented JSON shape with HTTP 200.
 */
export class ApiError extends Error {
  /** A catalogue code, or any code a sandbox fault rule was told to answer with. */
  readonly code: string;
  readonly text: Text;

  constructor(code: ErrorCode, text?: Text) {
    const resolved = text ?? ERROR_CATALOGUE[code];
    super(resolved.en);
    this.name = 'ApiError';
    this.code = code;
    this.text = resolved;
  }

  /** An error answered on purpose by a sandbox fault rule; its code need not be in the catalogue. */
  static injected(code: string, message: string): ApiError {
    const err = new ApiError('InternalError', { en: message, zh: message });
    (err as { code: string }).code = code;
    return err;
  }

  messageIn(lang: Lang): string {
    return lang === 'zh-CN' ? this.text.zh : this.text.en;
  }
}

/** Reads `X-TC-Language` (or v1 `Language`); anything but zh-CN answers in English. */
export function pickLang(value: string | undefined): Lang {
  return value?.trim().toLowerCase() === 'zh-cn' ? 'zh-CN' : 'en-US';
}
