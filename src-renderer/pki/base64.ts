// Files that cross to main as base64 (a PKCS#12 bundle): the bytes the user picked, encoded
// without Node's Buffer, which the renderer does not have. Pure.
// Invariant: the output is standard base64 with padding, as the contract's schema accepts.
const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function bytesToBase64(bytes: Uint8Array): string {
  let output = '';
  let index = 0;
  for (; index + 2 < bytes.length; index += 3) {
    const chunk = (bytes[index]! << 16) | (bytes[index + 1]! << 8) | bytes[index + 2]!;
    output +=
      alphabet[(chunk >> 18) & 63]! +
      alphabet[(chunk >> 12) & 63]! +
      alphabet[(chunk >> 6) & 63]! +
      alphabet[chunk & 63]!;
  }
  const left = bytes.length - index;
  if (left === 1) {
    const chunk = bytes[index]! << 16;
    output += `${alphabet[(chunk >> 18) & 63]!}${alphabet[(chunk >> 12) & 63]!}==`;
  } else if (left === 2) {
    const chunk = (bytes[index]! << 16) | (bytes[index + 1]! << 8);
    output += `${alphabet[(chunk >> 18) & 63]!}${alphabet[(chunk >> 12) & 63]!}${alphabet[(chunk >> 6) & 63]!}=`;
  }
  return output;
}
