// A stand-in for Ollama (no Debian package), speaking the documented API of api-facts.md §6
// (docs/api.md): GET / → `Ollama is running`, GET /api/tags → {"models":[…]}, GET /api/version.
// No auth, errors as {"error":"…"}, no /metrics route; unknown paths get gin's 404.
import {send, sendJson, type RequestContext, Standin, type StandinOptions} from './standin.js'

export interface OllamaModel {
  name: string
  model: string
  modified_at: string
  size: number
  digest: string
  details: {
    parent_model: string
    format: string
    family: string
    families: string[]
    parameter_size: string
    quantization_level: string
  }
}

const DEFAULT_MODELS: OllamaModel[] = [
  {
    name: 'llama3.2:latest',
    model: 'llama3.2:latest',
    modified_at: '2025-11-02T14:03:11.508329273Z',
    size: 2019393189,
    digest: 'a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72',
    details: {parent_model: '', format: 'gguf', family: 'llama', families: ['llama'], parameter_size: '3.2B', quantization_level: 'Q4_K_M'},
  },
  {
    name: 'nomic-embed-text:latest',
    model: 'nomic-embed-text:latest',
    modified_at: '2025-10-21T09:44:52.112345678Z',
    size: 274302450,
    digest: '0a109f422b47e3a30ba2b10eca18548e944e8a23073ee3f3e947efcf3c45e59f',
    details: {parent_model: '', format: 'gguf', family: 'nomic-bert', families: ['nomic-bert'], parameter_size: '137M', quantization_level: 'F16'},
  },
]

export class OllamaStandin extends Standin {
  readonly what = 'Ollama (stand-in, api-facts.md §6)'
  models: OllamaModel[] = structuredClone(DEFAULT_MODELS)

  constructor(options: Partial<StandinOptions> = {}) {
    super({name: 'ollama', node: 'hydra-ai', host: '127.0.0.4', port: 11434, ...options})
    this.get('/', ({res}) => send(res, 200, 'Ollama is running'))
    this.get('/api/tags', ({res}) => sendJson(res, 200, {models: this.models}, 'application/json; charset=utf-8'))
    this.get('/api/version', ({res}) => sendJson(res, 200, {version: '0.5.7'}, 'application/json; charset=utf-8'))
  }

  override getState(): unknown {
    return {models: this.models.map((m) => m.name)}
  }

  override resetState(): void {
    this.models = structuredClone(DEFAULT_MODELS)
  }

  /** `{models: []}` empties the model list. */
  override setState(patch: Record<string, unknown>): void {
    if (Array.isArray(patch.models) && patch.models.length === 0) this.models = []
    else if (patch.models !== undefined) this.models = structuredClone(DEFAULT_MODELS)
  }

  // gin's default 404: text/plain, no trailing newline
  protected override notFound({res}: RequestContext): void {
    send(res, 404, '404 page not found', 'text/plain')
  }

  protected override methodNotAllowed(ctx: RequestContext): void {
    this.notFound(ctx)
  }
}
