package main

import (
	"context"

	"github.com/wailsapp/wails/v2/pkg/runtime"

	"structura/backend/apperr"
	"structura/backend/connection"
	"structura/backend/core"
	"structura/backend/desktop"
	"structura/backend/groupsync"
	"structura/backend/jobs"
	"structura/backend/model"
	"structura/backend/pull"
	"structura/backend/structure"
	"structura/backend/sync"
	"structura/backend/twofa"
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

// ScreenShown records in the log which screen the window shows, so support
// can follow what happened and the smoke test knows the window is ready.
func (a *App) ScreenShown(name string) {
	if a.be != nil {
		a.be.Log.Info("screen shown", "screen", name)
	}
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

// ---- XPM connection (docs/connection.md) ----

// ConnectionStatus returns the connection state for the status bar and
// settings.
func (a *App) ConnectionStatus() (connection.Status, error) {
	return call(a, "ConnectionStatus", func(ctx context.Context) (connection.Status, error) {
		return a.be.Connection.Status(ctx)
	})
}

// GetXPMSettings returns Settings → XPM connection.
func (a *App) GetXPMSettings() (connection.Settings, error) {
	return call(a, "GetXPMSettings", func(ctx context.Context) (connection.Settings, error) {
		return a.be.Connection.Settings(ctx)
	})
}

// SaveXPMSettings saves Settings → XPM connection.
func (a *App) SaveXPMSettings(in connection.SettingsInput) (connection.Settings, error) {
	return call(a, "SaveXPMSettings", func(ctx context.Context) (connection.Settings, error) {
		return a.be.Connection.SaveSettings(ctx, in)
	})
}

// StartConnect opens Xero's sign-in page and returns at once; progress comes
// as connect:progress events.
func (a *App) StartConnect() (connection.Attempt, error) {
	return call(a, "StartConnect", func(ctx context.Context) (connection.Attempt, error) {
		return a.be.Connection.StartConnect(ctx)
	})
}

// ReopenConnectBrowser opens the sign-in page of an attempt again.
func (a *App) ReopenConnectBrowser(attemptID string) error {
	return do(a, "ReopenConnectBrowser", func(ctx context.Context) error {
		return a.be.Connection.ReopenBrowser(ctx, attemptID)
	})
}

// CancelConnect cancels a connect attempt.
func (a *App) CancelConnect(attemptID string) error {
	return do(a, "CancelConnect", func(ctx context.Context) error { return a.be.Connection.CancelConnect(ctx, attemptID) })
}

// ChooseTenant connects an attempt to the practice the user picked.
func (a *App) ChooseTenant(attemptID, tenantID string) (connection.Status, error) {
	return call(a, "ChooseTenant", func(ctx context.Context) (connection.Status, error) {
		return a.be.Connection.ChooseTenant(ctx, attemptID, tenantID)
	})
}

// TestConnection makes one cheap call to XPM and reports the result.
func (a *App) TestConnection() (connection.TestResult, error) {
	return call(a, "TestConnection", func(ctx context.Context) (connection.TestResult, error) {
		return a.be.Connection.TestConnection(ctx)
	})
}

// Disconnect revokes access and forgets the tokens; local data and links
// are kept.
func (a *App) Disconnect() (connection.DisconnectResult, error) {
	return call(a, "Disconnect", func(ctx context.Context) (connection.DisconnectResult, error) {
		return a.be.Connection.Disconnect(ctx)
	})
}

// ---- two-factor protection ----

// TwoFactorStatus returns whether 2FA is on and whether the app is locked.
func (a *App) TwoFactorStatus() (twofa.Status, error) {
	return call(a, "TwoFactorStatus", func(ctx context.Context) (twofa.Status, error) { return a.be.TwoFactor.Status(ctx) })
}

// BeginTwoFactorEnrolment returns the QR code and text secret (shown once).
func (a *App) BeginTwoFactorEnrolment() (twofa.Enrolment, error) {
	return call(a, "BeginTwoFactorEnrolment", func(ctx context.Context) (twofa.Enrolment, error) { return a.be.TwoFactor.Begin(ctx) })
}

// ConfirmTwoFactorEnrolment turns 2FA on with a code and returns the
// recovery codes (shown once).
func (a *App) ConfirmTwoFactorEnrolment(code string) (twofa.Confirmation, error) {
	return call(a, "ConfirmTwoFactorEnrolment", func(ctx context.Context) (twofa.Confirmation, error) {
		return a.be.TwoFactor.Confirm(ctx, code)
	})
}

// UnlockWithCode unlocks the app with a TOTP or recovery code.
func (a *App) UnlockWithCode(code string) (twofa.Status, error) {
	return call(a, "UnlockWithCode", func(ctx context.Context) (twofa.Status, error) { return a.be.TwoFactor.Unlock(ctx, code) })
}

// DisableTwoFactor turns 2FA off (refused while connected).
func (a *App) DisableTwoFactor(code string) (twofa.Status, error) {
	return call(a, "DisableTwoFactor", func(ctx context.Context) (twofa.Status, error) { return a.be.TwoFactor.Disable(ctx, code) })
}

// SetTwoFactorIdleHours sets after how many idle hours a write to XPM asks
// for a code again.
func (a *App) SetTwoFactorIdleHours(hours int) (twofa.Status, error) {
	return call(a, "SetTwoFactorIdleHours", func(ctx context.Context) (twofa.Status, error) {
		return a.be.TwoFactor.SetIdleLockHours(ctx, hours)
	})
}

// LockNow locks the app until a code is entered.
func (a *App) LockNow() (twofa.Status, error) {
	return call(a, "LockNow", func(ctx context.Context) (twofa.Status, error) {
		a.be.TwoFactor.Lock(ctx)
		return a.be.TwoFactor.Status(ctx)
	})
}

// ResetTwoFactor turns 2FA off without a code; allowed only while not
// connected (for a lost authenticator and lost recovery codes).
func (a *App) ResetTwoFactor() (twofa.Status, error) {
	return call(a, "ResetTwoFactor", func(ctx context.Context) (twofa.Status, error) { return a.be.TwoFactor.Reset(ctx) })
}

// ---- Import Groups (issue 7) and background jobs; see docs/sync-groups.md ----

// ListXPMGroups lists the cached XPM client groups with their link status
// (no XPM call: instant and offline).
func (a *App) ListXPMGroups(filter groupsync.Filter) (groupsync.GroupList, error) {
	return call(a, "ListXPMGroups", func(ctx context.Context) (groupsync.GroupList, error) {
		return a.be.GroupSync.ListXPMGroups(ctx, filter)
	})
}

// RefreshXPMGroups starts discovering the XPM groups (a background job).
func (a *App) RefreshXPMGroups() (jobs.Info, error) {
	return call(a, "RefreshXPMGroups", func(ctx context.Context) (jobs.Info, error) { return a.be.GroupSync.RefreshXPMGroups(ctx) })
}

// LinkXPMGroupAsNew creates a local group named after the XPM group and
// links the two.
func (a *App) LinkXPMGroupAsNew(xpmGroupUUID string) (groupsync.LinkResult, error) {
	return call(a, "LinkXPMGroupAsNew", func(ctx context.Context) (groupsync.LinkResult, error) {
		return a.be.GroupSync.LinkXPMGroupAsNew(ctx, xpmGroupUUID)
	})
}

// LinkXPMGroupToExisting links an XPM group to an unlinked local group.
func (a *App) LinkXPMGroupToExisting(xpmGroupUUID string, localGroupID int64) (groupsync.LinkResult, error) {
	return call(a, "LinkXPMGroupToExisting", func(ctx context.Context) (groupsync.LinkResult, error) {
		return a.be.GroupSync.LinkXPMGroupToExisting(ctx, xpmGroupUUID, localGroupID)
	})
}

// SuggestLocalGroup ranks the unlinked local groups for an XPM group.
func (a *App) SuggestLocalGroup(xpmGroupUUID string) (groupsync.Suggestions, error) {
	return call(a, "SuggestLocalGroup", func(ctx context.Context) (groupsync.Suggestions, error) {
		return a.be.GroupSync.SuggestLocalGroup(ctx, xpmGroupUUID)
	})
}

// UnlinkGroupPreview says what unlinking a local group keeps and removes.
func (a *App) UnlinkGroupPreview(localGroupID int64) (groupsync.UnlinkPreview, error) {
	return call(a, "UnlinkGroupPreview", func(ctx context.Context) (groupsync.UnlinkPreview, error) {
		return a.be.GroupSync.UnlinkPreview(ctx, localGroupID)
	})
}

// UnlinkGroup removes a local group's link (and base snapshot) only.
func (a *App) UnlinkGroup(localGroupID int64) (groupsync.UnlinkResult, error) {
	return call(a, "UnlinkGroup", func(ctx context.Context) (groupsync.UnlinkResult, error) {
		return a.be.GroupSync.UnlinkGroup(ctx, localGroupID)
	})
}

// ExportGroupPreview says what exporting a local group to XPM would do.
func (a *App) ExportGroupPreview(localGroupID int64) (groupsync.ExportPreview, error) {
	return call(a, "ExportGroupPreview", func(ctx context.Context) (groupsync.ExportPreview, error) {
		return a.be.GroupSync.ExportGroupPreview(ctx, localGroupID)
	})
}

// ExportGroupToXPM creates an XPM group from a local group and links them.
func (a *App) ExportGroupToXPM(localGroupID int64, allowSameName bool) (groupsync.ExportResult, error) {
	return call(a, "ExportGroupToXPM", func(ctx context.Context) (groupsync.ExportResult, error) {
		return a.be.GroupSync.ExportGroupToXPM(ctx, localGroupID, allowSameName)
	})
}

// StartBulkLink links many XPM groups as a paced background job.
func (a *App) StartBulkLink(items []groupsync.BulkItem) (jobs.Info, error) {
	return call(a, "StartBulkLink", func(ctx context.Context) (jobs.Info, error) { return a.be.GroupSync.StartBulkLink(ctx, items) })
}

// ListJobs lists the unfinished and recent background jobs.
func (a *App) ListJobs() ([]jobs.Info, error) {
	return call(a, "ListJobs", func(ctx context.Context) ([]jobs.Info, error) { return a.be.Jobs.List(ctx, 0) })
}

// GetJob describes one background job.
func (a *App) GetJob(id int64) (jobs.Info, error) {
	return call(a, "GetJob", func(ctx context.Context) (jobs.Info, error) { return a.be.Jobs.Get(ctx, id) })
}

// CancelJob stops a background job (not an error: it ends "canceled").
func (a *App) CancelJob(id int64) (jobs.Info, error) {
	return call(a, "CancelJob", func(ctx context.Context) (jobs.Info, error) { return a.be.Jobs.Cancel(ctx, id) })
}

// ResumeJob carries on an interrupted or failed job from its checkpoint.
func (a *App) ResumeJob(id int64) (jobs.Info, error) {
	return call(a, "ResumeJob", func(ctx context.Context) (jobs.Info, error) { return a.be.Jobs.Resume(ctx, id) })
}

// ---- Pull from XPM (issue 8); see docs/pull.md ----

// EstimatePull says which XPM calls a pull would make and how long they
// would take at the current limits (no XPM call).
func (a *App) EstimatePull(req pull.Request) (pull.Estimate, error) {
	return call(a, "EstimatePull", func(ctx context.Context) (pull.Estimate, error) { return a.be.Pull.Estimate(ctx, req) })
}

// StartPull starts reading linked groups from XPM in the background
// (progress: job:progress and pull:changed events).
func (a *App) StartPull(req pull.Request) (pull.Info, error) {
	return call(a, "StartPull", func(ctx context.Context) (pull.Info, error) { return a.be.Pull.Start(ctx, req) })
}

// GetPull describes one pull.
func (a *App) GetPull(id int64) (pull.Info, error) {
	return call(a, "GetPull", func(ctx context.Context) (pull.Info, error) { return a.be.Pull.Get(ctx, id) })
}

// ListPulls lists the open pull (if any) and the recent ones, newest first.
func (a *App) ListPulls(limit int) ([]pull.Info, error) {
	return call(a, "ListPulls", func(ctx context.Context) ([]pull.Info, error) { return a.be.Pull.List(ctx, limit) })
}

// PullReview returns a page of a pull's review (no XPM call).
func (a *App) PullReview(id int64, q pull.ReviewQuery) (pull.Review, error) {
	return call(a, "PullReview", func(ctx context.Context) (pull.Review, error) { return a.be.Pull.Review(ctx, id, q) })
}

// DecidePull records decisions for review items and returns the review
// after them (no XPM call).
func (a *App) DecidePull(id int64, decisions []sync.Decision) (pull.Review, error) {
	return call(a, "DecidePull", func(ctx context.Context) (pull.Review, error) { return a.be.Pull.Decide(ctx, id, decisions) })
}

// AcceptPullSuggestions takes the suggested choice for every item waiting
// for a decision.
func (a *App) AcceptPullSuggestions(id int64) (pull.Review, error) {
	return call(a, "AcceptPullSuggestions", func(ctx context.Context) (pull.Review, error) {
		return a.be.Pull.AcceptSuggestions(ctx, id)
	})
}

// ApplyPull confirms a reviewed pull and writes it in the background, one
// group at a time.
func (a *App) ApplyPull(id int64) (pull.Info, error) {
	return call(a, "ApplyPull", func(ctx context.Context) (pull.Info, error) { return a.be.Pull.Apply(ctx, id) })
}

// CancelPull stops a pull (a read at once; an apply after the group being
// written; a pull waiting for review is discarded).
func (a *App) CancelPull(id int64) (pull.Info, error) {
	return call(a, "CancelPull", func(ctx context.Context) (pull.Info, error) { return a.be.Pull.Cancel(ctx, id) })
}

// ResumePull carries on a pull stopped by an error (offline, locked, out of
// calls) or interrupted.
func (a *App) ResumePull(id int64) (pull.Info, error) {
	return call(a, "ResumePull", func(ctx context.Context) (pull.Info, error) { return a.be.Pull.Resume(ctx, id) })
}

// DiscardPull drops a pull waiting for review; nothing was written.
func (a *App) DiscardPull(id int64) (pull.Info, error) {
	return call(a, "DiscardPull", func(ctx context.Context) (pull.Info, error) { return a.be.Pull.Discard(ctx, id) })
}

// KindRules lists the saved answers for business structures.
func (a *App) KindRules() ([]sync.KindRule, error) {
	return call(a, "KindRules", func(ctx context.Context) ([]sync.KindRule, error) { return a.be.Pull.KindRules(ctx) })
}

// DeleteKindRule forgets the saved answer for a business structure.
func (a *App) DeleteKindRule(label string) error {
	return do(a, "DeleteKindRule", func(ctx context.Context) error { return a.be.Pull.DeleteKindRule(ctx, label) })
}
