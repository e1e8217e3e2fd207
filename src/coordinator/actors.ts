/** The actor recorded for automatic decisions (cron ticks, completions). */
export const SYSTEM_ACTOR = 'rollgate';
