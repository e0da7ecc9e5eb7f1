/**
 * The inlang storage plugin of project.inlang: `messages/{locale}.json` holds flat
 * `{ "key": "Text with {param}" }` pairs. It stands in for the official
 * message-format plugin, which inlang can only load from a CDN at compile time;
 * this file is read from disk, so builds work offline. Choices between wordings
 * (result codes, entry types) are made in src/lib/messages.ts.
 */
const pattern = (text) =>
  text
    .split(/(\{\w+\})/)
    .filter((part) => part !== "")
    .map((part) =>
      /^\{\w+\}$/.test(part)
        ? { type: "expression", arg: { type: "variable-reference", name: part.slice(1, -1) } }
        : { type: "text", value: part },
    );

export default {
  key: "plugin.live-balance.messages",
  toBeImportedFiles: ({ settings }) =>
    settings.locales.map((locale) => ({ locale, path: `./messages/${locale}.json` })),
  importFiles: ({ files }) => {
    const bundles = new Map();
    const messages = [];
    const variants = [];
    for (const file of files) {
      const json = JSON.parse(new TextDecoder().decode(file.content));
      for (const [key, text] of Object.entries(json)) {
        if (key === "$schema") continue;
        const declarations = bundles.get(key)?.declarations ?? [];
        for (const [, name] of text.matchAll(/\{(\w+)\}/g)) {
          if (!declarations.some((d) => d.name === name)) declarations.push({ type: "input-variable", name });
        }
        bundles.set(key, { id: key, declarations });
        messages.push({ bundleId: key, locale: file.locale, selectors: [] });
        variants.push({ messageBundleId: key, messageLocale: file.locale, matches: [], pattern: pattern(text) });
      }
    }
    return { bundles: [...bundles.values()], messages, variants };
  },
};
