const nx = require('@nx/eslint-plugin');
const tseslint = require('typescript-eslint');

module.exports = [
  { ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', '.nx/**', 'bench/results/**'] },
  ...tseslint.configs.recommended,
  {
    // bench/ is JavaScript: the rule reads its require() calls as it reads imports.
    files: ['**/*.ts', 'bench/**/*.js'],
    plugins: { '@nx': nx },
    rules: {
      // Services never import each other; contracts depend on nothing of ours.
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'scope:contracts', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'scope:platform', onlyDependOnLibsWithTags: ['scope:contracts'] },
            { sourceTag: 'scope:testing', onlyDependOnLibsWithTags: ['scope:contracts', 'scope:platform'] },
            { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:deploy', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:bench', onlyDependOnLibsWithTags: ['type:lib'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    files: ['**/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['bench/**/*.js', 'scripts/**/*.js', '.ci/**/*.js'],
    rules: { 'no-console': 'off' },
  },
  {
    // Only a literal require() names what the boundary rule checks: bench/ reaches services
    // through their public interfaces, never by a computed path into their code.
    files: ['bench/**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: Object.fromEntries(
        ['require', 'module', 'exports', '__dirname', '__filename', 'process', 'console', 'Buffer', 'global', 'fetch', 'AbortSignal', 'URL', 'URLSearchParams']
          .concat(['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate'])
          .map((name) => [name, 'readonly']),
      ),
    },
    rules: {
      // Plain JavaScript: no compiler catches a misspelt name.
      'no-undef': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.name='require'][arguments.0.type!='Literal']", message: 'require() a literal module name, so the module-boundaries rule can check it.' },
        { selector: "CallExpression[callee.object.name='require'][callee.property.name='resolve'][arguments.0.type!='Literal']", message: 'require.resolve() a literal module name.' },
      ],
    },
  },
];
