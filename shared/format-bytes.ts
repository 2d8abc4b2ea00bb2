const KIB = 1024;
const MIB = 1024 ** 2;
const GIB = 1024 ** 3;

/** Bytes for people: `512 KiB`, `3.2 MiB`, `41.0 GiB`. */
export function formatBytes(bytes: number): string {
  if (bytes >= GIB) return `${(bytes / GIB).toFixed(1)} GiB`;
  if (bytes >= MIB) return `${(bytes / MIB).toFixed(1)} MiB`;
  return `${Math.round(bytes / KIB)} KiB`;
}
