/**
 * True when `body` carries `cid` as a whole token: the characters either side (if any) are not
 * CID alphabet characters, so a CID that is only a prefix or suffix of a longer string does not
 * count. CIDs (base32 `b…`, base58btc `Qm…`/`z…`) are alphanumeric.
 */
export function bodyCarriesCid(body: string | null | undefined, cid: string): boolean {
  if (!body || !cid || !/^[A-Za-z0-9]+$/.test(cid)) return false;
  let from = 0;
  for (;;) {
    const at = body.indexOf(cid, from);
    if (at < 0) return false;
    const before = at === 0 ? '' : body[at - 1]!;
    const after = body[at + cid.length] ?? '';
    if (!/[A-Za-z0-9]/.test(before) && !/[A-Za-z0-9]/.test(after)) return true;
    from = at + 1;
  }
}
