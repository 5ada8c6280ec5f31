// Loads @peculiar/x509 on first use. Its algorithm registry is built with tsyringe, which refuses
// to load unless the Reflect metadata API exists; no such polyfill is a dependency here, and the
// registry stores metadata without reading any back for constructor injection, so a small
// WeakMap-backed implementation is installed first (a real polyfill already present wins). The
// import is dynamic so that the polyfill runs before it even when a bundler hoists static
// requires of external packages to the top of the output.
import type * as X509 from '@peculiar/x509';

type MetadataKey = unknown;
type Target = object;
type PerProperty = Map<string | symbol | undefined, Map<MetadataKey, unknown>>;

interface ReflectMetadata {
  defineMetadata(
    key: MetadataKey,
    value: unknown,
    target: Target,
    property?: string | symbol,
  ): void;
  getOwnMetadata(key: MetadataKey, target: Target, property?: string | symbol): unknown;
  getMetadata(key: MetadataKey, target: Target, property?: string | symbol): unknown;
  hasOwnMetadata(key: MetadataKey, target: Target, property?: string | symbol): boolean;
  hasMetadata(key: MetadataKey, target: Target, property?: string | symbol): boolean;
  metadata(key: MetadataKey, value: unknown): (target: Target, property?: string | symbol) => void;
}

export function installReflectMetadata(): void {
  const reflect = Reflect as unknown as Partial<ReflectMetadata>;
  if (typeof reflect.getMetadata === 'function') return;
  const store = new WeakMap<Target, PerProperty>();
  const own = (target: Target, property: string | symbol | undefined, create: boolean) => {
    let perProperty = store.get(target);
    if (!perProperty) {
      if (!create) return undefined;
      perProperty = new Map();
      store.set(target, perProperty);
    }
    let entries = perProperty.get(property);
    if (!entries && create) {
      entries = new Map();
      perProperty.set(property, entries);
    }
    return entries;
  };
  const implementation: ReflectMetadata = {
    defineMetadata(key, value, target, property) {
      own(target, property, true)!.set(key, value);
    },
    getOwnMetadata(key, target, property) {
      return own(target, property, false)?.get(key);
    },
    hasOwnMetadata(key, target, property) {
      return own(target, property, false)?.has(key) ?? false;
    },
    getMetadata(key, target, property) {
      for (let at: Target | null = target; at; at = Object.getPrototypeOf(at) as Target | null) {
        const entries = own(at, property, false);
        if (entries?.has(key)) return entries.get(key);
      }
      return undefined;
    },
    hasMetadata(key, target, property) {
      for (let at: Target | null = target; at; at = Object.getPrototypeOf(at) as Target | null) {
        if (own(at, property, false)?.has(key)) return true;
      }
      return false;
    },
    metadata(key, value) {
      return (target, property) => implementation.defineMetadata(key, value, target, property);
    },
  };
  Object.assign(Reflect, implementation);
}

let loading: Promise<typeof X509> | undefined;

export function loadX509(): Promise<typeof X509> {
  installReflectMetadata();
  loading ??= import('@peculiar/x509');
  return loading;
}
