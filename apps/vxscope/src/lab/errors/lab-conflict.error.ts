/** The lab is busy with another operation, or a limit on labs or namespaces would be exceeded. */
export class LabConflictError extends Error {
  override readonly name = 'LabConflictError';
}
