// Lint: typescript-eslint's type-aware rules over every TypeScript file of the repo (the files
// tsconfig.json covers). Layout is Prettier's job (`npm run format`), not ESLint's.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.wrangler/', '.ci/out/', 'bench/.tmp/', '**/dist/', 'src/worker-configuration.d.ts'] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      eqeqeq: ['error', 'always'],
      // A leading underscore marks a binding kept on purpose (a position in a signature, a rest sibling).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // Six: an operation of the coordinator takes its state, its target, the action, the request
      // body and who did it when (actor, now). Past that, a function takes an options object.
      'max-params': ['error', { max: 6 }],
      // Durable Object RPC methods, Hono handlers and test doubles are async to honour an
      // interface (a caller awaits them), not because each one awaits something itself.
      '@typescript-eslint/require-await': 'off',
      // The no-unsafe-* family and no-explicit-any hold for the Worker's own code (src/, below).
      // Elsewhere their findings are tests reading JSON bodies as any, and, in the bench and CLI,
      // library types that resolve to any here (wrangler's config, Node's Buffer beside
      // workers-types); typing those is a change of its own.
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    ignores: ['src/**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'error',
      '@typescript-eslint/no-unsafe-assignment': 'error',
      '@typescript-eslint/no-unsafe-call': 'error',
      '@typescript-eslint/no-unsafe-member-access': 'error',
      '@typescript-eslint/no-unsafe-return': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      // zod's classic API adds ~20 KiB gzip of methods to a Worker budgeted at 100 KiB: schemas
      // import the tree-shakable zod/mini through src/core/schema/zod.ts (which loads its messages).
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'zod', message: "import * as z from 'src/core/schema/zod' (zod/mini) instead" }],
          patterns: [{ group: ['zod/*'], message: 'use src/core/schema/zod.ts' }],
        },
      ],
    },
  },
  {
    files: ['src/core/schema/zod.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // Plain JavaScript (the install guard, the CLI's launcher, a bench child, these configs) is
    // outside tsconfig.json: it gets the syntax rules, not the type-aware ones.
    files: ['**/*.mjs', '**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly' } },
  },
);
