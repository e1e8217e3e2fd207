import { describe, expect, it } from 'vitest';
import { COMMANDS } from './main';
import { runCli } from '../../test/helpers/cli';

describe('usage', () => {
  it('without a command: the overview on stderr, exit 2', async () => {
    const r = await runCli([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage: rollgate <command>');
  });

  it('--help lists every command, exit 0', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toContain(`  ${c.name} `);
  });

  it.each(COMMANDS.map((c) => c.name))('%s --help prints its usage and options, exit 0', async (name) => {
    const r = await runCli([name, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`rollgate ${name}`);
    expect(r.stdout).toContain('-h, --help');
    const viaHelp = await runCli(['help', name]);
    expect(viaHelp.stdout).toBe(r.stdout);
  });

  it.each([
    [['frobnicate'], /unknown command "frobnicate"\n/],
    [['stauts'], /unknown command "stauts"; did you mean "status"\?/],
    [['help', 'delpoy'], /unknown command "delpoy"; did you mean "deploy"\?/],
    [['status', '--envv', 'staging'], /Unknown option '--envv'; did you mean "--env"\?/],
    [['keys', 'lsit'], /unknown keys action "lsit"; did you mean "list"\?: use list, issue or revoke/],
    [['deploy', 'f', '--variant', 'on', '--strategy', 'safe', '--health', 'minSample=3'], /unknown key "minSample"; did you mean "minSamples"\?/],
    [['--env', 'staging'], /expected a command before "--env"/],
    [['status', '--bogus'], /Unknown option '--bogus'/],
    [['status', 'a', 'b'], /unexpected argument "b"/],
    [['validate', 'a.json', 'b.json'], /unexpected argument "b.json"/],
    [['diff', '--env'], /--env/],
    [['deploy'], /missing <flag>/],
    [['deploy', 'f', '--strategy', 'safe'], /missing --variant/],
    [['deploy', 'f', '--variant', 'on'], /missing --strategy/],
    [['deploy', 'f', '--variant', 'on', '--strategy', 'yolo'], /--strategy must be safe, fast or instant/],
    [['deploy', 'f', '--variant', 'on', '--stages', '5:10,100:20'], /first stage must start at once/],
    [['deploy', 'f', '--variant', 'on', '--strategy', 'safe', '--wait', 'forever'], /--wait must be seconds/],
    [['deploy', 'f', '--variant', 'on', '--strategy', 'safe', '--interval', '1'], /--interval only applies with --wait/],
    [['deploy', 'f', '--variant', 'on', '--strategy', 'safe', '--health', 'nope=1'], /unknown key "nope"/],
    [['rollback', 'f', '--env', 'production'], /missing --reason/],
    [['promote', '--reason', 'x'], /missing <flag>/],
    [['revert', '--env', 'production'], /missing --to/],
    [['revert', '--to', 'latest'], /--to must be an integer/],
    [['audit', '--limit', 'lots'], /--limit must be an integer/],
    [['audit', '--cursor', 'abc'], /--cursor must be a nextCursor/],
    [['keys', 'rotate', '--name', 'x'], /unknown keys action "rotate"/],
    [['keys', 'issue'], /missing --name/],
    [['status', '--env', 'Bad_Env'], /not an environment name/],
    [['status', '--url', 'nope'], /--url is not a URL/],
    [['push', '--reason', 'caf\u00e9'], /--reason must be printable ASCII/],
  ])('%j is a usage error (exit 2)', async (argv, message) => {
    const r = await runCli(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('a usage error points at the command help', async () => {
    const r = await runCli(['rollback', 'f']);
    expect(r.stderr).toContain('run `rollgate rollback --help` for usage');
  });
});
