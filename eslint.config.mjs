// Lint: typed rules from STYLE.md, plus the layer rules that keep each process in its lane.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeOnly = ['better-sqlite3-multiple-ciphers', 'serialport', 'node-forge'];

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'test-results/**', '.electron-native/**', 'bin/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'error',
      'no-restricted-properties': [
        'error',
        { object: 'it', property: 'only', message: 'a focused test skips the rest of the suite' },
        {
          object: 'describe',
          property: 'only',
          message: 'a focused test skips the rest of the suite',
        },
        { object: 'test', property: 'only', message: 'a focused test skips the rest of the suite' },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // Domains run under plain Node: only the Electron shell may import electron.
    files: ['src-main/**/*.ts'],
    ignores: ['src-main/app/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'electron', message: 'only src-main/app/ may import electron' }] },
      ],
    },
  },
  {
    // The contract and bridge are pure: no Node, no DOM-only code, no main-process modules.
    files: [
      'src-preload/contract.ts',
      'src-preload/bridge.ts',
      'src-preload/network/**/*.ts',
      'src-preload/provisioning/**/*.ts',
      'src-preload/inventory/**/*.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['electron', ...nodeOnly].map((name) => ({
            name,
            message: 'the contract is pure TypeScript',
          })),
          patterns: [
            { group: ['node:*', '**/src-main/**'], message: 'the contract is pure TypeScript' },
          ],
        },
      ],
    },
  },
  {
    // The renderer is a web page: no Node, no Electron, no main-process code; the contract for types.
    files: ['src-renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['electron', ...nodeOnly].map((name) => ({
            name,
            message: 'the renderer has no Node or Electron',
          })),
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'crypto', 'child_process'],
              message: 'the renderer has no Node',
            },
            {
              group: ['**/src-main/**', '../../src-main/*'],
              message: 'the renderer talks to main only through window.wardkeep',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts', '**/*.test.ts', 'scripts/**'],
    rules: { 'no-console': 'off' },
  },
);
