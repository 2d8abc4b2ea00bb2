/** Prints either JSON (for scripts) or a human rendering, to stdout. Logs go to stderr. */
export function emit(json: boolean, value: unknown, human: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${human()}\n`);
}

/** At most `max` characters, cut at a word and marked with an ellipsis when cut. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const lastSpace = cut.lastIndexOf(' ');
  return `${(lastSpace > max / 2 ? cut.slice(0, lastSpace) : cut).replace(/[\s;,:]+$/, '')}…`;
}

export function table(rows: Record<string, unknown>[], columns: string[]): string {
  if (rows.length === 0) return '(none)';
  const cells = rows.map((row) => columns.map((c) => formatCell(row[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(columns), ...cells.map(line)].join('\n');
}

/** `label  value` lines with the values aligned, for one-record views (`todo show`, `status`). */
export function labelled(lines: ReadonlyArray<readonly [string, string]>, indent = ''): string {
  const width = Math.max(...lines.map(([label]) => label.length));
  return lines.map(([label, value]) => `${indent}${label.padEnd(width)}  ${value}`).join('\n');
}

function formatCell(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'number' && value > 1e12 && value < 1e14) return new Date(value).toISOString();
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Exit codes: 1 for a failed operation, 2 for bad usage or configuration. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}

/** Runs `work`; an error of `kind` becomes a CliError with its message and `exitCode` (others pass through). */
export function sayingErrorsOf<T>(kind: abstract new (...args: never[]) => Error, exitCode: 1 | 2, work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof kind) throw new CliError(error.message, exitCode);
    throw error;
  }
}

/** A commander argument parser for integers; a bad value exits 2 naming the flag. */
export const integer = (name: string) => (value: string): number => {
  if (!/^-?\d+$/.test(value)) throw new CliError(`${name} must be an integer, got "${value}"`, 2);
  return Number(value);
};
