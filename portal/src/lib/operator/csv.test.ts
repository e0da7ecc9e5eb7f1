import { describe, expect, it } from "vitest";
import { toCsv } from "./csv";

describe("toCsv", () => {
  it("writes a BOM, a header, CRLF rows and RFC 4180 quoting", () => {
    expect(toCsv(["a", "b"], [["x,y", 1], ['say "hi"', null]])).toBe('\uFEFFa,b\r\n"x,y",1\r\n"say ""hi""",\r\n');
  });

  it("defuses cells a spreadsheet would run as formulas, and leaves negative numbers alone", () => {
    expect(toCsv(["v"], [["=SUM(A1)"], ["-2"], [-2], ["@x"]])).toBe("\uFEFFv\r\n'=SUM(A1)\r\n'-2\r\n-2\r\n'@x\r\n");
  });
});
