/** Writes one structured log line. Callers pass no secrets: keys and tokens never reach here. */
export function logEvent(event: Record<string, unknown>): void {
  console.log(JSON.stringify(event));
}
