import { describe, expect, it } from 'vitest';
import { DEFAULT_ENVIRONMENTS } from '../schema/config';
import { environmentOf, environmentsOf } from './environments';

describe('environmentsOf', () => {
  it('defaults to development, staging and production, with production protected', () => {
    expect(environmentsOf({})).toEqual([
      { name: 'development', protected: false, healthChecks: [] },
      { name: 'staging', protected: false, healthChecks: [] },
      { name: 'production', protected: true, healthChecks: [] },
    ]);
    expect(environmentsOf({}).map((e) => e.name)).toEqual([...DEFAULT_ENVIRONMENTS]);
  });

  it('keeps the order and names of a listed set of bare names', () => {
    expect(environmentsOf({ environments: ['qa', 'production', 'eu-west'] })).toEqual([
      { name: 'qa', protected: false, healthChecks: [] },
      { name: 'production', protected: true, healthChecks: [] },
      { name: 'eu-west', protected: false, healthChecks: [] },
    ]);
  });

  it('protects production by default in the object form too', () => {
    expect(environmentsOf({ environments: [{ name: 'production' }] })).toEqual([{ name: 'production', protected: true, healthChecks: [] }]);
  });

  it('honours an explicit protected: false on production', () => {
    expect(environmentsOf({ environments: [{ name: 'production', protected: false }] })[0]!.protected).toBe(false);
  });

  it('protects any environment that asks for it, and only those', () => {
    const envs = environmentsOf({
      environments: ['development', { name: 'staging', protected: true }, { name: 'prod-eu' }, { name: 'production', protected: true }],
    });
    expect(envs.map((e) => [e.name, e.protected])).toEqual([
      ['development', false],
      ['staging', true],
      ['prod-eu', false],
      ['production', true],
    ]);
  });

  it('carries health checks', () => {
    const check = { name: 'api', url: 'https://api.shop.example/health', expectStatus: 200, timeoutMs: 2000 };
    expect(environmentsOf({ environments: [{ name: 'staging', healthChecks: [check] }] })).toEqual([
      { name: 'staging', protected: false, healthChecks: [check] },
    ]);
  });
});

describe('environmentOf', () => {
  it('finds a listed environment by its exact name, and nothing else', () => {
    const config = { environments: ['qa', { name: 'production', protected: false }] };
    expect(environmentOf(config, 'production')).toEqual({ name: 'production', protected: false, healthChecks: [] });
    expect(environmentOf(config, 'staging')).toBeUndefined();
    expect(environmentOf(config, 'QA')).toBeUndefined();
    expect(environmentOf({}, 'staging')).toEqual({ name: 'staging', protected: false, healthChecks: [] });
  });
});
