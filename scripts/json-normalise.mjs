// Normalises one hydra --json stdout for a before/after diff (scripts/json-snapshot.sh):
//   node json-normalise.mjs STDOUT_FILE EXIT_CODE WORK_DIR
// Masks what differs from run to run: timestamps, durations, temp paths, sample values, ids.
import {readFileSync} from 'node:fs'

const [file, rc, work] = process.argv.slice(2)
let raw = readFileSync(file, 'utf8')
let code = rc
// an already normalised file (re-normalising stored snapshots after a mask was added)
const stored = /^exit (\d+)\n/.exec(raw)
if (stored) {
  code = stored[1]
  raw = raw.slice(stored[0].length)
}
const VOLATILE_KEY = /(^|[a-z_])(ms|Ms|durationMs|duration|seconds|elapsed|latency|took|age|ageMs|time|timestamp|Time|At|at|lastScrape|lastScrapeDuration|lastEvaluation|evaluationTime|uptime|startsAt|endsAt|updatedAt|activeAt|value|values|bytes|Bytes|size|sizeBytes|mtime|pid|snapshot|name_dir|Percent|percent|Celsius|Watts|usage|Usage|series|chunks|samples|points|Seconds|labelPairs)$/
const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?/g
const STAMP = /\d{8}T\d{6}Z/g
function maskString(s) {
  let t = s.split(work).join('<WORK>')
  t = t.replace(/\/tmp\/hydra-[A-Za-z0-9._-]+/g, '<TMP>')
  t = t.replace(ISO, '<TIME>').replace(STAMP, '<STAMP>')
  t = t.replace(/\b\d+(\.\d+)?\s?(ms|s|µs|us)\b/g, '<DUR>')
  t = t.replace(/\b\d+(\.\d+)?(ms|s|m|h)(\d+(\.\d+)?(ms|s|m))*\b/g, '<DUR>')
  t = t.replace(/\b1[6-9]\d{8}(\.\d+)?\b/g, '<EPOCH>')
  t = t.replace(/\b\d+ bytes\b/g, '<N> bytes').replace(/PID [\d,]+/g, 'PID <PIDS>')
  t = t.replace(/\b\d+(\.\d+)?%/g, '<PCT>%')
  return t
}
function walk(v, key) {
  if (Array.isArray(v)) return v.map((x) => walk(x, key))
  if (v && typeof v === 'object') {
    const o = {}
    for (const k of Object.keys(v)) o[k] = walk(v[k], k)
    return o
  }
  if (typeof v === 'number' && key && VOLATILE_KEY.test(key)) return '<NUM>'
  if (typeof v === 'number' && v > 1.5e9 && v < 2.1e12) return '<EPOCH>'
  if (typeof v === 'string') return maskString(v)
  return v
}
let body
try {
  body = JSON.stringify(walk(JSON.parse(raw)), null, 2)
} catch {
  body = `NOT JSON:\n${maskString(raw)}`
}
process.stdout.write(`exit ${code}\n${body}\n`)
