package main

import (
	"context"

	"github.com/wailsapp/wails/v2/pkg/runtime"

	"structura/backend/apperr"
	"structura/backend/core"
	"structura/backend/desktop"
	"structura/backend/model"
	"structura/backend/structure"
)

// App is the facade bound to the frontend. It holds no logic: each method
// forwards to a service and turns errors into the UI error convention
// (apperr.ForUI), which frontend/src/bridge decodes.
type App struct {
	ctx      context.Context
	be       *core.Backend
	startErr error
}

// NewApp returns the facade; main.go attaches the backend.
func NewApp() *App { return &App{ctx: context.Background()} }

func (a *App) startup(ctx context.Context) {
	a.ctx = ctx
	if a.be != nil {
		a.be.Events.Attach(func(name string, data any) { runtime.EventsEmit(ctx, name, data) })
	}
}

func (a *App) shutdown(context.Context) {
	if a.be != nil {
		a.be.Events.Attach(nil)
	}
}

// call runs f against the backend and converts its error for the UI.
func call[T any](a *App, op string, f func(ctx context.Context) (T, error)) (T, error) {
	var zero T
	if a.be == nil {
		return zero, apperr.ForUI(nil, op, a.notStarted())
	}
	v, err := f(a.ctx)
	if err != nil {
		return zero, apperr.ForUI(a.be.Log.Logger, op, err)
	}
	return v, nil
}

func do(a *App, op string, f func(ctx context.Context) error) error {
	_, err := call(a, op, func(ctx context.Context) (struct{}, error) { return struct{}{}, f(ctx) })
	return err
}

func (a *App) notStarted() error {
	if a.startErr != nil {
		return a.startErr
	}
	return apperr.New(apperr.CodeInternal, "Structura has not finished starting.", "Wait a moment and try again.")
}

// AppInfo describes the running app, including why it could not start.
type AppInfo struct {
	Version      string        `json:"version"`
	DataDir      string        `json:"dataDir"`
	LogFile      string        `json:"logFile"`
	StartupError *apperr.Error `json:"startupError,omitempty"`
}

// Info returns version, data locations and any startup error.
func (a *App) Info() AppInfo {
	info := AppInfo{Version: version}
	if a.be == nil {
		info.StartupError = apperr.Public(a.notStarted())
		return info
	}
	info.DataDir = a.be.Layout.Dir
	info.LogFile = a.be.Log.FilePath()
	return info
}

// OpenLogFolder shows the log folder in the file manager.
func (a *App) OpenLogFolder() error {
	return do(a, "OpenLogFolder", func(ctx context.Context) error {
		if err := desktop.OpenFolder(ctx, a.be.Layout.LogDir); err != nil {
			return apperr.Wrap(err, apperr.CodeInternal, "Structura could not open the log folder.", "You can find it at "+a.be.Layout.LogDir)
		}
		return nil
	})
}

// RelationshipTypes lists the relationship types the UI offers.
func (a *App) RelationshipTypes() ([]model.RelationshipType, error) {
	return call(a, "RelationshipTypes", func(context.Context) ([]model.RelationshipType, error) {
		return a.be.Structure.RelationshipTypes(), nil
	})
}

// ListGroups lists groups whose name matches query ("" = all).
func (a *App) ListGroups(query string) ([]model.GroupSummary, error) {
	return call(a, "ListGroups", func(ctx context.Context) ([]model.GroupSummary, error) {
		return a.be.Structure.ListGroups(ctx, query)
	})
}

// GetGroup returns a group with its entities and relationships.
func (a *App) GetGroup(id int64) (model.GroupDetail, error) {
	return call(a, "GetGroup", func(ctx context.Context) (model.GroupDetail, error) {
		return a.be.Structure.GetGroup(ctx, id)
	})
}

// CreateGroup creates an empty group.
func (a *App) CreateGroup(name, notes string) (model.Group, error) {
	return call(a, "CreateGroup", func(ctx context.Context) (model.Group, error) {
		return a.be.Structure.CreateGroup(ctx, name, notes)
	})
}

// UpdateGroup renames a group or changes its notes.
func (a *App) UpdateGroup(id int64, name, notes string) (model.Group, error) {
	return call(a, "UpdateGroup", func(ctx context.Context) (model.Group, error) {
		return a.be.Structure.UpdateGroup(ctx, id, name, notes)
	})
}

// DeleteGroupPreview says what deleting a group would remove.
func (a *App) DeleteGroupPreview(id int64) (structure.DeletePreview, error) {
	return call(a, "DeleteGroupPreview", func(ctx context.Context) (structure.DeletePreview, error) {
		return a.be.Structure.DeleteGroupPreview(ctx, id)
	})
}

// DeleteGroup deletes a group, and optionally the entities that belong to
// no other group.
func (a *App) DeleteGroup(id int64, deleteOrphanEntities bool) error {
	return do(a, "DeleteGroup", func(ctx context.Context) error {
		return a.be.Structure.DeleteGroup(ctx, id, deleteOrphanEntities)
	})
}

// ListEntities searches every entity, in any group.
func (a *App) ListEntities(query string) ([]model.Entity, error) {
	return call(a, "ListEntities", func(ctx context.Context) ([]model.Entity, error) {
		return a.be.Structure.ListEntities(ctx, query)
	})
}

// CreateEntity creates an entity as a member of a group.
func (a *App) CreateEntity(groupID int64, in model.EntityInput) (model.Entity, error) {
	return call(a, "CreateEntity", func(ctx context.Context) (model.Entity, error) {
		return a.be.Structure.CreateEntity(ctx, groupID, in)
	})
}

// UpdateEntity changes an entity's details.
func (a *App) UpdateEntity(id int64, in model.EntityInput) (model.Entity, error) {
	return call(a, "UpdateEntity", func(ctx context.Context) (model.Entity, error) {
		return a.be.Structure.UpdateEntity(ctx, id, in)
	})
}

// DeleteEntity deletes an entity with its relationships and memberships.
func (a *App) DeleteEntity(id int64) error {
	return do(a, "DeleteEntity", func(ctx context.Context) error { return a.be.Structure.DeleteEntity(ctx, id) })
}

// AddMember adds an existing entity to a group.
func (a *App) AddMember(groupID, entityID int64) error {
	return do(a, "AddMember", func(ctx context.Context) error { return a.be.Structure.AddMember(ctx, groupID, entityID) })
}

// RemoveMember takes an entity out of a group without deleting it.
func (a *App) RemoveMember(groupID, entityID int64) error {
	return do(a, "RemoveMember", func(ctx context.Context) error { return a.be.Structure.RemoveMember(ctx, groupID, entityID) })
}

// CreateRelationship relates two entities.
func (a *App) CreateRelationship(in model.RelationshipInput) (model.Relationship, error) {
	return call(a, "CreateRelationship", func(ctx context.Context) (model.Relationship, error) {
		return a.be.Structure.CreateRelationship(ctx, in)
	})
}

// UpdateRelationship changes a relationship's details.
func (a *App) UpdateRelationship(id int64, in model.RelationshipInput) (model.Relationship, error) {
	return call(a, "UpdateRelationship", func(ctx context.Context) (model.Relationship, error) {
		return a.be.Structure.UpdateRelationship(ctx, id, in)
	})
}

// DeleteRelationship deletes a relationship.
func (a *App) DeleteRelationship(id int64) error {
	return do(a, "DeleteRelationship", func(ctx context.Context) error { return a.be.Structure.DeleteRelationship(ctx, id) })
}
