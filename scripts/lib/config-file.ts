import { readFile } from 'node:fs/promises';
import { type ValidationResult, validateConfig } from '../../src/core/config/validate';

/** Reads and validates a config file; a file that is not JSON is reported as one error at "/". */
export async function validateConfigFile(file: string): Promise<ValidationResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return { ok: false, errors: [{ path: '/', message: `cannot read ${file}: ${(err as Error).message}` }], warnings: [] };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, errors: [{ path: '/', message: `${file} is not valid JSON: ${(err as Error).message}` }], warnings: [] };
  }
  return validateConfig(json);
}
