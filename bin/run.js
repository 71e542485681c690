#!/usr/bin/env node
// File work (a backup writes and syncs a file per dashboard, 64 at a time) runs on libuv's thread
// pool, 4 threads by default; it must be sized before its first use, so before oclif loads.
process.env.UV_THREADPOOL_SIZE ??= '16'
const {execute} = await import('@oclif/core')

await execute({dir: import.meta.url})
// The command has returned and printed its result (writes to pipes and files are synchronous on
// Linux). Do not let a straggling socket — a request still in flight past doctor's deadline, an SSH
// connection closing — hold the process open: exit now, with the code the command set.
process.exit()
