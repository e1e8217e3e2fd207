import type { Stage, Strategy } from '../schema/rollout';

/** A strategy's schedule: the stages to walk and the bake at 100 % after the last one. */
export interface Schedule {
  readonly stages: readonly Stage[];
  readonly bakeSeconds: number;
}

const HOUR = 3600;

/** Builds stages from [percent, hours] pairs; hours read better than seconds in the table below. */
function hours(...pairs: [percent: number, afterHours: number][]): readonly Stage[] {
  return Object.freeze(pairs.map(([percent, h]) => Object.freeze({ percent, afterSeconds: h * HOUR })));
}

/** The built-in schedules; frozen so no plan can alias and mutate them. */
export const STRATEGIES: Readonly<Record<Strategy, Schedule>> = Object.freeze({
  safe: Object.freeze({ stages: hours([5, 0], [10, 24], [25, 48], [50, 72], [75, 96], [100, 120]), bakeSeconds: 48 * HOUR }),
  fast: Object.freeze({ stages: hours([5, 0], [10, 12], [25, 24], [50, 36], [75, 48], [100, 60]), bakeSeconds: 12 * HOUR }),
  instant: Object.freeze({ stages: hours([100, 0]), bakeSeconds: 1 * HOUR }),
});

/** The schedule of a built-in strategy, as fresh mutable copies a plan may own. */
export function scheduleOf(strategy: Strategy): { stages: Stage[]; bakeSeconds: number } {
  const s = STRATEGIES[strategy];
  return { stages: s.stages.map((stage) => ({ ...stage })), bakeSeconds: s.bakeSeconds };
}
