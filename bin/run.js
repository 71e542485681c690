#!/usr/bin/env node
import {execute} from '@oclif/core'

await execute({dir: import.meta.url})
// The command has returned and printed its result (writes to pipes and files are synchronous on
// Linux). Do not let a straggling socket — a request still in flight past doctor's deadline, an SSH
// connection closing — hold the process open: exit now, with the code the command set.
process.exit()
