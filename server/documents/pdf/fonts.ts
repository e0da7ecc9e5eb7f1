import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/**
 * The TTF files every document embeds (Inter, SIL Open Font License, from the npm package
 * @expo-google-fonts/inter): Latin with German umlauts, ß and the euro sign. Embedded
 * from npm so no document depends on the fonts of the machine that renders it.
 */
export const FONTS = {
  regular: require.resolve("@expo-google-fonts/inter/400Regular/Inter_400Regular.ttf"),
  bold: require.resolve("@expo-google-fonts/inter/700Bold/Inter_700Bold.ttf"),
} as const;
