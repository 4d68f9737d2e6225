/** The daemon answered a lab command with an error, or could not be reached. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
}
