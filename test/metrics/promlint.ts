/**
 * The checks of `promtool check metrics` (Prometheus' metric lint: client_golang's
 * testutil/promlint, the version promtool v0.316.0 uses, v1.25.0), over Prometheus text
 * format, with promtool's messages. Written here because building promtool from the Go
 * module proxy takes far longer than CI can spend (see README, "Metrics").
 */

type MetricType = "counter" | "gauge" | "histogram" | "summary" | "untyped";

interface Family {
  name: string;
  type: MetricType;
  help: boolean;
  /** One entry per sample line: its label names/values, in order. */
  samples: [string, string][][];
}

/** One finding, as promtool prints it: `<metric> <message>`. */
export interface MetricProblem {
  metric: string;
  text: string;
}

/** Units and the base unit Prometheus wants instead (promlint's table). */
const UNITS: Record<string, string> = {
  ...Object.fromEntries(["amperes", "bytes", "celsius", "grams", "joules", "kelvin", "meters", "metres", "seconds", "volts"].map((u) => [u, u])),
  minutes: "seconds",
  hours: "seconds",
  days: "seconds",
  weeks: "seconds",
  kelvins: "kelvin",
  fahrenheit: "celsius",
  rankine: "celsius",
  inches: "meters",
  yards: "meters",
  miles: "meters",
  bits: "bytes",
  calories: "joules",
  pounds: "grams",
  ounces: "grams",
};
const UNIT_PREFIXES = ["pico", "nano", "micro", "milli", "centi", "deci", "deca", "hecto", "kilo", "kibi", "mega", "mebi", "giga", "gibi", "tera", "tebi", "peta", "pebi"];
const UNIT_ABBREVIATIONS = ["s", "ms", "us", "ns", "sec", "b", "kb", "mb", "gb", "tb", "pb", "m", "h", "d"];
const CAMEL_CASE = /[a-z][A-Z]/;

const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+\S+/;

/**
 * Parses text format 0.0.4 into families. A sample belongs to the family of its name, or
 * for histograms and summaries to the family its `_bucket`/`_sum`/`_count` suffix extends.
 * @throws Error on a line that is neither a comment nor a sample (promtool fails too)
 */
function parse(text: string): Family[] {
  const families = new Map<string, Family>();
  const family = (name: string) => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { name, type: "untyped", help: false, samples: [] }));
    return f;
  };
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const meta = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
    if (meta) {
      if (meta[1] === "HELP") family(meta[2]!).help = true;
      else family(meta[2]!).type = meta[3] as MetricType;
      continue;
    }
    if (line.startsWith("#")) continue;
    const sample = SAMPLE.exec(line);
    if (!sample) throw new Error(`not Prometheus text format: ${line}`);
    const name = sample[1]!;
    const base = name.replace(/_(bucket|sum|count)$/, "");
    const owner = families.get(name) ?? (["histogram", "summary"].includes(families.get(base)?.type ?? "") ? families.get(base)! : family(name));
    owner.samples.push([...(sample[2] ?? "").matchAll(LABEL)].map((m): [string, string] => [m[1]!, m[2]!]));
  }
  return [...families.values()];
}

function unitOf(name: string): [string, string] | null {
  for (const part of name.split("_")) {
    if (UNITS[part]) return [part, UNITS[part]];
    for (const prefix of UNIT_PREFIXES) {
      const rest = part.slice(prefix.length);
      if (part.startsWith(prefix) && UNITS[rest]) return [part, UNITS[rest]];
    }
  }
  return null;
}

const hasPart = (name: string, part: string) => name.includes(`_${part}_`) || name.endsWith(`_${part}`);
const labelKey = (labels: [string, string][]) => JSON.stringify([...labels].sort(([a], [b]) => a.localeCompare(b)));

/**
 * The family's metrics as promtool's parser builds them: one per sample line, but for a
 * histogram or summary one per label set without `le` / `quantile` (its lines together).
 */
function metricsOf(f: Family): [string, string][][] {
  if (f.type !== "histogram" && f.type !== "summary") return f.samples;
  const grouped = new Map<string, [string, string][]>();
  for (const labels of f.samples) {
    const own = labels.filter(([l]) => l !== (f.type === "histogram" ? "le" : "quantile"));
    grouped.set(labelKey(own), own);
  }
  return [...grouped.values()];
}

function lintFamily(f: Family): string[] {
  const problems: string[] = [];
  const n = f.name;
  const metrics = metricsOf(f);
  const labelNames = metrics.flatMap((labels) => labels.map(([l]) => l));
  if (!f.help) problems.push("no help text");
  const unit = unitOf(n);
  if (unit && unit[0] !== unit[1]) problems.push(`use base unit "${unit[1]}" instead of "${unit[0]}"`);
  if (f.type === "counter" && !n.endsWith("_total")) problems.push(`counter metrics should have "_total" suffix`);
  if (f.type !== "untyped" && f.type !== "counter" && n.endsWith("_total")) {
    problems.push(`non-counter metrics should not have "_total" suffix`);
  }
  if (f.type !== "untyped") {
    const histogram = f.type === "histogram";
    const summary = f.type === "summary";
    if (!histogram && n.endsWith("_bucket")) problems.push(`non-histogram metrics should not have "_bucket" suffix`);
    if (!histogram && !summary && n.endsWith("_count")) problems.push(`non-histogram and non-summary metrics should not have "_count" suffix`);
    if (!histogram && !summary && n.endsWith("_sum")) problems.push(`non-histogram and non-summary metrics should not have "_sum" suffix`);
    for (const l of labelNames) {
      if (!histogram && l === "le") problems.push(`non-histogram metrics should not have "le" label`);
      if (!summary && l === "quantile") problems.push(`non-summary metrics should not have "quantile" label`);
    }
    if (hasPart(n.toLowerCase(), f.type)) problems.push(`metric name should not include type '${f.type}'`);
  }
  if (n.includes(":")) problems.push("metric names should not contain ':'");
  if (CAMEL_CASE.test(n)) problems.push("metric names should be written in 'snake_case' not 'camelCase'");
  for (const l of labelNames) if (CAMEL_CASE.test(l)) problems.push("label names should be written in 'snake_case' not 'camelCase'");
  for (const a of UNIT_ABBREVIATIONS) if (hasPart(n.toLowerCase(), a)) problems.push("metric names should not contain abbreviated units");
  const seen = new Set<string>();
  for (const labels of metrics) {
    if (seen.has(labelKey(labels))) problems.push("metric not unique");
    seen.add(labelKey(labels));
  }
  return problems;
}

/**
 * What `promtool check metrics` would report for `text`, sorted by metric and text as
 * promtool does; [] when clean.
 * @throws Error when `text` is not Prometheus text format
 */
export function lintMetrics(text: string): MetricProblem[] {
  return parse(text)
    .flatMap((f) => lintFamily(f).map((problem) => ({ metric: f.name, text: problem })))
    .sort((a, b) => (a.metric === b.metric ? (a.text < b.text ? -1 : a.text > b.text ? 1 : 0) : a.metric < b.metric ? -1 : 1));
}
