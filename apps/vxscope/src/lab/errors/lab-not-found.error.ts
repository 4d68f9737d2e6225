export class LabNotFoundError extends Error {
  override readonly name = 'LabNotFoundError';
  constructor(readonly what: string) {
    super(`${what} not found`);
  }
}
