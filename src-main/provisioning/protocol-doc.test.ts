// docs/provisioning-protocol.md is what vendors implement: these checks keep its tables, codes,
// timeouts and test vectors the same as the code, so the document cannot drift from it.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildFrame, encodeFrame, maxEncodedFrameLength, maxPayloadLength } from './frame';
import { stepTimeoutsMs } from './link';
import type { FieldSpec, Message, MessageKind } from './messages';
import {
  attestationKeys,
  deviceStates,
  encodeMessage,
  keyAlgorithms,
  messageSpecs,
  messageTypes,
  protocolErrorCodes,
  signatureAlgorithms,
} from './messages';

const documentText = readFileSync(
  fileURLToPath(new URL('../../docs/provisioning-protocol.md', import.meta.url)),
  'utf8',
);

const wireNames: Record<MessageKind, string> = {
  hello: 'HELLO',
  identify: 'IDENTIFY',
  attest: 'ATTEST',
  csrRequest: 'CSR_REQUEST',
  issue: 'ISSUE',
  install: 'INSTALL',
  confirm: 'CONFIRM',
  abort: 'ABORT',
  helloReply: 'HELLO_REPLY',
  identity: 'IDENTITY',
  attestation: 'ATTESTATION',
  csr: 'CSR',
  issueAccepted: 'ISSUE_ACCEPTED',
  installed: 'INSTALLED',
  confirmed: 'CONFIRMED',
  aborted: 'ABORTED',
  error: 'ERROR',
};

const typeByte = (type: number): string => `0x${type.toString(16).toUpperCase().padStart(2, '0')}`;

function bounds(field: FieldSpec): string {
  switch (field.type) {
    case 'u8':
    case 'u16':
    case 'u32':
      return `${field.min}–${field.max}`;
    case 'bytes':
      return field.min === field.max
        ? `exactly ${field.min} bytes`
        : `${field.min}–${field.max} bytes`;
    case 'text':
      return `${field.min}–${field.max} bytes of UTF-8`;
    case 'enum8':
    case 'enum16':
      return 'a defined value';
  }
}

function fieldTable(kind: MessageKind): string {
  const rows = messageSpecs[kind].fields.map((field) => {
    const presence =
      field.presence === 'repeated'
        ? `repeated ${field.count![0]}–${field.count![1]}`
        : field.presence;
    return `| ${field.tag} | \`${field.name}\` | ${field.type} | ${bounds(field)} | ${presence} |`;
  });
  return ['| Tag | Field | Type | Bounds | Presence |', '|---|---|---|---|---|', ...rows].join(
    '\n',
  );
}

/** The text of the section under `heading`, up to the next heading of any level. */
function section(heading: string): string {
  const start = documentText.indexOf(`${heading}\n`);
  if (start === -1) throw new Error(`no heading "${heading}" in the document`);
  const rest = documentText.slice(start + heading.length + 1);
  const end = rest.search(/^#{2,3} /m);
  return end === -1 ? rest : rest.slice(0, end);
}

function vector(name: string): string {
  const match = new RegExp(`<!-- vector: ${name} -->\\n\`\`\`\\n([^\`]*)\`\`\``).exec(documentText);
  if (!match) throw new Error(`no vector "${name}" in the document`);
  return match[1]!.replace(/\s+/g, '');
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

function wire(message: Message, requestId: number): Uint8Array {
  const encoded = encodeMessage(message);
  return encodeFrame({ version: 1, type: encoded.type, requestId, payload: encoded.payload });
}

describe('docs/provisioning-protocol.md', () => {
  it.each(Object.keys(messageSpecs) as MessageKind[])(
    'lists every field of %s as the code defines it',
    (kind) => {
      const heading = `### ${typeByte(messageTypes[kind])} ${wireNames[kind]} — \`${kind}\``;
      expect(section(heading)).toContain(fieldTable(kind));
    },
  );

  it('lists every message type with its number and name', () => {
    for (const [kind, type] of Object.entries(messageTypes)) {
      expect(documentText).toContain(
        `| ${typeByte(type)} | ${wireNames[kind as MessageKind]} | \`${kind}\` |`,
      );
    }
  });

  it('lists every enumeration value and error code with its number', () => {
    const code = (value: number): string =>
      `0x${value.toString(16).toUpperCase().padStart(4, '0')}`;
    for (const [name, value] of Object.entries(protocolErrorCodes)) {
      expect(documentText).toContain(`| \`${name}\` | ${code(value)} |`);
    }
    for (const table of [deviceStates, attestationKeys, signatureAlgorithms, keyAlgorithms]) {
      for (const [name, value] of Object.entries(table)) {
        expect(documentText).toContain(`| ${value} | \`${name}\` |`);
      }
    }
  });

  it('states the step timeouts the link uses', () => {
    for (const [kind, ms] of Object.entries(stepTimeoutsMs)) {
      expect(documentText).toContain(`| ${wireNames[kind as MessageKind]} | ${ms / 1000} s |`);
    }
  });

  it('states the frame size limits the code enforces', () => {
    const grouped = (value: number): string => value.toLocaleString('en-US').replace(',', ' ');
    expect(documentText).toContain(`| ${grouped(maxPayloadLength)} |`);
    expect(documentText).toContain(`| ${grouped(maxEncodedFrameLength())} |`);
  });

  it('gives test vectors the code reproduces byte for byte', () => {
    const hello: Message = {
      kind: 'hello',
      minVersion: 1,
      maxVersion: 1,
      sessionId: Uint8Array.from({ length: 16 }, (_, index) => index),
    };
    const encoded = encodeMessage(hello);
    expect(vector('hello raw')).toBe(
      hex(
        buildFrame({ version: 1, type: encoded.type, requestId: 0x2a, payload: encoded.payload }),
      ),
    );
    expect(vector('hello wire')).toBe(hex(wire(hello, 0x2a)));
    expect(vector('helloReply wire')).toBe(
      hex(wire({ kind: 'helloReply', version: 1, maxPayload: 32_768, state: 'factory' }, 0x2a)),
    );
    expect(vector('error wire')).toBe(
      hex(
        wire(
          { kind: 'error', code: 'unexpected_message', requestType: messageTypes.install },
          0x30,
        ),
      ),
    );
  });
});
