// Sums vitest JSON reports into the one closing line CI reads: "tests: N passed, N failed[, N skipped]".
// A report that is missing (its run crashed before writing it) counts as a failure.
import {existsSync, readFileSync} from 'node:fs'

let passed = 0
let failed = 0
let skipped = 0
for (const file of process.argv.slice(2)) {
  if (!existsSync(file)) {
    console.error(`summarize-tests: ${file} was not written (that run crashed)`)
    failed += 1
    continue
  }
  const r = JSON.parse(readFileSync(file, 'utf8'))
  passed += r.numPassedTests ?? 0
  failed += r.numFailedTests ?? 0
  skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0)
  if ((r.numTotalTests ?? 0) === 0) {
    console.error(`summarize-tests: ${file} ran no test`)
    failed += 1
  }
  if (r.success === false && (r.numFailedTests ?? 0) === 0) {
    console.error(`summarize-tests: ${file}: a suite failed to run (setup or import error)`)
    failed += 1
  }
}
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`)
