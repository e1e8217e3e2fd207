import { parseArgs } from 'node:util';
import { didYouMean } from './suggest';
import { UsageError } from './errors';

/** One option of a command: util.parseArgs's definition plus what --help says about it. */
export interface OptionDef {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  description: string;
  /** The placeholder shown in --help, e.g. SECONDS. */
  valueName?: string;
}

export type OptionDefs = Record<string, OptionDef>;

/** Parsed option values, as util.parseArgs returns them. */
export type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** The options every command that talks to Rollgate takes. */
export const TARGET_OPTIONS: OptionDefs = {
  url: { type: 'string', valueName: 'URL', description: 'Rollgate base URL (env ROLLGATE_URL; default http://127.0.0.1:8787)' },
  token: {
    type: 'string',
    valueName: 'TOKEN',
    description: 'admin token (env ROLLGATE_TOKEN; default dev-admin-token, for loopback URLs only)',
  },
  env: { type: 'string', short: 'e', valueName: 'ENV', description: 'environment (env ROLLGATE_ENV; default development)' },
};

export const JSON_OPTION: OptionDefs = {
  json: { type: 'boolean', description: 'print machine-readable JSON on stdout (shapes in docs/RUNBOOK.md)' },
};

export const YES_OPTION: OptionDefs = {
  yes: { type: 'boolean', short: 'y', description: 'confirm writes to a protected environment without asking (for CI)' },
};

export const HELP_OPTION: OptionDefs = {
  help: { type: 'boolean', short: 'h', description: 'show this help' },
};

/** Parses a command's arguments with util.parseArgs; any problem is a UsageError (exit 2). */
export function parseCommandArgs(command: string, args: readonly string[], options: OptionDefs): { values: Values; positionals: string[] } {
  const config: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const [name, def] of Object.entries(options)) {
    config[name] = { type: def.type, ...(def.short ? { short: def.short } : {}), ...(def.multiple ? { multiple: true } : {}) };
  }
  try {
    const parsed = parseArgs({ args: [...args], options: config, allowPositionals: true, strict: true });
    return { values: parsed.values, positionals: parsed.positionals };
  } catch (err) {
    const e = err as Error & { code?: string };
    if (typeof e.code === 'string' && e.code.startsWith('ERR_PARSE_ARGS')) {
      const unknown = e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /'--?([^'=\s]+)/.exec(e.message)?.[1] : undefined;
      const hint = unknown === undefined ? '' : didYouMean(unknown, Object.keys(options), '--');
      throw new UsageError(`${cleanParseMessage(e.message)}${hint}`, command);
    }
    throw err;
  }
}

/** util.parseArgs's messages, without the advice about `--` that does not apply here. */
function cleanParseMessage(message: string): string {
  return message.replace(/\. To specify a positional argument starting with a '-'.*$/s, '').replace(/\s+$/, '');
}

/** A string option's value, or undefined. */
export function stringOption(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

/** A required string option; missing → UsageError. */
export function requiredOption(values: Values, name: string, command: string, hint = ''): string {
  const v = stringOption(values, name);
  if (v === undefined || v.trim() === '') throw new UsageError(`missing --${name}${hint ? ` ${hint}` : ''}`, command);
  return v;
}

/** A number option within bounds; missing → undefined; bad → UsageError. */
export function numberOption(values: Values, name: string, command: string, opts: { min?: number; max?: number; integer?: boolean } = {}): number | undefined {
  const raw = stringOption(values, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  const { min = -Infinity, max = Infinity, integer = false } = opts;
  if (raw.trim() === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    const kind = integer ? 'an integer' : 'a number';
    const range = Number.isFinite(min) && Number.isFinite(max) ? ` from ${min} to ${max}` : Number.isFinite(min) ? ` ≥ ${min}` : '';
    throw new UsageError(`--${name} must be ${kind}${range}, not "${raw}"`, command);
  }
  return n;
}

/** Checks the number of positionals. */
export function expectPositionals(positionals: readonly string[], command: string, min: number, max: number, names: string): void {
  if (positionals.length < min) throw new UsageError(`missing ${names}`, command);
  if (positionals.length > max) throw new UsageError(`unexpected argument "${positionals[max]}"`, command);
}

/** Renders a command's --help. */
export function renderHelp(spec: {
  name: string;
  summary: string;
  usage: readonly string[];
  description?: string;
  options: OptionDefs;
  examples?: readonly string[];
}): string {
  const lines = [`${spec.summary}`, '', 'Usage:'];
  for (const u of spec.usage) lines.push(u.startsWith(' ') ? `  ${' '.repeat('rollgate'.length)}${u}` : `  rollgate ${u}`);
  if (spec.description) lines.push('', ...spec.description.split('\n'));
  lines.push('', 'Options:');
  const rows = Object.entries(spec.options).map(([name, def]) => {
    const flag = `${def.short ? `-${def.short}, ` : '    '}--${name}${def.type === 'string' ? ` ${def.valueName ?? 'VALUE'}` : ''}`;
    return [flag, def.description] as const;
  });
  const width = Math.max(...rows.map(([f]) => f.length));
  for (const [flag, desc] of rows) lines.push(`  ${flag.padEnd(width)}  ${desc}`);
  if (spec.examples?.length) {
    lines.push('', 'Examples:');
    for (const e of spec.examples) lines.push(`  ${e}`);
  }
  return `${lines.join('\n')}\n`;
}
