// Browser-side validation of bulk rows with the API's own rules (the item schemas of the
// OpenAPI document, see vite.config.ts): required fields, integers, ranges, lengths, patterns
// and enums. Business rules (balances, limits, a loan still open) are the API's to check.
import rules, { type Kind, type PropRule } from "virtual:coinbox-rules";

export { rules };
export type { Kind };

export function columnsOf(kind: Kind): string[] {
  return Object.keys(rules.items[kind].properties);
}

/** The error of one cell, or null. */
export function checkCell(kind: Kind, column: string, raw: string): string | null {
  const item = rules.items[kind];
  const rule: PropRule | undefined = item.properties[column];
  if (!rule) return `Unknown column ${column}.`;
  const value = raw.trim();
  if (value === "") return item.required.includes(column) ? "Required." : null;
  if (rule.type === "integer") {
    if (!/^-?\d+$/.test(value)) return "A whole number is required (money is in cents).";
    const n = Number(value);
    if (rule.minimum !== undefined && n < rule.minimum) return `At least ${rule.minimum}.`;
    if (rule.exclusiveMinimum !== undefined && n <= rule.exclusiveMinimum) return `More than ${rule.exclusiveMinimum}.`;
    if (rule.maximum !== undefined && n > rule.maximum) return `At most ${rule.maximum}.`;
    return null;
  }
  if (rule.enum && !rule.enum.includes(value)) return `One of ${rule.enum.join(", ")}.`;
  if (rule.minLength !== undefined && value.length < rule.minLength) return `At least ${rule.minLength} characters.`;
  if (rule.maxLength !== undefined && value.length > rule.maxLength) return `At most ${rule.maxLength} characters.`;
  if (rule.pattern && !new RegExp(rule.pattern).test(value)) return `Must match ${rule.pattern}.`;
  return null;
}

export interface Sheet {
  header: string[];
  rows: string[][];
}

/** Problems with the file itself (header), before any row is checked. */
export function checkHeader(kind: Kind, header: string[]): string[] {
  const known = columnsOf(kind);
  const out: string[] = [];
  const unknown = header.filter((c) => !known.includes(c));
  if (unknown.length) out.push(`Unknown column(s) ${unknown.join(", ")}; the columns are ${known.join(", ")}.`);
  const missing = rules.items[kind].required.filter((c) => !header.includes(c));
  if (missing.length) out.push(`Missing required column(s): ${missing.join(", ")}.`);
  if (new Set(header).size !== header.length) out.push("A column is named twice in the header.");
  return out;
}

/** errors[row][col] */
export function checkSheet(kind: Kind, sheet: Sheet): (string | null)[][] {
  return sheet.rows.map((r) => sheet.header.map((c, i) => checkCell(kind, c, r[i] ?? "")));
}
