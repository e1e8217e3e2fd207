/** The KV key of an environment's published snapshot. The only place KV key strings are built. */
export function snapshotKey(environment: string): string {
  return `snapshot:${environment}`;
}
