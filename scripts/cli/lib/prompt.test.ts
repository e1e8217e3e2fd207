import { describe, expect, it } from 'vitest';
import { fakeIo } from '../../../test/helpers/cli';
import { CliError } from './errors';
import { confirmProtected } from './prompt';

describe('confirmProtected', () => {
  it('goes ahead when "yes" is typed, after asking the exact question', async () => {
    const { io, stderr } = fakeIo({ stdin: 'yes\n', stdinTTY: true });
    await expect(confirmProtected(io, { environment: 'production', yes: false, action: 'push' })).resolves.toBeUndefined();
    expect(stderr.text).toBe("Are you sure you want to deploy to PRODUCTION? (type 'yes' to confirm) ");
  });

  it('accepts surrounding spaces', async () => {
    const { io } = fakeIo({ stdin: '  yes  \n', stdinTTY: true });
    await expect(confirmProtected(io, { environment: 'production', yes: false, action: 'push' })).resolves.toBeUndefined();
  });

  it.each(['no\n', 'y\n', 'YES please\n', '\n', ''])('aborts with exit 1 on %j', async (typed) => {
    const { io } = fakeIo({ stdin: typed, stdinTTY: true });
    const err = await confirmProtected(io, { environment: 'production', yes: false, action: 'push' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(1);
    expect((err as CliError).message).toMatch(/nothing was changed in production/);
  });

  it('refuses without a TTY rather than waiting for input', async () => {
    const { io, stderr } = fakeIo({ stdin: 'yes\n', stdinTTY: false });
    const err = await confirmProtected(io, { environment: 'production', yes: false, action: 'deploy' }).catch((e: unknown) => e);
    expect((err as CliError).exitCode).toBe(1);
    expect((err as CliError).message).toMatch(/no terminal to confirm on.*pass --yes/);
    expect(stderr.text).toBe('');
  });

  it('--yes skips the question, with or without a TTY', async () => {
    for (const stdinTTY of [true, false]) {
      const { io, stderr } = fakeIo({ stdinTTY });
      await expect(confirmProtected(io, { environment: 'production', yes: true, action: 'push' })).resolves.toBeUndefined();
      expect(stderr.text).toBe('');
    }
  });

  it('upper-cases any environment name', async () => {
    const { io, stderr } = fakeIo({ stdin: 'yes\n', stdinTTY: true });
    await confirmProtected(io, { environment: 'eu-prod', yes: false, action: 'push' });
    expect(stderr.text).toContain('deploy to EU-PROD?');
  });
});
