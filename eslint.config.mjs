// Lint for the whole tree (`npm run lint`, part of `npm test`): eslint's and typescript-eslint's
// recommended rules, unused names allowed only with a leading underscore. The import rules
// (which folder may import which, no cycles) are dependency-cruiser's: .dependency-cruiser.cjs.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const node = Object.fromEntries(
  [
    'console', 'process', 'Buffer', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate',
    'clearImmediate', 'queueMicrotask', 'URL', 'TextEncoder', 'TextDecoder', 'performance', 'structuredClone',
    'globalThis', 'AbortController', 'fetch', '__dirname', '__filename', 'require', 'module', 'exports',
  ].map((name) => [name, 'readonly']),
);
/** What the e2e and smoke scripts read inside the page (functions passed to page.evaluate). */
const page = Object.fromEntries(['window', 'document', 'navigator', 'getComputedStyle', 'Event', 'MouseEvent', 'KeyboardEvent'].map((name) => [name, 'readonly']));

export default tseslint.config(
  {
    ignores: ['dist/**', 'out/**', 'node_modules/**', '.tools/**', 'test-results/**', 'test/fixtures/**', 'samples/**', 'l10n/**', '.layer-lens/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: { ...node, ...page } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // `const session = this` for the functions tfjs calls with its own `this`; `let s = this` to walk a scope chain.
      '@typescript-eslint/no-this-alias': ['error', { allowedNames: ['session', 's'] }],
    },
  },
  {
    // TypeScript checks names itself (tsc); eslint's no-undef does not know the DOM and node types.
    files: ['**/*.ts'],
    rules: { 'no-undef': 'off' },
  },
  {
    files: ['bin/**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
