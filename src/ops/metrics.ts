/**
 * Prometheus metrics (prom-client), one registry per server so several servers can live in one
 * process (the tests do that). Labels stay bounded: action is a known action name or `unknown`,
 * code is `OK` or a catalogue code.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Store } from '../store/store.js';

export class Metrics {
  readonly registry = new Registry();

  readonly calls = new Counter({
    name: 'tcdeals_api_calls_total',
    help: 'API calls answered, by action and error code (OK for success).',
    labelNames: ['action', 'code'] as const,
    registers: [this.registry],
  });

  readonly latency = new Histogram({
    name: 'tcdeals_api_call_duration_seconds',
    help: 'Time to answer an API call, by action and error code.',
    labelNames: ['action', 'code'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly rateLimited = new Counter({
    name: 'tcdeals_rate_limit_rejections_total',
    help: 'Calls refused with RequestLimitExceeded, by action.',
    labelNames: ['action'] as const,
    registers: [this.registry],
  });

  readonly arrivals = new Counter({
    name: 'tcdeals_api_calls_by_arrival_total',
    help: 'API calls by how they arrived (direct, tls, proxy) and the host they were addressed to (billing/partners.tencentcloudapi.com, other.tencentcloudapi.com, loopback, other, none).',
    labelNames: ['via', 'host'] as const,
    registers: [this.registry],
  });

  readonly proxy = new Counter({
    name: 'tcdeals_proxy_requests_total',
    help: 'Proxy-mode CONNECT tunnels and absolute-form requests, by target (api: served by tcdeals; passthrough: another host) and outcome (ok, refused, failed).',
    labelNames: ['target', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly tlsHandshakeFailures = new Counter({
    name: 'tcdeals_tls_handshake_failures_total',
    help: 'TLS handshakes that failed or did not finish in time, on the TLS port (tls) or inside proxy tunnels (proxy).',
    labelNames: ['via'] as const,
    registers: [this.registry],
  });

  readonly certificatesMinted = new Counter({
    name: 'tcdeals_tls_certificates_minted_total',
    help: 'Leaf certificates minted by the local CA.',
    registers: [this.registry],
  });

  readonly cacheRefresh = new Histogram({
    name: 'tcdeals_partners_cache_refresh_seconds',
    help: 'Time of full partners agent-deal cache rebuilds done by this instance.',
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });

  constructor(store: Store, now: () => number) {
    collectDefaultMetrics({ register: this.registry, prefix: 'tcdeals_' });
    new Gauge({
      name: 'tcdeals_partners_cache_age_seconds',
      help: 'Seconds since the partners agent-deal cache last changed (incremental refresh or rebuild).',
      registers: [this.registry],
      async collect() {
        const at = await store.cacheRefreshedAt().catch(() => undefined);
        if (at !== undefined) this.set(Math.max(0, (now() - at) / 1000));
      },
    });
    new Gauge({
      name: 'tcdeals_db_pool_connections',
      help: 'Database pool connections by state (PostgreSQL only).',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        const stats = store.poolStats();
        if (!stats) return;
        for (const [state, n] of Object.entries(stats)) this.set({ state }, n);
      },
    });
  }
}
