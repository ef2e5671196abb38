/** Credentials and endpoint for commands that call an API (the official SDKs' variable names). */
import { TencentCloudClient } from '../../client/client.js';

export interface ClientFlags {
  endpoint?: string;
  rate: number;
  language?: 'en-US' | 'zh-CN';
}

export function clientFromEnv(flags: ClientFlags): TencentCloudClient {
  const secretId = process.env.TENCENTCLOUD_SECRET_ID;
  const secretKey = process.env.TENCENTCLOUD_SECRET_KEY;
  if (!secretId || !secretKey) {
    throw new Error('set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY (the official SDKs’ variables) to call the API');
  }
  return new TencentCloudClient({
    secretId,
    secretKey,
    ...(flags.endpoint ? { baseUrl: flags.endpoint.includes('://') ? flags.endpoint : `https://${flags.endpoint}` } : {}),
    ratePerSecond: flags.rate,
    ...(flags.language ? { language: flags.language } : {}),
  });
}
