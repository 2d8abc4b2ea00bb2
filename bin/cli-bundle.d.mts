export function sourceFingerprint(root: string, dirs: string[], files?: string[]): string;
export type CliBundle = { path: string; built: boolean } | { path: null; reason: string };
export function ensureCliBundle(options: { root: string; entry: string; sourceDirs: string[]; cacheDir?: string }): Promise<CliBundle>;
export const CLI_ENTRY: string;
export const CLI_SOURCE_DIRS: string[];
