// Lint for every TypeScript file of the kit (npm test runs it). The k6 scripts in loadgen/ use
// k6's own globals (__ENV, __VU) and are typechecked against @types/k6 by loadgen/tsconfig.json.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'cdk.out/', '**/cdk.out/', 'dashboards/json/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
  },
  {
    // Plain JavaScript files (this config, the Node version gate) are outside the TypeScript project.
    files: ['**/*.{mjs,cjs}'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // The Node version gate is plain CommonJS on purpose: any Node must be able to read it.
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        console: 'readonly',
        __dirname: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Tests read HTTP bodies and JSON files as `any` on purpose (the assertion is the type check),
    // and their doubles implement async interfaces with synchronous bodies.
    files: ['**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    rules: {
      // `_name` marks a parameter a signature needs but the body does not.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
);
