/** An error meant for the user: printed as one line on stderr, without a stack trace. */
export class CliError extends Error {
  /** 1: bad data or files; 2: bad usage (unknown loss or option). */
  readonly exitCode: number;

  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}
