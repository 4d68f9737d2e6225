/** A request that passed field validation but does not fit the lab (e.g. unicast with 3 hosts). */
export class LabInvalidError extends Error {
  override readonly name = 'LabInvalidError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}
