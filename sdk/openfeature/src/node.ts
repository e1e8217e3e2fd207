// Node entry: AsyncLocalStorage scopes, the (req, res, next) middleware and createRollgateClient.
export * from './index';
export { asyncLocalScopes } from './async-local';
export { createRollgateClient, type RollgateClient, type RollgateClientOptions } from './client';
export { rollgateNode, type NodeMiddlewareOptions } from './node-middleware';
