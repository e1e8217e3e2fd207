import { ownValue } from '../core/json';
import { bundledEnvironments } from '../environments';
import { fallbackSnapshot } from '../store/fallback';
import { type Settings, type SettingsVars, settingsOf } from '../settings';
import { FastCheck } from '../store/fast-check';
import { SnapshotStore } from '../store/snapshot-store';
import { logEvent } from '../log';

/** What the routes share within an isolate: settings parsed once and the snapshot memo. */
export interface Runtime {
  settings: Settings;
  store: SnapshotStore;
  /** Learns of new versions from the coordinator in about a second (docs/propagation.md). */
  fast: FastCheck;
  /** The environments this Worker serves, in the bundled config's order. */
  environments: readonly string[];
}

/** A coordinator slower than this leaves the isolate on KV for this round. */
const FAST_CHECK_TIMEOUT_MS = 500;

let current: Runtime | undefined;
/** The bindings object the runtime was last built for: an isolate passes the same one to every request. */
let currentVars: SettingsVars | undefined;

/** The isolate's runtime for these variables; rebuilt only when the variables change. */
export function runtimeFor(vars: SettingsVars): Runtime {
  if (current && vars === currentVars) return current;
  currentVars = vars;
  const settings = settingsOf(vars);
  if (current?.settings === settings) return current;
  for (const problem of settings.problems) logEvent({ event: 'bad_setting', problem });
  const store = new SnapshotStore({
    refreshMs: settings.refreshMs,
    overrides: (env) => ownValue(settings.overrides, env) ?? {},
    fallback: (env) => fallbackSnapshot(env, ownValue(settings.fallbackKeys, env) ?? []),
    log: logEvent,
  });
  current = {
    settings,
    environments: bundledEnvironments(),
    store,
    fast: new FastCheck(store, { intervalMs: settings.fastCheckMs, timeoutMs: FAST_CHECK_TIMEOUT_MS, log: logEvent }),
  };
  return current;
}

/** Forgets the isolate's runtime, so tests start from a cold isolate. */
export function resetRuntime(): void {
  current = undefined;
  currentVars = undefined;
}
