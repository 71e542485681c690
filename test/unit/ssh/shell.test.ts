import {execFileSync} from 'node:child_process'

import {describe, expect, it} from 'vitest'

import {commandLine, remoteCommands} from '../../../src/lib/ssh/commands.js'
import {checkRemoteValue, shellQuote} from '../../../src/lib/ssh/shell.js'

const HOSTILE = [`a'b`, `'; touch /tmp/x; '`, '$(id)', '`id`', 'a b\tc\nd', '"$HOME"', '\\', "''", '-rf', '*', '!!', '&&|;<>']

describe('shellQuote', () => {
  it.each(HOSTILE)('a real sh reads %j back as exactly one literal word', (value) => {
    const out = execFileSync('sh', ['-c', `printf '%s' ${shellQuote(value)}`], {encoding: 'utf8'})
    expect(out).toBe(value)
  })
  it('quotes the empty string and refuses NUL', () => {
    expect(shellQuote('')).toBe("''")
    expect(() => shellQuote('a\0b')).toThrow(/NUL/)
  })
})

describe('remote command templates', () => {
  it('reject hostile values before any quoting', () => {
    for (const v of HOSTILE.filter((x) => !/^[A-Za-z0-9:_.@-]+$/.test(x))) {
      expect(() => remoteCommands.systemdUnitState(v)).toThrow(/refusing to send unit name/)
      expect(() => remoteCommands.containerState(v)).toThrow(/refusing to send container name/)
      expect(() => remoteCommands.containerLogs(v, 10)).toThrow(/container name/)
    }
  })
  it('quote allowed values and end options with -- so a leading dash is not an option', () => {
    expect(remoteCommands.systemdUnitState('prometheus-node-exporter.service').line).toBe(
      "systemctl show --no-pager -p LoadState,ActiveState,SubState,MainPID,ExecMainStatus,Result -- 'prometheus-node-exporter.service'",
    )
    expect(remoteCommands.systemdUnitState('--help').line).toMatch(/ -- '--help'$/)
    expect(remoteCommands.systemdUnitStates(['prometheus-node-exporter.service', 'gpu.service']).line).toBe(
      "systemctl show --no-pager -p LoadState,ActiveState,SubState,MainPID,ExecMainStatus,Result -- 'prometheus-node-exporter.service' 'gpu.service'",
    )
    expect(() => remoteCommands.systemdUnitStates([])).toThrow(/no unit/)
    expect(() => remoteCommands.systemdUnitStates(['ok.service', 'x;reboot'])).toThrow(/refusing to send unit name/)
    expect(remoteCommands.inspectContainers(['loki', 'tabbyapi']).line).toBe("docker inspect --type container -- 'loki' 'tabbyapi'")
    expect(remoteCommands.sshConnectionAndIptablesVersion().line).toBe('printf "%s\\n" "$SSH_CONNECTION"; iptables -V')
    expect(remoteCommands.containerLogs('loki', 50).line).toBe("docker logs --tail 50 -- 'loki'")
  })
  it('check integers', () => {
    expect(() => remoteCommands.containerLogs('loki', 1.5)).toThrow(/whole number/)
    expect(() => remoteCommands.containerLogs('loki', -1)).toThrow(/whole number/)
  })
  it('sudo -n only when asked', () => {
    expect(commandLine(remoteCommands.iptablesRules(), true)).toBe('sudo -n -- iptables -w 5 -S')
    expect(commandLine(remoteCommands.iptablesRules(), false)).toBe('iptables -w 5 -S')
  })
  it('checkRemoteValue names the value JSON-escaped', () => {
    expect(() => checkRemoteValue('container', 'a\nb')).toThrow('"a\\nb"')
  })
})
