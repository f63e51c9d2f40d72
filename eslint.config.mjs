// The configuration lives in tools/lint, beside the packages it imports.
export { default } from './tools/lint/eslint.config.mjs';
