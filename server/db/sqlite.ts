import Database from 'better-sqlite3';

let loadedAddon: object | undefined;

/**
 * The single binary loads better-sqlite3's native addon itself (with `process.dlopen`: inside a
 * Node single executable, `require` reaches only built-in modules); every connection then uses it.
 */
export function useSqliteAddon(addon: object): void {
  loadedAddon = addon;
}

/** `new Database(…)`, with the addon the single binary loaded, if it did. */
export function openSqlite(file: string, options: Database.Options = {}): Database.Database {
  // The type says string only; better-sqlite3 also takes the loaded addon object.
  return new Database(file, loadedAddon ? { ...options, nativeBinding: loadedAddon as unknown as string } : options);
}
