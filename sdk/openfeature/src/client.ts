import { OFREPProvider } from '@openfeature/ofrep-provider';
import { type Client, OpenFeature } from '@openfeature/server-sdk';
import { asyncLocalScopes } from './async-local';
import { rollgateHook } from './hook';
import { rollgateHono } from './hono';
import { rollgateNode } from './node-middleware';
import { Reporter, type ReporterOptions } from './reporter';
import type { ScopeStore } from './scope';

export interface RollgateClientOptions extends Omit<ReporterOptions, 'url' | 'key'> {
  /** Rollgate's base URL (OFREP and /v1/metrics). */
  url: string;
  /** An `evaluate` key for OFREP. */
  clientKey: string;
  /** A `report` key for POST /v1/metrics (may be the same key if it holds both scopes). */
  reportKey: string;
  /** The OpenFeature domain the provider is bound to (default: the default provider). */
  domain?: string;
}

export interface RollgateClient {
  client: Client;
  reporter: Reporter;
  scopes: ScopeStore;
  /** Hono middleware measuring each request (see rollgateHono). */
  hono: () => ReturnType<typeof rollgateHono>;
  /** Express / http middleware measuring each request (see rollgateNode). */
  node: () => ReturnType<typeof rollgateNode>;
  /** Flushes the reporter (the OFREP provider holds nothing to close). */
  close: () => Promise<void>;
}

/**
 * Wires the OpenFeature server SDK to Rollgate: the OFREP provider with the client key, the hook
 * that attributes evaluations to the current request (AsyncLocalStorage), and a Reporter posting
 * health with the report key. Resolves once the provider is ready.
 */
export async function createRollgateClient(options: RollgateClientOptions): Promise<RollgateClient> {
  const { url, clientKey, reportKey, domain, ...reporterOptions } = options;
  const scopes = asyncLocalScopes();
  const reporter = new Reporter({ ...reporterOptions, url, key: reportKey });
  const provider = new OFREPProvider({
    baseUrl: url,
    headers: [['Authorization', `Bearer ${clientKey}`]],
    ...(options.fetch ? { fetchImplementation: options.fetch } : {}),
  });
  if (domain === undefined) await OpenFeature.setProviderAndWait(provider);
  else await OpenFeature.setProviderAndWait(domain, provider);
  const client = domain === undefined ? OpenFeature.getClient() : OpenFeature.getClient(domain);
  client.addHooks(rollgateHook(scopes));
  return {
    client,
    reporter,
    scopes,
    hono: () => rollgateHono(reporter, { store: scopes }),
    node: () => rollgateNode(reporter, { store: scopes }),
    close: () => reporter.close(),
  };
}
