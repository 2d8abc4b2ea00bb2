export function commandPath(command: string): string;
export function ensureDebianCommand(command: string, pkg: string, purpose: string): string;
