/** Small, pure statistics and formatting helpers for the bench. */

export function median(values: number[]): number {
  return quantile(values, 0.5);
}

/** Linear-interpolated quantile (q in [0, 1]); NaN for an empty list. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  const lowValue = sorted[low] as number;
  return lowValue + ((sorted[high] as number) - lowValue) * (position - low);
}

export const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

/** A fixed-width text table. */
export function table(rows: Array<[string, string, string?]>): string {
  const widths = [0, 0];
  for (const [a, b] of rows.filter(([label]) => !label.startsWith('## '))) {
    widths[0] = Math.max(widths[0] as number, a.length);
    widths[1] = Math.max(widths[1] as number, b.length);
  }
  return rows
    .map(([a, b, note]) =>
      a.startsWith('## ')
        ? `\n${a.slice(3)}`
        : `  ${a.padEnd(widths[0] as number)}  ${b.padStart(widths[1] as number)}${note ? `  ${note}` : ''}`,
    )
    .join('\n');
}
