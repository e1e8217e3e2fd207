/**
 * The one zod every schema is written with: `zod/mini`, whose functions tree-shake, where the
 * classic API pulls in about 20 KiB (gzip) of methods and JSON-Schema code the Worker never uses
 * into a bundle budgeted at 100 KiB. English messages are loaded once here (mini ships none), so
 * 422 bodies read as they did. Import it as a namespace (`import * as z from './zod'`): a bundler
 * drops what no `z.x` names.
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export * from 'zod/mini';
