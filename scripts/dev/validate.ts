// `npm run validate [file]`: validates a config file offline with the Worker's own code.
import { formatIssues, validateConfigFile } from '../lib/config-file';

const file = process.argv[2] ?? 'config/flags.json';
const result = await validateConfigFile(file);
for (const line of formatIssues(file, result)) console.log(line);
console.log(result.ok ? `${file}: valid (${result.warnings.length} warnings)` : `${file}: ${result.errors.length} errors`);
process.exit(result.ok ? 0 : 1);
