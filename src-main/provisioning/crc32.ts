// CRC-32 as in IEEE 802.3 and zlib (reflected polynomial 0xEDB88320, initial value and final XOR
// 0xFFFFFFFF): the check value every provisioning frame carries. Table-driven, eight bytes per
// step ("slicing by 8"), so checking a frame costs far less than reading it off the wire.

const polynomial = 0xedb88320;

/** tables[k][b]: the CRC contribution of byte b seen k bytes before the end of an 8-byte block. */
const tables: Uint32Array[] = (() => {
  const made = Array.from({ length: 8 }, () => new Uint32Array(256));
  const first = made[0]!;
  for (let byte = 0; byte < 256; byte++) {
    let value = byte;
    for (let bit = 0; bit < 8; bit++) value = value & 1 ? (value >>> 1) ^ polynomial : value >>> 1;
    first[byte] = value >>> 0;
  }
  for (let byte = 0; byte < 256; byte++) {
    let value = first[byte]!;
    for (let k = 1; k < 8; k++) {
      value = (value >>> 8) ^ first[value & 0xff]!;
      made[k]![byte] = value >>> 0;
    }
  }
  return made;
})();

const [t0, t1, t2, t3, t4, t5, t6, t7] = tables as [
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
];

/**
 * The CRC-32 of `data[start, end)`. Pass the result of a previous call as `previous` to continue
 * over data that arrives in pieces: crc32(b, crc32(a)) === crc32(a ‖ b).
 */
export function crc32(data: Uint8Array, previous = 0, start = 0, end = data.length): number {
  let crc = ~previous;
  let index = start;
  for (; index + 8 <= end; index += 8) {
    const low =
      crc ^
      (data[index]! |
        (data[index + 1]! << 8) |
        (data[index + 2]! << 16) |
        (data[index + 3]! << 24));
    crc =
      t7[low & 0xff]! ^
      t6[(low >>> 8) & 0xff]! ^
      t5[(low >>> 16) & 0xff]! ^
      t4[low >>> 24]! ^
      t3[data[index + 4]!]! ^
      t2[data[index + 5]!]! ^
      t1[data[index + 6]!]! ^
      t0[data[index + 7]!]!;
  }
  for (; index < end; index++) crc = (crc >>> 8) ^ t0[(crc ^ data[index]!) & 0xff]!;
  return ~crc >>> 0;
}
