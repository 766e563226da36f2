// One lint setup for every project.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', '**/.nx/**', '.omt/**', 'apps/ops-api/src/generated/**', 'test-results/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
      // Flags the last `++id` of an id counter in generators; more noise than help here.
      'no-useless-assignment': 'off',
    },
  },
  {
    files: ['apps/ops-dashboard/src/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
