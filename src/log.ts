/** Writes one structured log line. Callers pass no secrets: keys and tokens never reach here. */
export function logEvent(event: Record<string, unknown>): void {
  console.log(JSON.stringify(event));
}

/** An environment's name for a log line written while handling a failure: never throws (an object without one logs "(unnamed)"). */
export function nameForLog(environment: () => string): string {
  try {
    return environment();
  } catch {
    return '(unnamed)';
  }
}
