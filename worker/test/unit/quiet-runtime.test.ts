/** worker/test/quiet-runtime.ts: only whole workerd disconnect reports are dropped from test output. */
import { describe, expect, it } from 'vitest';
import { isDisconnectReport } from '../quiet-runtime';

describe('isDisconnectReport', () => {
  it('drops the disconnect reports workerd prints for aborted connections', () => {
    expect(isDisconnectReport('uncaught exception; source = Uncaught (in promise); stack = Error: Network connection lost.\n')).toBe(true);
    expect(isDisconnectReport('exception = kj/async-io.c++:669: disconnected: read end of pipe was aborted\nstack: /x/bin/workerd@51c34e0 /x/bin/workerd@211a800\n')).toBe(true);
    expect(isDisconnectReport('exception = kj/async-io-unix.c++:186: disconnected: ::write(fd, buffer.begin(), buffer.size()): Broken pipe\n')).toBe(true);
  });

  it('keeps everything else: other exceptions, test output, and reports mixed with other lines', () => {
    expect(isDisconnectReport('uncaught exception; source = Uncaught (in promise); stack = TypeError: x is undefined\n')).toBe(false);
    expect(isDisconnectReport(' ✓ edge worker/test/edge/relay.test.ts (18 tests)\n')).toBe(false);
    expect(isDisconnectReport('{"level":"warn","msg":"Network connection lost"}\n')).toBe(false);
    expect(isDisconnectReport('uncaught exception; stack = Error: Network connection lost.\nAssertionError: expected 500 to be 200\n')).toBe(false);
  });
});
