/**
 * Contact property definitions (CRM v3 Properties API): the built-in ones a portal starts with, and the
 * rules for creating custom ones. Shapes follow @hubspot/api-client crm/properties models (Property,
 * PropertyCreate, PropertyUpdate, PropertyGroup).
 */
import { HubSpotApiError, errorBody, validation } from './errors';

export interface PropertyOption {
  label: string;
  value: string;
  hidden: boolean;
  displayOrder?: number;
  description?: string;
}

export interface PropertyDefinition {
  name: string;
  label: string;
  type: string;
  fieldType: string;
  groupName: string;
  description: string;
  options: PropertyOption[];
  displayOrder: number;
  hasUniqueValue: boolean;
  hidden: boolean;
  formField: boolean;
  hubspotDefined: boolean;
  calculated: boolean;
  externalOptions: boolean;
  archived: boolean;
  createdAt?: string;
  updatedAt?: string;
  archivedAt?: string;
  modificationMetadata: { archivable: boolean; readOnlyDefinition: boolean; readOnlyValue: boolean };
}

export interface PropertyGroup {
  name: string;
  label: string;
  displayOrder: number;
  archived: boolean;
}

export const PROPERTY_TYPES = ['string', 'number', 'date', 'datetime', 'enumeration', 'bool'] as const;
export const FIELD_TYPES = [
  'text',
  'textarea',
  'date',
  'file',
  'number',
  'select',
  'radio',
  'checkbox',
  'booleancheckbox',
  'calculation_equation',
  'html',
  'phonenumber',
] as const;

/** HubSpot allows at most 10 unique-value properties per object type (changelog "Unique properties for contacts"). */
export const MAX_UNIQUE_PROPERTIES = 10;

export const DEFAULT_GROUPS: PropertyGroup[] = [
  { name: 'contactinformation', label: 'Contact information', displayOrder: -1, archived: false },
  { name: 'emailinformation', label: 'Email information', displayOrder: -1, archived: false },
  { name: 'conversioninformation', label: 'Conversion information', displayOrder: -1, archived: false },
];

const LIFECYCLE_STAGES = [
  'subscriber',
  'lead',
  'marketingqualifiedlead',
  'salesqualifiedlead',
  'opportunity',
  'customer',
  'evangelist',
  'other',
];

function builtIn(
  name: string,
  label: string,
  type = 'string',
  fieldType = 'text',
  extra: Partial<PropertyDefinition> = {},
): PropertyDefinition {
  return {
    name,
    label,
    type,
    fieldType,
    groupName: 'contactinformation',
    description: '',
    options: [],
    displayOrder: -1,
    hasUniqueValue: false,
    hidden: false,
    formField: true,
    hubspotDefined: true,
    calculated: false,
    externalOptions: false,
    archived: false,
    modificationMetadata: { archivable: false, readOnlyDefinition: true, readOnlyValue: false },
    ...extra,
  };
}

const readOnly = { archivable: false, readOnlyDefinition: true, readOnlyValue: true };

/** A subset of HubSpot's default contact properties: the ones this pipeline (and a person poking at it) uses. */
export function defaultProperties(): PropertyDefinition[] {
  return [
    builtIn('email', 'Email'),
    builtIn('firstname', 'First Name'),
    builtIn('lastname', 'Last Name'),
    builtIn('jobtitle', 'Job Title'),
    builtIn('company', 'Company Name'),
    builtIn('phone', 'Phone Number', 'string', 'phonenumber'),
    builtIn('mobilephone', 'Mobile Phone Number', 'string', 'phonenumber'),
    builtIn('city', 'City'),
    builtIn('state', 'State/Region'),
    builtIn('country', 'Country/Region'),
    builtIn('zip', 'Postal Code'),
    builtIn('website', 'Website URL'),
    builtIn('industry', 'Industry'),
    builtIn('lifecyclestage', 'Lifecycle Stage', 'enumeration', 'radio', {
      options: LIFECYCLE_STAGES.map((v, i) => ({ label: v, value: v, hidden: false, displayOrder: i })),
    }),
    builtIn('hs_object_id', 'Record ID', 'number', 'number', { modificationMetadata: readOnly }),
    builtIn('createdate', 'Create Date', 'datetime', 'date', { modificationMetadata: readOnly }),
    builtIn('lastmodifieddate', 'Last Modified Date', 'datetime', 'date', { modificationMetadata: readOnly }),
  ];
}

const NAME_RE = /^[a-z][a-z0-9_]*$/;

function str(o: Record<string, unknown>, key: string, required: boolean): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) {
    if (required) throw validation(`Property ${key} is required`, { context: { missingField: [key] } });
    return undefined;
  }
  if (typeof v !== 'string') throw validation(`Property ${key} must be a string`);
  return v;
}

function parseOptions(v: unknown): PropertyOption[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) throw validation('options must be an array');
  return v.map((raw, i) => {
    const o = raw as Record<string, unknown>;
    if (typeof o?.label !== 'string' || typeof o?.value !== 'string') {
      throw validation('each option needs a string label and value');
    }
    return {
      label: o.label,
      value: o.value,
      hidden: o.hidden === true,
      displayOrder: typeof o.displayOrder === 'number' ? o.displayOrder : i,
      ...(typeof o.description === 'string' ? { description: o.description } : {}),
    };
  });
}

/** Validates a PropertyCreate body against the existing definitions; returns the new definition. */
export function createProperty(
  input: unknown,
  existing: Map<string, PropertyDefinition>,
  groups: Map<string, PropertyGroup>,
  now: string,
): PropertyDefinition {
  if (typeof input !== 'object' || input === null) throw validation('Invalid input JSON: expected an object');
  const o = input as Record<string, unknown>;
  const name = str(o, 'name', true) as string;
  const label = str(o, 'label', true) as string;
  const type = str(o, 'type', true) as string;
  const fieldType = str(o, 'fieldType', true) as string;
  const groupName = str(o, 'groupName', true) as string;
  if (!NAME_RE.test(name)) {
    throw validation(`Property name ${name} is invalid: use lowercase letters, digits and underscores`);
  }
  if (!(PROPERTY_TYPES as readonly string[]).includes(type))
    throw validation(`Invalid property type ${type}`);
  if (!(FIELD_TYPES as readonly string[]).includes(fieldType)) {
    throw validation(`Invalid property fieldType ${fieldType}`);
  }
  const group = groups.get(groupName);
  if (group === undefined || group.archived) throw validation(`Property group ${groupName} does not exist`);
  const current = existing.get(name);
  if (current !== undefined && !current.archived) {
    throw new HubSpotApiError(
      409,
      errorBody('OBJECT_ALREADY_EXISTS', `Property named '${name}' already exists.`),
    );
  }
  const hasUniqueValue = o.hasUniqueValue === true;
  if (hasUniqueValue) {
    const unique = [...existing.values()].filter((p) => p.hasUniqueValue && !p.archived).length;
    if (unique >= MAX_UNIQUE_PROPERTIES) {
      throw validation(
        `Cannot create more than ${MAX_UNIQUE_PROPERTIES} unique properties for this object type`,
      );
    }
  }
  const options = parseOptions(o.options) ?? [];
  if (type === 'enumeration' && options.length === 0 && fieldType !== 'booleancheckbox') {
    throw validation('Enumeration properties need at least one option');
  }
  return {
    name,
    label,
    type,
    fieldType,
    groupName,
    description: str(o, 'description', false) ?? '',
    options,
    displayOrder: typeof o.displayOrder === 'number' ? o.displayOrder : -1,
    hasUniqueValue,
    hidden: o.hidden === true,
    formField: o.formField === true,
    hubspotDefined: false,
    calculated: false,
    externalOptions: o.externalOptions === true,
    archived: false,
    createdAt: now,
    updatedAt: now,
    modificationMetadata: { archivable: true, readOnlyDefinition: false, readOnlyValue: false },
  };
}

/** Applies a PropertyUpdate body. hasUniqueValue and name are not part of PropertyUpdate: refuse changes. */
export function updateProperty(
  current: PropertyDefinition,
  input: unknown,
  groups: Map<string, PropertyGroup>,
  now: string,
): PropertyDefinition {
  if (typeof input !== 'object' || input === null) throw validation('Invalid input JSON: expected an object');
  const o = input as Record<string, unknown>;
  if (current.modificationMetadata.readOnlyDefinition) {
    throw validation(`Property ${current.name} is a HubSpot-defined property and cannot be modified`);
  }
  if (o.hasUniqueValue !== undefined && o.hasUniqueValue !== current.hasUniqueValue) {
    throw validation('hasUniqueValue can only be set when a property is created');
  }
  if (o.name !== undefined && o.name !== current.name) throw validation('A property cannot be renamed');
  const next: PropertyDefinition = { ...current, updatedAt: now };
  const label = str(o, 'label', false);
  if (label !== undefined) next.label = label;
  const description = str(o, 'description', false);
  if (description !== undefined) next.description = description;
  const groupName = str(o, 'groupName', false);
  if (groupName !== undefined) {
    const g = groups.get(groupName);
    if (g === undefined || g.archived) throw validation(`Property group ${groupName} does not exist`);
    next.groupName = groupName;
  }
  const type = str(o, 'type', false);
  if (type !== undefined) {
    if (!(PROPERTY_TYPES as readonly string[]).includes(type))
      throw validation(`Invalid property type ${type}`);
    next.type = type;
  }
  const fieldType = str(o, 'fieldType', false);
  if (fieldType !== undefined) {
    if (!(FIELD_TYPES as readonly string[]).includes(fieldType)) {
      throw validation(`Invalid property fieldType ${fieldType}`);
    }
    next.fieldType = fieldType;
  }
  const options = parseOptions(o.options);
  if (options !== undefined) next.options = options;
  if (typeof o.displayOrder === 'number') next.displayOrder = o.displayOrder;
  if (typeof o.hidden === 'boolean') next.hidden = o.hidden;
  if (typeof o.formField === 'boolean') next.formField = o.formField;
  return next;
}

export function createGroup(input: unknown, groups: Map<string, PropertyGroup>): PropertyGroup {
  if (typeof input !== 'object' || input === null) throw validation('Invalid input JSON: expected an object');
  const o = input as Record<string, unknown>;
  const name = str(o, 'name', true) as string;
  const label = str(o, 'label', true) as string;
  if (!NAME_RE.test(name)) throw validation(`Property group name ${name} is invalid`);
  const current = groups.get(name);
  if (current !== undefined && !current.archived) {
    throw new HubSpotApiError(
      409,
      errorBody('OBJECT_ALREADY_EXISTS', `Property group named '${name}' already exists.`),
    );
  }
  return {
    name,
    label,
    displayOrder: typeof o.displayOrder === 'number' ? o.displayOrder : -1,
    archived: false,
  };
}

export function updateGroup(current: PropertyGroup, input: unknown): PropertyGroup {
  if (typeof input !== 'object' || input === null) throw validation('Invalid input JSON: expected an object');
  const o = input as Record<string, unknown>;
  const next = { ...current };
  const label = str(o, 'label', false);
  if (label !== undefined) next.label = label;
  if (typeof o.displayOrder === 'number') next.displayOrder = o.displayOrder;
  return next;
}
