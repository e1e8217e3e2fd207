import { describe, expect, it } from 'vitest';
import { zEnvironmentSpec } from '../schema/config';
import { metricsSourceIssues, metricsSourceOf, queryTemplateProblem } from './metrics-source-rules';

const QUERIES = {
  requests: 'sum(increase(http_requests_total{flag="{{flag}}",variant="{{variant}}"}[{{window}}]))',
  errors: 'sum(increase(http_requests_total{flag="{{flag}}",variant="{{variant}}",outcome="error"}[{{window}}]))',
};

describe('query templates', () => {
  it('accept the placeholders and balanced PromQL', () => {
    expect(queryTemplateProblem(QUERIES.requests)).toBeNull();
    expect(queryTemplateProblem('sum by (le) (increase(x_bucket{variant="{{variant}}"}[{{window}}]))')).toBeNull();
  });

  it.each([
    ['sum(x{variant="{{variant}}"})', 'the query must use {{window}}'],
    ['sum(x[{{window}}])', 'the query must use {{variant}}'],
    ['x{v="{{variant}}",e="{{env}}"}[{{window}}]', 'unknown placeholder {{env}}'],
    ['x{v="{{variant}"}[{{window}}]', 'a placeholder is not closed'],
    ['sum(x{v="{{variant}}"}[{{window}}]', 'unbalanced "("'],
    ['x{v="{{variant}}}[{{window}}]', 'a string is not closed'],
  ])('refuse %s', (template, message) => {
    expect(queryTemplateProblem(template)).toContain(message);
  });
});

describe('metricsSourceIssues', () => {
  const spec = (metrics: unknown) => zEnvironmentSpec.parse({ name: 'staging', metrics }) as Exclude<ReturnType<typeof zEnvironmentSpec.parse>, string>;

  it('allows https to public hosts and http only to loopback; points at each bad query', () => {
    expect(metricsSourceIssues(spec({ source: 'prometheus', url: 'http://127.0.0.1:9090', queries: QUERIES }), 1)).toEqual([]);
    const bad = metricsSourceIssues(spec({ source: 'prometheus', url: 'http://10.0.0.1:9090', queries: { ...QUERIES, errors: 'sum(x)' } }), 1);
    expect(bad.map((i) => i.path)).toEqual(['/environments/1/metrics/url', '/environments/1/metrics/queries/errors']);
  });

  it('keeps header values out of the config: a header names a secret', () => {
    expect(() => spec({ source: 'prometheus', url: 'https://prom.example.com', headers: { Authorization: 'Bearer x' }, queries: QUERIES })).toThrow();
    expect(spec({ source: 'prometheus', url: 'https://prom.example.com', headers: { Authorization: { secret: 'prom' } }, queries: QUERIES })).toBeTruthy();
  });

  it('defaults to the reports', () => {
    expect(metricsSourceOf({ environments: ['staging'] }, 'staging')).toEqual({ source: 'reports' });
    expect(metricsSourceOf(undefined, 'staging')).toEqual({ source: 'reports' });
  });
});
