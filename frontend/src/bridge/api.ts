// Typed access to the bound Go methods (app.go) and the events the backend
// emits. Screens import this module, never wailsjs directly, so every
// failure arrives as an AppError (see errors.ts) and tests can mock one
// module. No business rule lives here: every check is the backend's.

import * as App from '../../wailsjs/go/main/App'
import * as Runtime from '../../wailsjs/runtime/runtime'
import type { main, model, structure } from '../../wailsjs/go/models'
import { invoke } from './errors'

export type AppInfo = main.AppInfo
export type Entity = model.Entity
export type EntityInput = model.EntityInput
export type Group = model.Group
export type GroupSummary = model.GroupSummary
export type GroupDetail = model.GroupDetail
export type Relationship = model.Relationship
export type RelationshipInput = model.RelationshipInput
export type RelationshipType = model.RelationshipType
export type DeletePreview = structure.DeletePreview

/** Runs a bound call; a synchronous throw (no Wails runtime, e.g. a plain
 * browser tab) is converted like a rejection. */
function call<T>(f: () => Promise<T>): Promise<T> {
  let p: Promise<T>
  try {
    p = f()
  } catch (e) {
    p = Promise.reject(e)
  }
  return invoke(p)
}

/** Tells the backend which screen is showing (for the log). Never fails. */
export function reportScreen(name: string): void {
  try {
    App.ScreenShown(name)?.catch(() => {})
  } catch {
    // no backend (unit tests, a plain browser tab)
  }
}

export const api = {
  info: (): Promise<AppInfo> => call(() => App.Info()),
  openLogFolder: (): Promise<void> => call(() => App.OpenLogFolder()),
  relationshipTypes: (): Promise<RelationshipType[]> => call(() => App.RelationshipTypes()).then((x) => x ?? []),

  listGroups: (query: string): Promise<GroupSummary[]> => call(() => App.ListGroups(query)).then((x) => x ?? []),
  getGroup: (id: number): Promise<GroupDetail> =>
    call(() => App.GetGroup(id)).then((g) => ({
      ...g,
      entities: g.entities ?? [],
      relationships: g.relationships ?? [],
      external: g.external ?? [],
    })),
  createGroup: (name: string, notes: string): Promise<Group> => call(() => App.CreateGroup(name, notes)),
  updateGroup: (id: number, name: string, notes: string): Promise<Group> => call(() => App.UpdateGroup(id, name, notes)),
  deleteGroupPreview: (id: number): Promise<DeletePreview> =>
    call(() => App.DeleteGroupPreview(id)).then((p) => ({
      ...p,
      orphanEntities: p.orphanEntities ?? [],
      sharedEntities: p.sharedEntities ?? [],
    })),
  deleteGroup: (id: number, deleteOrphanEntities: boolean): Promise<void> =>
    call(() => App.DeleteGroup(id, deleteOrphanEntities)),

  listEntities: (query: string): Promise<Entity[]> => call(() => App.ListEntities(query)).then((x) => x ?? []),
  createEntity: (groupId: number, input: EntityInput): Promise<Entity> => call(() => App.CreateEntity(groupId, input)),
  updateEntity: (id: number, input: EntityInput): Promise<Entity> => call(() => App.UpdateEntity(id, input)),
  deleteEntity: (id: number): Promise<void> => call(() => App.DeleteEntity(id)),
  addMember: (groupId: number, entityId: number): Promise<void> => call(() => App.AddMember(groupId, entityId)),
  removeMember: (groupId: number, entityId: number): Promise<void> => call(() => App.RemoveMember(groupId, entityId)),

  createRelationship: (input: RelationshipInput): Promise<Relationship> => call(() => App.CreateRelationship(input)),
  updateRelationship: (id: number, input: RelationshipInput): Promise<Relationship> =>
    call(() => App.UpdateRelationship(id, input)),
  deleteRelationship: (id: number): Promise<void> => call(() => App.DeleteRelationship(id)),
}

export type Api = typeof api

/** What changed, as the backend reports it with "structure:changed". */
export interface StructureChange {
  kind?: 'group' | 'entity' | 'relationship' | 'membership'
  id?: number
}

export const STRUCTURE_CHANGED = 'structure:changed'

function hasRuntime(): boolean {
  return typeof window !== 'undefined' && !!(window as unknown as { runtime?: unknown }).runtime
}

/** Calls fn after every change the backend commits (from this window or any
 * other view of the same app). Returns the unsubscribe function. Without a
 * Wails runtime (unit tests, a plain browser tab) it does nothing. */
export function onStructureChanged(fn: (change: StructureChange) => void): () => void {
  if (!hasRuntime()) return () => {}
  try {
    const off = Runtime.EventsOn(STRUCTURE_CHANGED, (payload?: unknown) => {
      fn(payload && typeof payload === 'object' ? (payload as StructureChange) : {})
    })
    return typeof off === 'function' ? off : () => {}
  } catch {
    return () => {}
  }
}

/** Closes the app window (used on the startup error screen). */
export function quitApp(): void {
  if (!hasRuntime()) return
  try {
    Runtime.Quit()
  } catch {
    // nothing to do: the window is going away or there is none
  }
}

// The connection to XPM (status bar, settings, connect) lives in
// ./connection.ts.
