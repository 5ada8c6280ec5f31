// Every SQL statement of the inventory, all prepared, none built from input: the list query is
// assembled from fixed fragments chosen by the parsed query, and user text reaches FTS5 only as
// quoted phrases. Device writes go through insertDevice/updateDevice, whose triggers append the
// change feed; callers wrap several writes in one transaction.
import type {
  ColumnMapping,
  Criticality,
  DeviceFacets,
  DevicePage,
  DeviceQueryParsed,
  DeviceRecord,
  DeviceSortField,
  LifecycleState,
  SavedMapping,
} from '../../src-preload/contract';
import { ColumnMapping as ColumnMappingSchema } from '../../src-preload/contract';
import type { SqliteDatabase } from '../store/database';
import type { DeviceFields, DeviceIdentity } from './device-fields';
import { parseMacAddress } from './device-fields';

const recordColumns = `
  id, uid, asset_tag AS assetTag, manufacturer, model, serial_number AS serialNumber,
  udi_di AS udiDeviceIdentifier, udi_pi AS udiProductionIdentifier, udi_issuer AS udiIssuer,
  device_class AS deviceClass, criticality, site, building, floor, room, bed, department,
  mac_address AS macAddress, ip_address AS ipAddress, hostname, firmware_version AS firmwareVersion,
  lifecycle_state AS lifecycleState, end_of_life AS endOfLife, notes, revision,
  created_at AS createdAt, updated_at AS updatedAt`;

// The same order as the generated columns criticality_rank and lifecycle_rank in migration 0001;
// a test holds the two together.
export const criticalityRanks: Record<Criticality, number> = {
  life_sustaining: 0,
  high: 1,
  medium: 2,
  low: 3,
  unassessed: 4,
};
export const lifecycleRanks: Record<LifecycleState, number> = {
  received: 0,
  in_service: 1,
  quarantined: 2,
  decommissioned: 3,
};

// Each sort names an indexed expression. SQLite puts NULLs first in ascending order.
const sortExpressions: Record<DeviceSortField, string> = {
  assetTag: 'asset_tag COLLATE NOCASE',
  manufacturer: 'manufacturer COLLATE NOCASE',
  model: 'model COLLATE NOCASE',
  serialNumber: 'serial_number COLLATE NOCASE',
  deviceClass: 'device_class',
  criticality: 'criticality_rank',
  site: 'site COLLATE NOCASE',
  lifecycleState: 'lifecycle_rank',
  updatedAt: 'updated_at',
};

/**
 * The FTS5 query for free text: every whitespace-separated term must match as a prefix. Each term
 * becomes a quoted phrase (inner quotes doubled) followed by `*`, so FTS5 syntax in the input is
 * only ever text. A term in any MAC address notation is searched in the stored colon form. Terms
 * without a letter or digit carry no token and are dropped; null when no term is left.
 */
export function buildSearchExpression(text: string): string | null {
  const phrases: string[] = [];
  for (const term of text.split(/\s+/)) {
    if (!/[\p{L}\p{N}]/u.test(term)) continue;
    const searched = parseMacAddress(term) ?? term;
    phrases.push(`"${searched.replaceAll('"', '""')}"*`);
  }
  return phrases.length === 0 ? null : phrases.join(' AND ');
}

/** The stored form of a device: every field present, with the identity key beside it. */
export interface StoredDeviceFields extends DeviceFields {
  manufacturerKey: string;
}

export interface DeviceRepository {
  findById(id: number): DeviceRecord | null;
  findByIdentity(identity: DeviceIdentity): DeviceRecord | null;
  insertDevice(uid: string, fields: StoredDeviceFields, atIso: string): number;
  /** Writes `fields` over the device, raising its revision by one. */
  updateDevice(id: number, fields: StoredDeviceFields, atIso: string): void;
  list(query: DeviceQueryParsed): DevicePage;
  facets(): DeviceFacets;
  /** Every device in id order, read lazily. */
  iterateDevices(): IterableIterator<DeviceRecord>;
  listMappings(): SavedMapping[];
  saveMapping(name: string, mapping: ColumnMapping, atIso: string): void;
  transaction<T>(work: () => T): T;
}

export function createDeviceRepository(db: SqliteDatabase): DeviceRepository {
  const selectById = db.prepare<[number], DeviceRecord>(
    `SELECT ${recordColumns} FROM devices WHERE id = ?`,
  );
  const selectByIdentity = db.prepare<[string, string], DeviceRecord>(
    `SELECT ${recordColumns} FROM devices WHERE manufacturer_key = ? AND serial_number = ?`,
  );
  const insert = db.prepare<[Record<string, string | number | null>]>(`
    INSERT INTO devices (uid, asset_tag, manufacturer, manufacturer_key, model, serial_number,
      udi_di, udi_pi, udi_issuer, device_class, criticality, site, building, floor, room, bed,
      department, mac_address, ip_address, hostname, firmware_version, lifecycle_state,
      end_of_life, notes, revision, created_at, updated_at)
    VALUES (@uid, @assetTag, @manufacturer, @manufacturerKey, @model, @serialNumber,
      @udiDeviceIdentifier, @udiProductionIdentifier, @udiIssuer, @deviceClass, @criticality,
      @site, @building, @floor, @room, @bed, @department, @macAddress, @ipAddress, @hostname,
      @firmwareVersion, @lifecycleState, @endOfLife, @notes, 1, @at, @at)`);
  const update = db.prepare<[Record<string, string | number | null>]>(`
    UPDATE devices SET asset_tag = @assetTag, manufacturer = @manufacturer,
      manufacturer_key = @manufacturerKey, model = @model, serial_number = @serialNumber,
      udi_di = @udiDeviceIdentifier, udi_pi = @udiProductionIdentifier, udi_issuer = @udiIssuer,
      device_class = @deviceClass, criticality = @criticality, site = @site,
      building = @building, floor = @floor, room = @room, bed = @bed, department = @department,
      mac_address = @macAddress, ip_address = @ipAddress, hostname = @hostname,
      firmware_version = @firmwareVersion, lifecycle_state = @lifecycleState,
      end_of_life = @endOfLife, notes = @notes, revision = revision + 1, updated_at = @at
    WHERE id = @id`);
  const selectAll = db.prepare<[], DeviceRecord>(
    `SELECT ${recordColumns} FROM devices ORDER BY id`,
  );
  const countAll = db.prepare<[], { total: number }>('SELECT count(*) AS total FROM devices');
  const selectSites = db.prepare<[], { value: string }>(
    `SELECT site AS value FROM devices WHERE site IS NOT NULL
     GROUP BY site COLLATE NOCASE ORDER BY site COLLATE NOCASE`,
  );
  const selectBuildings = db.prepare<[], { value: string }>(
    `SELECT building AS value FROM devices WHERE building IS NOT NULL
     GROUP BY building COLLATE NOCASE ORDER BY building COLLATE NOCASE`,
  );
  const selectMappings = db.prepare<[], { name: string; mappingJson: string }>(
    'SELECT name, mapping_json AS mappingJson FROM import_mappings ORDER BY name',
  );
  const upsertMapping = db.prepare<[string, string, string]>(
    `INSERT INTO import_mappings (name, mapping_json, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET mapping_json = excluded.mapping_json,
       updated_at = excluded.updated_at`,
  );

  // At most 2^6 filter combinations × 9 sorts × 2 directions: a bounded cache.
  const listStatements = new Map<string, ReturnType<typeof db.prepare>>();
  function prepared(sql: string): ReturnType<typeof db.prepare> {
    let statement = listStatements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      listStatements.set(sql, statement);
    }
    return statement;
  }

  function storedParameters(fields: StoredDeviceFields): Record<string, string | null> {
    return {
      assetTag: fields.assetTag,
      manufacturer: fields.manufacturer,
      manufacturerKey: fields.manufacturerKey,
      model: fields.model,
      serialNumber: fields.serialNumber,
      udiDeviceIdentifier: fields.udiDeviceIdentifier,
      udiProductionIdentifier: fields.udiProductionIdentifier,
      udiIssuer: fields.udiIssuer,
      deviceClass: fields.deviceClass,
      criticality: fields.criticality,
      site: fields.site,
      building: fields.building,
      floor: fields.floor,
      room: fields.room,
      bed: fields.bed,
      department: fields.department,
      macAddress: fields.macAddress,
      ipAddress: fields.ipAddress,
      hostname: fields.hostname,
      firmwareVersion: fields.firmwareVersion,
      lifecycleState: fields.lifecycleState,
      endOfLife: fields.endOfLife,
      notes: fields.notes,
    };
  }

  return {
    findById: (id) => selectById.get(id) ?? null,
    findByIdentity: (identity) =>
      selectByIdentity.get(identity.manufacturerKey, identity.serialNumber) ?? null,
    insertDevice(uid, fields, atIso) {
      const result = insert.run({ ...storedParameters(fields), uid, at: atIso });
      return Number(result.lastInsertRowid);
    },
    updateDevice(id, fields, atIso) {
      update.run({ ...storedParameters(fields), id, at: atIso });
    },
    list(query) {
      const conditions: string[] = [];
      const parameters: Record<string, string | number> = {};
      const match = query.text === undefined ? null : buildSearchExpression(query.text);
      if (match !== null) {
        conditions.push(
          'id IN (SELECT rowid FROM devices_search WHERE devices_search MATCH @match)',
        );
        parameters.match = match;
      }
      if (query.deviceClass !== undefined) {
        conditions.push('device_class = @deviceClass');
        parameters.deviceClass = query.deviceClass;
      }
      if (query.criticality !== undefined) {
        conditions.push('criticality_rank = @criticalityRank');
        parameters.criticalityRank = criticalityRanks[query.criticality];
      }
      if (query.site !== undefined) {
        conditions.push('site = @site COLLATE NOCASE');
        parameters.site = query.site;
      }
      if (query.building !== undefined) {
        conditions.push('building = @building COLLATE NOCASE');
        parameters.building = query.building;
      }
      if (query.lifecycleState !== undefined) {
        conditions.push('lifecycle_rank = @lifecycleRank');
        parameters.lifecycleRank = lifecycleRanks[query.lifecycleState];
      }
      const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
      const direction = query.descending ? 'DESC' : 'ASC';
      const order = `ORDER BY ${sortExpressions[query.sort]} ${direction}, id ${direction}`;
      const total = (
        prepared(`SELECT count(*) AS total FROM devices ${where}`).get(parameters) as {
          total: number;
        }
      ).total;
      const rows = prepared(
        `SELECT ${recordColumns} FROM devices ${where} ${order} LIMIT @limit OFFSET @offset`,
      ).all({ ...parameters, limit: query.limit, offset: query.offset }) as DeviceRecord[];
      return { total, offset: query.offset, rows };
    },
    facets() {
      return {
        total: countAll.get()?.total ?? 0,
        sites: selectSites.all().map((row) => row.value),
        buildings: selectBuildings.all().map((row) => row.value),
      };
    },
    iterateDevices: () => selectAll.iterate(),
    listMappings() {
      return selectMappings.all().map((row) => ({
        name: row.name,
        mapping: ColumnMappingSchema.parse(JSON.parse(row.mappingJson)),
      }));
    },
    saveMapping(name, mapping, atIso) {
      upsertMapping.run(name, JSON.stringify(mapping), atIso);
    },
    transaction: (work) => db.transaction(work)(),
  };
}
