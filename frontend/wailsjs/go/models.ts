export namespace apperr {
	
	export interface Error {
	    code: string;
	    message: string;
	    hint?: string;
	    fields?: Record<string, string>;
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

