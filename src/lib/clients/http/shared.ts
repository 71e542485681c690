/**
 * Keep-alive across clients: inside `withSharedConnections(fn)`, every HttpClient created with the
 * same transport options (connect timeout, TLS, body/header timeouts) uses ONE undici Agent, so
 * the checks of a doctor run that each make their own client (Grafana health, auth, data
 * sources, dashboards…) reuse the origin's open connections instead of opening one each. A
 * client's close() leaves a shared agent open; the scope closes them all when fn settles.
 * Outside a scope nothing changes: each client owns its agent.
 *
 * No undici import here (type only), so importing this costs nothing on paths without HTTP.
 */
import type {Agent} from 'undici'

// One process-wide pool while any scope is open (AsyncLocalStorage would cost every promise of the
// run an async hook on Node 20): scopes that overlap share it, and the last one to end closes it.
let agents: Map<string, Agent> | undefined
let open = 0

/** The scope's agent for these options, made once by `make`; undefined outside a scope. */
export function sharedAgent(key: string, make: () => Agent): Agent | undefined {
  if (!agents) return undefined
  let agent = agents.get(key)
  if (!agent) {
    agent = make()
    agents.set(key, agent)
  }
  return agent
}

/** Run fn with HTTP connections shared across its clients; close them all when it settles. */
export async function withSharedConnections<T>(fn: () => Promise<T>): Promise<T> {
  agents ??= new Map()
  open++
  try {
    return await fn()
  } finally {
    if (--open === 0) {
      const closing = [...agents.values()]
      agents = undefined
      // fn has its answers: what is still open is idle keep-alive sockets or abandoned requests
      // (a connect to a blackholed node at the deadline), so no grace period before closing them
      await Promise.all(closing.map((agent) => agent.destroy()))
    }
  }
}
