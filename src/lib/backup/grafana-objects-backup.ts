/** The backup side of grafana-objects.ts: fetch each selected kind and write its file. */
import type {CallOptions, GrafanaClient} from '../grafana/client.js'
import {BACKUP_KINDS, fetchKind, OBJECT_KINDS, objectFile, type BackupKind} from './grafana-objects.js'
import type {ManifestObjectFile, ManifestProblemItem} from './manifest.js'

export async function backupObjects(
  grafana: GrafanaClient,
  only: Set<BackupKind> | undefined,
  write: (relPath: string, text: string) => Promise<void>,
  hash: (text: string) => string,
  call: CallOptions & {deadlineText?: string} = {},
): Promise<{objects: ManifestObjectFile[]; failed: ManifestProblemItem[]; kinds: string[]}> {
  const kinds = OBJECT_KINDS.filter((k) => !only || only.has(k))
  const fetched = await Promise.all(kinds.map((k) => fetchKind(grafana, k, call)))
  const objects: ManifestObjectFile[] = []
  const failed: ManifestProblemItem[] = []
  for (const f of fetched) {
    if (f.text === undefined) {
      failed.push({uid: f.kind, title: f.kind, error: f.error ?? `${f.kind} not backed up`})
      continue
    }
    const path = objectFile(f.kind)
    await write(path, f.text)
    objects.push({kind: f.kind, path, sha256: hash(f.text), size: Buffer.byteLength(f.text), count: f.count})
  }
  return {objects, failed, kinds: BACKUP_KINDS.filter((k) => !only || only.has(k))}
}
