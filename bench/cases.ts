/** The benchmark cases (a)–(e) and (j), as signed TC3 requests against the bench dataset. */
import { signTc3 } from '../src/client/signer.js';
import { formatDateTime } from '../src/protocol/datetime.js';
import { BENCH_ANCHOR } from './dataset.js';

export const DEALS = Number(process.env.BENCH_DEALS ?? 1_000_000);
/** 400,000 on the full dataset; 40 % of smaller ones. */
const DEEP = Math.min(400_000, Math.floor(DEALS * 0.4));

export interface Case {
  id: string;
  name: string;
  service: 'billing' | 'partners';
  action: string;
  version: string;
  key: 'agent' | 'client';
  body: Record<string, unknown>;
}

const DAY = 86_400_000;
// A 3-month window in the middle of the generated year (relative to the dataset's anchor day).
const end = formatDateTime(BENCH_ANCHOR - 90 * DAY);
const start = formatDateTime(BENCH_ANCHOR - 181 * DAY);

export const CASES: Case[] = [
  { id: 'a', name: 'billing page: Limit 20, 3-month window', service: 'billing', action: 'DescribeDealsByCond', version: '2018-07-09', key: 'client', body: { StartTime: start, EndTime: end, Limit: 20, Offset: 0 } },
  { id: 'b', name: 'partners page at Offset 0', service: 'partners', action: 'DescribeAgentDealsByCache', version: '2018-03-21', key: 'agent', body: { Offset: 0, Limit: 20 } },
  { id: 'c', name: `partners page at Offset ${DEEP.toLocaleString()}`, service: 'partners', action: 'DescribeAgentDealsByCache', version: '2018-03-21', key: 'agent', body: { Offset: DEEP, Limit: 20 } },
  { id: 'd', name: 'partners with OwnerUins + Status', service: 'partners', action: 'DescribeAgentDealsByCache', version: '2018-03-21', key: 'agent', body: { Offset: 0, Limit: 20, OwnerUins: ['100000000002', '100000000003', '100000000004'], Status: 4 } },
  { id: 'j', name: `partners with Status + PayerMode at Offset ${(DEEP / 2).toLocaleString()}`, service: 'partners', action: 'DescribeAgentDealsByCache', version: '2018-03-21', key: 'agent', body: { Offset: DEEP / 2, Limit: 20, Status: 4, PayerMode: 0 } },
  { id: 'e', name: 'TotalCount of the agent owning every deal (Limit 1)', service: 'partners', action: 'DescribeAgentDealsByCache', version: '2018-03-21', key: 'agent', body: { Offset: 0, Limit: 1 } },
];

export function signed(c: Case, port: number, key: { SecretId: string; SecretKey: string }) {
  const body = JSON.stringify(c.body);
  const timestamp = Math.floor(Date.now() / 1000);
  const sig = signTc3({ secretId: key.SecretId, secretKey: key.SecretKey, service: c.service, host: `127.0.0.1:${port}`, timestamp, payload: body });
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-tc-action': c.action,
      'x-tc-version': c.version,
      'x-tc-timestamp': String(timestamp),
      authorization: sig.authorization,
    },
  };
}

