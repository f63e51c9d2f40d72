// ESLint for the whole repository (the root eslint.config.mjs re-exports this). It lives here,
// beside its packages, because typescript-eslint needs TypeScript's JavaScript API, which the
// project's compiler (TypeScript 7) does not ship; this folder's own `typescript` is 6.0.
import { fileURLToPath } from 'node:url';
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const root = fileURLToPath(new URL('../..', import.meta.url));
const TEST_FUNCTIONS = '/^(describe|it|test|suite)$/';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'tools/lint/node_modules/**', '.hookflow/**', 'test/artifacts/**', 'bench/results/**'] },
  eslint.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: root },
    },
    rules: {
      // STYLE.md: no `any`, and no promise left to fail unheard.
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      eqeqeq: ['error', 'smart'],
      // A variable a callback reads before its one assignment must stay `let` (TDZ otherwise).
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // String() of an unknown scalar (a setting, a YAML key, a rendered value) is deliberate here.
      '@typescript-eslint/no-base-to-string': 'off',
      'no-console': 'error',
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', '**/*.fault-spec.ts', '**/*.fixture.ts', 'test/**/*.ts'],
    rules: {
      // node:test's describe and it return promises that the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] },
          ],
        },
      ],
      // Tests read JSON answers that test/support/http.ts types as any, and assert on their shape.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      // Fakes implement async interfaces without needing to await anything.
      '@typescript-eslint/require-await': 'off',
      // assert.equal(mock.method.mock.callCount(), …) reads a mock, it does not call it unbound.
      '@typescript-eslint/unbound-method': 'off',
      // Test messages and fake keys are built from values typed unknown.
      '@typescript-eslint/restrict-template-expressions': 'off',
      // A focused or skipped test silently shrinks the suite. A skip computed at run time (no
      // browser found) stays allowed; a literal one does not.
      'no-restricted-syntax': [
        'error',
        {
          selector: `CallExpression[callee.type='MemberExpression'][callee.object.name=${TEST_FUNCTIONS}][callee.property.name=/^(only|skip|todo)$/]`,
          message: 'No focused, skipped or to-do tests in the suite.',
        },
        {
          selector: `CallExpression[callee.name=${TEST_FUNCTIONS}] > ObjectExpression > Property[key.name='only']`,
          message: 'No focused tests in the suite.',
        },
        {
          selector: `CallExpression[callee.name=${TEST_FUNCTIONS}] > ObjectExpression > Property[key.name=/^(skip|todo)$/][value.type='Literal']`,
          message: 'No skipped or to-do tests in the suite.',
        },
      ],
    },
  },
  {
    files: ['src/**/*.service.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'Program > ExportNamedDeclaration > ClassDeclaration[id.name!=/Service$/]',
          message: 'A *.service.ts file holds a class named <Name>Service; name any other class for what it is, in a file without .service (CONTRIBUTING.md).',
        },
      ],
    },
  },
  {
    files: ['src/console/web/src/**/*.{ts,tsx}'],
    languageOptions: { globals: globals.browser },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      // React ignores what an event handler returns; the console's async handlers catch their own errors.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  {
    // Plain JavaScript and configuration outside every tsconfig: no type information.
    files: ['**/*.{js,mjs,cjs}', 'src/console/web/vite.config.ts'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node },
    // CommonJS files (bin/hookflow.js) load with require().
    rules: { 'no-console': 'off', '@typescript-eslint/no-require-imports': 'off' },
  },
  prettier,
);
