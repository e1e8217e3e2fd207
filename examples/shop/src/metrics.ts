import { Counter, Histogram, Registry } from 'prom-client';

/**
 * The shop's Prometheus metrics, for teams whose health data lives in Prometheus rather than in
 * reports to Rollgate: requests by flag, variant and outcome, and a latency histogram by flag and
 * variant, exposed at GET /metrics. Rollgate's `metrics: {source: "prometheus"}` reads them with
 * queries such as
 *   sum(increase(shop_requests_total{flag="{{flag}}",variant="{{variant}}"}[{{window}}]))
 */
export interface ShopMetrics {
  registry: Registry;
  /** Counts one request served with `variant` of `flag`, failed or not, that took `seconds`. */
  observe(flag: string, variant: string, failed: boolean, seconds: number): void;
  /** The text exposition format, for GET /metrics. */
  text(): Promise<string>;
}

export function createShopMetrics(): ShopMetrics {
  const registry = new Registry();
  const requests = new Counter({
    name: 'shop_requests_total',
    help: 'requests by flag, variant and outcome',
    labelNames: ['flag', 'variant', 'outcome'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'shop_request_duration_seconds',
    help: 'request latency by flag and variant',
    labelNames: ['flag', 'variant'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  return {
    registry,
    observe(flag, variant, failed, seconds) {
      requests.inc({ flag, variant, outcome: failed ? 'error' : 'ok' });
      latency.observe({ flag, variant }, seconds);
    },
    text: () => registry.metrics(),
  };
}
