/**
 * Errors of the IPFS layer. Each carries a stable `code` so callers (gateway, auditors, CLI)
 * can map them to HTTP statuses or audit verdicts without matching on message text.
 */

export type IpfsErrorCode =
  | 'INVALID_CID'
  | 'BLOCK_NOT_FOUND'
  | 'BLOCK_VERIFICATION_FAILED'
  | 'CAR_INVALID'
  | 'UNIXFS_INVALID'
  | 'UNSUPPORTED'
  | 'GATEWAY_HTTP'
  | 'CID_MISMATCH';

export class IpfsError extends Error {
  constructor(
    readonly code: IpfsErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The string is not a CID we can parse (bad multibase, bad multihash, trailing bytes…). */
export class InvalidCidError extends IpfsError {
  constructor(input: string, cause?: unknown) {
    super('INVALID_CID', `invalid CID ${JSON.stringify(input.slice(0, 120))}`, { cause });
  }
}

/** The block is not in the store (or the remote did not deliver it). */
export class BlockNotFoundError extends IpfsError {
  constructor(readonly cid: string, detail?: string) {
    super('BLOCK_NOT_FOUND', `block ${cid} not found${detail ? `: ${detail}` : ''}`);
  }
}

/** Block bytes do not hash to the CID's multihash (tampered), or cannot be checked at all. */
export class BlockVerificationError extends IpfsError {
  constructor(readonly cid: string, reason: string) {
    super('BLOCK_VERIFICATION_FAILED', `block ${cid} failed verification: ${reason}`);
  }
}

/** A CAR stream is malformed or ends in the middle of a section (truncated). */
export class CarFormatError extends IpfsError {
  constructor(reason: string) {
    super('CAR_INVALID', `invalid CAR: ${reason}`);
  }
}

/** The DAG is not a well-formed UnixFS file (a directory, sizes that do not add up, …). */
export class UnixfsFormatError extends IpfsError {
  constructor(readonly cid: string, reason: string) {
    super('UNIXFS_INVALID', `${cid} is not a readable UnixFS file: ${reason}`);
  }
}

/** A valid request for something this implementation deliberately does not do. */
export class IpfsUnsupportedError extends IpfsError {
  constructor(reason: string) {
    super('UNSUPPORTED', reason);
  }
}

/** A remote gateway answered with a non-success status. */
export class GatewayHttpError extends IpfsError {
  constructor(
    readonly status: number,
    url: string,
    body: string,
  ) {
    super('GATEWAY_HTTP', `gateway ${url} answered ${status}${body ? `: ${body.slice(0, 200)}` : ''}`);
  }
}

/** A backend (e.g. a Kubo daemon) produced a different CID than the Kubo option set demands. */
export class CidMismatchError extends IpfsError {
  constructor(expected: string, got: string, context: string) {
    super('CID_MISMATCH', `${context}: expected ${expected}, got ${got}`);
  }
}
