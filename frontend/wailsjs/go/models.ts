export namespace apperr {
	
	export interface Error {
	    code: string;
	    message: string;
	    hint?: string;
	    fields?: Record<string, string>;
	}

}

export namespace connection {
	
	export interface Attempt {
	    attemptId: string;
	    browserUrl: string;
	    redirectUri: string;
	    // Go type: time
	    expiresAt: any;
	    browserOpened: boolean;
	    browserError?: string;
	    environment: string;
	}
	export interface ChecklistItem {
	    title: string;
	    detail: string;
	}
	export interface ParkedLinks {
	    tenantId: string;
	    tenantName: string;
	    groups: number;
	    entities: number;
	    relationships: number;
	}
	export interface Status {
	    state: string;
	    label: string;
	    environment: string;
	    sandbox: boolean;
	    tenantId?: string;
	    tenantName?: string;
	    connectedBy?: string;
	    connectedEmail?: string;
	    // Go type: time
	    connectedAt?: any;
	    scopes?: string[];
	    reason?: string;
	    activeLinks: store.LinkCounts;
	    parkedLinks: ParkedLinks[];
	    connectAttemptId?: string;
	}
	export interface DisconnectResult {
	    status: Status;
	    revoked: boolean;
	    warning?: string;
	    keptLinks: store.LinkCounts;
	}
	
	export interface Settings {
	    environment: string;
	    clientId: string;
	    hasClientSecret: boolean;
	    callbackPort: number;
	    redirectUri: string;
	    apiBaseUrl: string;
	    scopes: string[];
	    sandboxClientId: string;
	    locked: boolean;
	    checklist: ChecklistItem[];
	}
	export interface SettingsInput {
	    environment: string;
	    clientId: string;
	    clientSecret: string;
	    clearClientSecret: boolean;
	    callbackPort: number;
	    apiBaseUrl: string;
	}
	
	export interface TestResult {
	    ok: boolean;
	    verdict: string;
	    fix?: string;
	    tenantId: string;
	    practiceName: string;
	    durationMs: number;
	    callsLeftThisMinute?: number;
	    callsLeftToday?: number;
	    scopes: string[];
	    missingScopes: string[];
	    // Go type: time
	    checkedAt: any;
	}

}

export namespace groupsync {
	
	export interface BulkItem {
	    xpmGroupUuid: string;
	    localGroupId: number;
	}
	export interface Tenant {
	    id: string;
	    name: string;
	}
	export interface Connection {
	    state: string;
	    tenant: Tenant;
	    readOnly: boolean;
	    message?: string;
	    hint?: string;
	}
	export interface Counts {
	    total: number;
	    linked: number;
	    unlinked: number;
	    deleted: number;
	}
	export interface ExportMember {
	    entityId: number;
	    name: string;
	    xpmClientUuid: string;
	    inXpm: boolean;
	}
	export interface LinkInfo {
	    localGroupId?: number;
	    localGroupName: string;
	    // Go type: time
	    linkedAt: any;
	    // Go type: time
	    lastPulledAt?: any;
	}
	export interface XPMGroupRow {
	    uuid: string;
	    name: string;
	    memberCount?: number;
	    taxable: string;
	    webUrl: string;
	    // Go type: time
	    firstSeenAt: any;
	    // Go type: time
	    lastSeenAt: any;
	    // Go type: time
	    changedAt: any;
	    deletedInXpm: boolean;
	    // Go type: time
	    deletedAt?: any;
	    link?: LinkInfo;
	}
	export interface ExportPreview {
	    localGroupId: number;
	    localGroupName: string;
	    members: ExportMember[];
	    firstMember?: ExportMember;
	    inXpmCount: number;
	    alreadyLinked: boolean;
	    canExport: boolean;
	    reason?: string;
	    hint?: string;
	    sameName: XPMGroupRow[];
	}
	export interface ExportResult {
	    localGroupId: number;
	    localGroupName: string;
	    xpmGroup: XPMGroupRow;
	    membersAdded: number;
	    membersNotInXpm: string[];
	    warning?: string;
	    message: string;
	}
	export interface Filter {
	    query: string;
	    status: string;
	    sort: string;
	    desc: boolean;
	}
	export interface GroupList {
	    connection: Connection;
	    // Go type: time
	    discoveredAt?: any;
	    refreshing?: jobs.Info;
	    counts: Counts;
	    groups: XPMGroupRow[];
	}
	
	export interface LinkResult {
	    localGroup: model.Group;
	    xpmGroup: XPMGroupRow;
	    created: boolean;
	    alreadyLinked: boolean;
	    message: string;
	}
	export interface Scored {
	    id: number;
	    name: string;
	    entityCount: number;
	    score: number;
	}
	export interface Suggestions {
	    xpmGroupUuid: string;
	    xpmGroupName: string;
	    best?: Scored;
	    candidates: Scored[];
	}
	
	export interface UnlinkPreview {
	    localGroupId: number;
	    localGroupName: string;
	    xpmGroupUuid: string;
	    xpmGroupName: string;
	    entityCount: number;
	    relationshipCount: number;
	    hasBase: boolean;
	    message: string;
	}
	export interface UnlinkResult {
	    localGroupId: number;
	    localGroupName: string;
	    xpmGroupUuid: string;
	    xpmGroupName: string;
	    message: string;
	}

}

export namespace jobs {
	
	export interface Info {
	    id: number;
	    kind: string;
	    title: string;
	    state: string;
	    stage: string;
	    done: number;
	    total: number;
	    message: string;
	    etaSeconds: number;
	    callsLeftToday?: number;
	    canceling: boolean;
	    interrupted: boolean;
	    resumable: boolean;
	    final: boolean;
	    summary?: any;
	    error?: apperr.Error;
	    // Go type: time
	    createdAt: any;
	    // Go type: time
	    startedAt?: any;
	    // Go type: time
	    finishedAt?: any;
	    // Go type: time
	    updatedAt: any;
	}

}

export namespace main {
	
	export interface AppInfo {
	    version: string;
	    dataDir: string;
	    logFile: string;
	    startupError?: apperr.Error;
	}

}

export namespace model {
	
	export interface Entity {
	    id: number;
	    kind: string;
	    trustType: string;
	    givenName: string;
	    familyName: string;
	    legalName: string;
	    tradingName: string;
	    dateOfBirth: string;
	    abn: string;
	    acn: string;
	    email: string;
	    phone: string;
	    address: string;
	    notes: string;
	    tfnLast3: string;
	    displayName: string;
	    // Go type: time
	    createdAt: any;
	    // Go type: time
	    updatedAt: any;
	}
	export interface EntityInput {
	    kind: string;
	    trustType: string;
	    givenName: string;
	    familyName: string;
	    legalName: string;
	    tradingName: string;
	    dateOfBirth: string;
	    abn: string;
	    acn: string;
	    email: string;
	    phone: string;
	    address: string;
	    notes: string;
	    tfn?: string;
	}
	export interface Group {
	    id: number;
	    name: string;
	    notes: string;
	    // Go type: time
	    createdAt: any;
	    // Go type: time
	    updatedAt: any;
	}
	export interface Relationship {
	    id: number;
	    fromId: number;
	    toId: number;
	    type: string;
	    numberOfShares?: number;
	    percentage?: number;
	    startDate: string;
	    endDate: string;
	    notes: string;
	    // Go type: time
	    createdAt: any;
	    // Go type: time
	    updatedAt: any;
	}
	export interface GroupDetail {
	    id: number;
	    name: string;
	    notes: string;
	    // Go type: time
	    createdAt: any;
	    // Go type: time
	    updatedAt: any;
	    entities: Entity[];
	    relationships: Relationship[];
	    external: Entity[];
	    linked: boolean;
	}
	export interface GroupSummary {
	    id: number;
	    name: string;
	    notes: string;
	    // Go type: time
	    createdAt: any;
	    // Go type: time
	    updatedAt: any;
	    entityCount: number;
	    relationshipCount: number;
	    linked: boolean;
	    // Go type: time
	    lastChangedAt: any;
	}
	
	export interface RelationshipInput {
	    fromId: number;
	    toId: number;
	    type: string;
	    numberOfShares?: number;
	    percentage?: number;
	    startDate: string;
	    endDate: string;
	    notes: string;
	}
	export interface RelationshipType {
	    code: string;
	    label: string;
	    inverseLabel: string;
	    symmetric: boolean;
	    allowsShares: boolean;
	    allowsPercentage: boolean;
	    fromKinds: string[];
	    toKinds: string[];
	    maxPerTarget: number;
	    xpmFromSide: string;
	    xpmToSide: string;
	}

}

export namespace pull {
	
	export interface GroupRef {
	    xpmUuid: string;
	    name: string;
	    localGroupId: number;
	    localName: string;
	    members: number;
	    // Go type: time
	    lastPulledAt?: any;
	    read: boolean;
	    applied: boolean;
	    gone?: boolean;
	}
	export interface Estimate {
	    groups: GroupRef[];
	    readPlan: sync.ReadPlan;
	    calls: number;
	    seconds: number;
	    callsLeftToday: number;
	    fitsToday: boolean;
	    message: string;
	}
	
	export interface SkipNote {
	    key?: string;
	    title: string;
	    why: string;
	}
	export interface GroupResult {
	    xpmUuid: string;
	    name: string;
	    localGroupId: number;
	    applied: boolean;
	    created: number;
	    updated: number;
	    linked: number;
	    membersAdded: number;
	    membersRemoved: number;
	    relationshipsCreated: number;
	    relationshipsUpdated: number;
	    relationshipsLinked: number;
	    relationshipsDeleted: number;
	    skipped?: SkipNote[];
	    problem?: string;
	}
	export interface Result {
	    groups: GroupResult[];
	    created: number;
	    updated: number;
	    linked: number;
	    membersAdded: number;
	    membersRemoved: number;
	    relationshipsCreated: number;
	    relationshipsUpdated: number;
	    relationshipsLinked: number;
	    relationshipsDeleted: number;
	    unchanged: number;
	    skipped: SkipNote[];
	    skippedTotal: number;
	    flagged: number;
	    changes: number;
	    groupsApplied: number;
	    message: string;
	}
	export interface Info {
	    id: number;
	    state: string;
	    title: string;
	    tenantId: string;
	    groups: GroupRef[];
	    readPlan: sync.ReadPlan;
	    summary?: sync.Summary;
	    result?: Result;
	    readJobId?: number;
	    applyJobId?: number;
	    calls: number;
	    error?: apperr.Error;
	    // Go type: time
	    createdAt: any;
	    // Go type: time
	    updatedAt: any;
	}
	export interface Request {
	    xpmGroupUuids: string[];
	    localGroupIds: number[];
	    all: boolean;
	    fullRead: boolean;
	    strategy?: string;
	}
	
	export interface Review {
	    pull: Info;
	    summary: sync.Summary;
	    groups: sync.GroupPlan[];
	    rules: sync.KindRule[];
	    items: sync.Item[];
	    total: number;
	    offset: number;
	}
	export interface ReviewQuery {
	    filter: string;
	    groupUuid: string;
	    search: string;
	    offset: number;
	    limit: number;
	}

}

export namespace store {
	
	export interface LinkCounts {
	    tenantId: string;
	    groups: number;
	    entities: number;
	    relationships: number;
	}

}

export namespace structure {
	
	export interface DeletePreview {
	    groupId: number;
	    groupName: string;
	    orphanEntities: model.Entity[];
	    sharedEntities: model.Entity[];
	    orphanRelationshipCount: number;
	    linkedOrphanCount: number;
	    linked: boolean;
	    xpmGroupUuid: string;
	}

}

export namespace sync {
	
	export interface Candidate {
	    entityId: number;
	    name: string;
	    kind: string;
	    level: string;
	    reason: string;
	}
	export interface Counts {
	    create: number;
	    update: number;
	    link: number;
	    unchanged: number;
	    skip: number;
	    add: number;
	    remove: number;
	    keep: number;
	}
	export interface Decision {
	    key: string;
	    action?: string;
	    entityId?: number;
	    kind?: string;
	    trustType?: string;
	    saveRule?: boolean;
	    fields?: Record<string, string>;
	}
	export interface EntityValues {
	    kind: string;
	    trustType: string;
	    displayName: string;
	    givenName?: string;
	    familyName?: string;
	    legalName?: string;
	    dateOfBirth?: string;
	    abn?: string;
	    acn?: string;
	    email?: string;
	    phone?: string;
	    address?: string;
	}
	export interface KindGuess {
	    kind: string;
	    trustType: string;
	    source: string;
	    label: string;
	    reason: string;
	}
	export interface EntityPart {
	    xpmUuid: string;
	    xpmName: string;
	    businessStructure?: string;
	    kind: KindGuess;
	    entityId?: number;
	    entityName?: string;
	    match: string;
	    candidates?: Candidate[];
	    referenced?: boolean;
	    groups?: string[];
	    values: EntityValues;
	}
	
	export interface FieldChange {
	    field: string;
	    label: string;
	    local: string;
	    xpm: string;
	    base?: string;
	    conflict?: boolean;
	    apply: boolean;
	}
	export interface Flag {
	    code: string;
	    level: string;
	    message: string;
	    field?: string;
	}
	export interface GroupPlan {
	    uuid: string;
	    name: string;
	    localGroupId: number;
	    localName: string;
	    members: number;
	    changes: number;
	    needInput: number;
	    gone?: boolean;
	    problem?: string;
	}
	export interface Option {
	    action: string;
	    label: string;
	    entityId?: number;
	}
	export interface MemberPart {
	    groupUuid: string;
	    groupName: string;
	    localGroupId: number;
	    xpmUuid: string;
	    entityName: string;
	    entityId?: number;
	}
	export interface RelPart {
	    xpmUuid?: string;
	    xpmType: string;
	    type?: string;
	    fromUuid: string;
	    toUuid: string;
	    fromName: string;
	    toName: string;
	    relationshipId?: number;
	    numberOfShares?: number;
	    percentage?: number;
	    startDate?: string;
	    endDate?: string;
	    notes?: string;
	    crossGroup?: boolean;
	}
	export interface Item {
	    key: string;
	    type: string;
	    action: string;
	    title: string;
	    detail: string;
	    groups?: string[];
	    entity?: EntityPart;
	    relationship?: RelPart;
	    membership?: MemberPart;
	    changes?: FieldChange[];
	    flags?: Flag[];
	    needsInput: boolean;
	    suggested?: Decision;
	    decision?: Decision;
	    options?: Option[];
	    problem?: string;
	}
	
	export interface KindRule {
	    label: string;
	    kind: string;
	    trustType: string;
	}
	
	
	export interface ReadPlan {
	    strategy: string;
	    calls: number;
	    duration: number;
	    // Go type: time
	    modifiedSince: any;
	    reason: string;
	    altCalls: number;
	    altDuration: number;
	}
	
	export interface Summary {
	    entities: Counts;
	    relationships: Counts;
	    memberships: Counts;
	    needInput: number;
	    flagged: number;
	    conflicts: number;
	    changes: number;
	    message: string;
	}

}

export namespace twofa {
	
	export interface Status {
	    enabled: boolean;
	    // Go type: time
	    enabledAt: any;
	    required: boolean;
	    locked: boolean;
	    idleExpired: boolean;
	    codeNeededToConnect: boolean;
	    recoveryCodesLeft: number;
	    idleLockHours: number;
	    enrolmentPending: boolean;
	}
	export interface Confirmation {
	    recoveryCodes: string[];
	    status: Status;
	}
	export interface Enrolment {
	    secret: string;
	    qrCodeDataUrl: string;
	    issuer: string;
	    accountName: string;
	    digits: number;
	    periodSeconds: number;
	    // Go type: time
	    expiresAt: any;
	}

}

