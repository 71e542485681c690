import {spawn} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {parse} from 'yaml'
import {startLab} from '../test/lab/lab.js'
const lab = await startLab({extraNodes: Number(process.env.S5_EXTRA ?? 0), readyTimeoutMs: 120_000, scrapeInterval: '5s'})
try {
  const doc = parse(readFileSync(lab.configPath, 'utf8'))
  const env = {...process.env, LAB_CONFIG: lab.configPath, LAB_KEY: doc.defaults.ssh.identityFile, LAB_KH: doc.defaults.ssh.knownHosts, LAB_STATE: lab.stateDir, LAB_SSHD_PIDS: Object.entries(lab.pids()).filter(([n]) => n.startsWith('sshd@')).map(([, p]) => p).join(' ')}
  await new Promise((r) => spawn('bash', ['-c', process.argv[2]!], {stdio: 'inherit', env}).on('close', r))
} finally { await lab.stop() }
