/**
 * A figure for people: integers as they are, small values with two significant decimals, `–`
 * for a missing one.
 *
 * @example
 * ```ts
 * formatValue(3); // "3"
 * formatValue(0.125, "ms"); // "0.13 ms"
 * formatValue(null, "ms"); // "–"
 * ```
 */
export function formatValue(value: number | null | undefined, unit = ""): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  let text: string;
  if (Number.isInteger(value)) text = String(value);
  else if (Math.abs(value) >= 100) text = value.toFixed(0);
  else if (Math.abs(value) >= 10) text = value.toFixed(1);
  else text = value.toFixed(2);
  return unit === "" ? text : unit === "%" ? `${text}%` : `${text} ${unit}`;
}
