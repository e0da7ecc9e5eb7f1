import { createRequire } from "node:module";
import * as fontkit from "fontkit";

const require = createRequire(import.meta.url);

/**
 * The TTF file of each embedded face (Inter, SIL Open Font License, from the npm package
 * @expo-google-fonts/inter): Latin with German umlauts, ß and the euro sign. Embedded
 * from npm so no document depends on the fonts of the machine that renders it.
 */
const FONT_FILES = {
  regular: require.resolve("@expo-google-fonts/inter/400Regular/Inter_400Regular.ttf"),
  bold: require.resolve("@expo-google-fonts/inter/700Bold/Inter_700Bold.ttf"),
} as const;

/**
 * The faces, parsed once per process with fontkit. Given a file path, pdfkit parses the font
 * again for each document and fontkit decodes its GSUB/GPOS tables anew on the first line of
 * text: about 90 % of a receipt's render time (`npm run bench:documents`).
 */
const FONTS = {
  regular: openFont(FONT_FILES.regular),
  bold: openFont(FONT_FILES.bold),
} as const;

/**
 * Registers the faces as "regular" and "bold" on `doc`, each as a fresh view of the parsed
 * font (pdfkit 0.20 takes a fontkit font in `registerFont`). The view shares the decoded
 * tables but has its own glyph cache and layout engine: fontkit caches each glyph with the
 * characters it was first reached from, and pdfkit writes those into the PDF's ToUnicode map,
 * so a cache shared between documents would make a document's bytes (and its extractable
 * text) depend on what the process rendered before it.
 */
export function registerFonts(doc: PDFKit.PDFDocument): void {
  for (const [name, font] of Object.entries(FONTS)) {
    const view = Object.create(font) as fontkit.Font & { _glyphs: Record<number, unknown> };
    view._glyphs = {}; // own glyph cache; the layout engine is cached per object on first use
    // @types/pdfkit lists paths and buffers only; pdfkit 0.20 also takes a fontkit font (PDFFontFactory.open).
    doc.registerFont(name, view as unknown as PDFKit.Mixins.PDFFontSource);
  }
}

function openFont(path: string): fontkit.Font {
  const font = fontkit.openSync(path);
  if (!("layout" in font)) throw new Error(`${path} is a font collection, not one face`);
  return font;
}
