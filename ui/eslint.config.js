// ESLint for the UI: the recommended JavaScript, TypeScript and Svelte rules (not the type-aware
// set: it takes minutes here, and svelte-check already type-checks every file).
// Formatting is Prettier's job (`npm run format:check`), so no stylistic rules here.
import js from "@eslint/js";
import svelte from "eslint-plugin-svelte";
import globals from "globals";
import ts from "typescript-eslint";
import svelteConfig from "./svelte.config.js";

export default ts.config(
  { ignores: ["dist/", "node_modules/", "src/ipc/bindings.ts"] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ["**/*.svelte", "**/*.svelte.ts"],
    languageOptions: {
      parserOptions: { parser: ts.parser, extraFileExtensions: [".svelte"], svelteConfig },
    },
  },
  {
    files: ["*.config.js", "*.config.ts"],
    languageOptions: { globals: { ...globals.node } },
  },
);
