/**
 * Reads an image's pixel size from its header bytes, so the model can be told
 * "[image/png 640x480]" without decoding the image.
 */

export interface ImageSize {
  readonly width: number;
  readonly height: number;
}

/** The size of a base64 PNG, JPEG or GIF; `undefined` when the header can't be read. */
export function imageSizeFromBase64(mime: string, base64: string): ImageSize | undefined {
  try {
    switch (mime) {
      case 'image/png':
        // The IHDR chunk sits at a fixed place: 24 bytes are 32 base64 characters.
        return pngSize(Buffer.from(base64.slice(0, 32), 'base64'));
      case 'image/gif':
        return gifSize(Buffer.from(base64.slice(0, 16), 'base64'));
      case 'image/jpeg':
        return jpegSize(Buffer.from(base64, 'base64'));
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function pngSize(bytes: Buffer): ImageSize | undefined {
  if (bytes.length < 24 || !bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return undefined;
  if (bytes.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

function gifSize(bytes: Buffer): ImageSize | undefined {
  if (bytes.length < 10 || bytes.toString('latin1', 0, 3) !== 'GIF') return undefined;
  return { width: bytes.readUInt16LE(6), height: bytes.readUInt16LE(8) };
}

/** Walks the JPEG segments to the first start-of-frame marker, which holds the size. */
function jpegSize(bytes: Buffer): ImageSize | undefined {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  let offset = 2;
  while (offset + 9 < bytes.length) {
    if (bytes[offset] !== 0xff) return undefined;
    const marker = bytes[offset + 1] ?? 0;
    if (marker === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    const length = bytes.readUInt16BE(offset + 2);
    // SOF0..SOF15, except DHT (C4), JPG (C8) and DAC (CC), which share the range.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: bytes.readUInt16BE(offset + 5), width: bytes.readUInt16BE(offset + 7) };
    }
    offset += 2 + length;
  }
  return undefined;
}
