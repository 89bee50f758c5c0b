// One lint config for the host, the webview and the tests.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Layers that must stay free of the VS Code API: the agent loop, shared code, the webview. */
const noVscodeImport = {
  'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'This layer must not depend on the VS Code API (see house style: layers).' }] }],
};

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', '.cache/**', 'node_modules/**', 'test-artifacts/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        project: ['./tsconfig.json', './media/tsconfig.json', './test/tsconfig.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'off',
      eqeqeq: ['error', 'smart'],
      'no-console': 'error',
    },
  },
  {
    files: ['src/agent/**/*.ts', 'src/shared/**/*.ts', 'src/kernel/*.ts', 'src/kernel/remote/**/*.ts', 'media/**/*.ts', 'src/llm/**/*.ts'],
    ignores: ['src/llm/vscodeLmChatModel.ts'],
    rules: noVscodeImport,
  },
  { files: ['test/**/*.ts', 'scripts/**'], rules: { 'no-console': 'off' } },
);
