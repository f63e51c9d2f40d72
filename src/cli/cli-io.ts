/** Where a command writes; tests pass their own to capture the output. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Whether output may be coloured: only on a terminal. */
  color?: boolean;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  color: process.stdout.isTTY === true,
};
