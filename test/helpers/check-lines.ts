/** `status  name  detail` lines of a `--check` report as [status, name, detail], without the verdict line. */
export const checkRows = (stdout: string): string[][] =>
  stdout
    .trimEnd()
    .split('\n')
    .slice(0, -1)
    .map((line) => {
      const [, status, name, detail] = /^(\w+) +(\w+(?: \w+)?) {2,}(.*)$/.exec(line)!;
      return [status!, name!, detail!];
    });
