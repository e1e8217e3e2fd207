import { resolve } from 'node:path';
import { environmentsOf } from '../../../src/core/config/environments';
import type { ConfigIssue } from '../../../src/core/config/issues';
import type { ValidationResult } from '../../../src/core/config/validate';
import type { RollgateConfig } from '../../../src/core/schema/config';
import { validateConfigFile } from '../../lib/config-file';
import { CliError } from './errors';
import type { Paint } from './output';

export const DEFAULT_CONFIG_FILE = 'config/flags.json';

/** Validates a file relative to the working directory with the Worker's own code. */
export async function validateFile(cwd: string, file: string): Promise<ValidationResult> {
  return validateConfigFile(resolve(cwd, file));
}

/** Lines for validation issues: "error   config/flags.json#/flags/x/defaultVariant: …". */
export function issueLinesOf(file: string, errors: readonly ConfigIssue[], warnings: readonly ConfigIssue[], p: Paint): string[] {
  return [
    ...errors.map((e) => `${p.red('error')}   ${file}#${e.path}: ${e.message}`),
    ...warnings.map((w) => `${p.yellow('warning')} ${file}#${w.path}: ${w.message}`),
  ];
}

/**
 * A valid config for `environment`, or a CliError listing every error with its path (nothing is
 * sent when the file is invalid). Warnings are returned for the caller to show.
 */
export async function loadConfigFor(cwd: string, file: string, environment: string, p: Paint): Promise<{ config: RollgateConfig; warnings: ConfigIssue[] }> {
  const result = await validateFile(cwd, file);
  if (!result.ok) {
    throw new CliError(
      `${file} is invalid (${result.errors.length} error${result.errors.length === 1 ? '' : 's'}); nothing was sent`,
      1,
      issueLinesOf(file, result.errors, result.warnings, p),
    );
  }
  const names = environmentsOf(result.config).map((e) => e.name);
  if (!names.includes(environment)) {
    throw new CliError(`${file} does not describe environment "${environment}" (it lists ${names.join(', ')})`, 1, [
      `${p.red('error')}   ${file}#/environments: "${environment}" is not listed`,
    ]);
  }
  return { config: result.config, warnings: result.warnings };
}
