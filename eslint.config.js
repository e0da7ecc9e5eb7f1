import js from "@eslint/js";
import svelte from "eslint-plugin-svelte";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: [".svelte-kit", "node_modules", "portal/build", "portal/.svelte-kit", "portal/src/lib/paraglide", "server/notifications/paraglide", ".data", ".cache", "db/migrations", "test-results"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs["flat/recommended"],
  {
    files: ["**/*.svelte", "**/*.svelte.ts"],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    rules: {
      // TypeScript checks undefined names itself (typescript-eslint's advice)
      "no-undef": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // The portal is served at the root with no base path: resolve() would add nothing
      "svelte/no-navigation-without-resolve": "off",
    },
  },
);
