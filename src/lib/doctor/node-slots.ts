/**
 * At most `limit` nodes (defaults.concurrency, 8 unless the config says otherwise) have their reads
 * in flight at once. A node's reads are the checks that run over its SSH connection or against its
 * address once it answered (their dependsOn or reachability names the node's SSH check: exporter
 * state, firewall, fetch, log driver): the node takes a slot when the first of them starts and
 * gives it back when the last of them has finished (ran, failed or was skipped). The SSH checks
 * themselves all start at once, so nodes that do not answer still cost their connect timeout once,
 * together, not one wave of `limit` after another. On a cluster of 30 nodes doctor no longer starts
 * every node's reads (and every exporter's /metrics) at once, all answered on the one machine
 * hydra runs on.
 *
 * No wait can deadlock: a node's slot checks wait only for their own node's slot, their
 * dependencies are that node's SSH check and slot checks (which run while it holds the slot) or
 * checks that never wait for a slot, and the node gives its slot back once all of them finished.
 */
import {sshCheckId} from './catalogue/ids.js'
import type {Check} from './model.js'

/** The node whose slot this check runs under, or undefined (no SSH work: it never waits). */
export function slotNode(check: Check): string | undefined {
  if (!check.node) return undefined
  const ssh = sshCheckId(check.node)
  return check.dependsOn.includes(ssh) || check.reachability === ssh ? check.node : undefined
}

export class NodeSlots {
  /** node → its slot checks not finished yet */
  private readonly unfinished = new Map<string, number>()
  private readonly holding = new Map<string, Promise<void>>()
  private active = 0
  private readonly queue: (() => void)[] = []

  constructor(
    checks: readonly Check[],
    private readonly limit: number,
  ) {
    for (const c of checks) {
      const node = slotNode(c)
      if (node) this.unfinished.set(node, (this.unfinished.get(node) ?? 0) + 1)
    }
  }

  /** Resolves once the check's node holds a slot (at once when it already does, or the check has no node). */
  enter(check: Check): Promise<void> {
    const node = slotNode(check)
    if (!node) return Promise.resolve()
    let held = this.holding.get(node)
    if (!held) {
      held = this.active < this.limit ? Promise.resolve() : new Promise<void>((resolve) => this.queue.push(resolve))
      this.active++
      this.holding.set(node, held)
    }
    return held
  }

  /** The check finished (whether or not it entered); the node's last one gives its slot back. */
  leave(check: Check): void {
    const node = slotNode(check)
    if (!node) return
    const left = (this.unfinished.get(node) ?? 1) - 1
    this.unfinished.set(node, left)
    if (left > 0 || !this.holding.has(node)) return
    this.holding.delete(node)
    this.unfinished.delete(node)
    const next = this.queue.shift()
    if (next) next()
    else this.active--
  }
}
