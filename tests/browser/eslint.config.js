'use strict';
// ESLint over the theme's scripts and these tests. Run from the repository root (as .ci/run does):
//   npx --prefix tests/browser eslint -c tests/browser/eslint.config.js themes/default tests/browser bench
// With -c, the patterns below are relative to the working directory, the repository root.

const js = require('@eslint/js');
const globals = require('globals');

module.exports = [
  { ignores: ['**/node_modules/**', 'tests/browser/screenshots/**'] },
  js.configs.recommended,
  {
    // Classic scripts, concatenated into the page's one inline script (src/theme.rs `Theme::script`):
    // each defines one global the next ones use. ES2018: Chromium 80, Firefox 113, Safari 14.
    files: ['themes/default/*.js'],
    languageOptions: {
      ecmaVersion: 2018,
      sourceType: 'script',
      globals: {
        ...globals.browser,
        lbUnpack: 'readonly',
        lbLater: 'readonly',
        lbViewer: 'readonly',
        lbMap: 'readonly',
        lbSearch: 'readonly',
        lbCallLog: 'readonly',
        lbCall: 'readonly',
        lbLayout: 'readonly',
        lbChanges: 'readonly',
      },
    },
    rules: {
      // Each file declares the global it shares; that is its use, not a redeclaration.
      'no-redeclare': ['error', { builtinGlobals: false }],
      'no-unused-vars': ['error', { vars: 'local', caughtErrors: 'none' }],
    },
  },
  {
    // The tests, and the benchmark scripts of bench/ (Node scripts that drive Chromium the same way).
    files: ['tests/browser/**/*.js', 'bench/**/*.js'],
    languageOptions: {
      ecmaVersion: 'latest',
      sourceType: 'commonjs',
      // Node, plus the page's globals: functions passed to page.evaluate run in the browser.
      globals: { ...globals.node, ...globals.browser },
    },
    rules: {
      'no-unused-vars': ['error', { caughtErrors: 'none' }],
    },
  },
];
