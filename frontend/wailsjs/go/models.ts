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

