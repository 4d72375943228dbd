#!/usr/bin/env python3
"""Independent reader and writer of pathaudit sealed fields, written only from docs/security.md.

It shares no code with pathaudit: if it can open what pathaudit sealed (and the reverse), the format
is exactly as documented, and the data can be recovered with standard tools given the keys.

  open_sealed.py KEY_HEX_FILE SEALED_HEX_FILE AD_FILE
      prints the plaintext of a sealed field
  open_sealed.py --seal KEY_HEX_FILE KEY_ID PLAINTEXT_FILE AD_FILE
      prints a new sealed field as hex
  open_sealed.py --unwrap MASTER_HEX_FILE DATA_KEY_ID PURPOSE WRAPPED_HEX_FILE
      prints the data key inside a wrapped data key as hex

Files hold hex (whitespace ignored) or raw bytes (plaintext, associated data). Exit 1 if a field
does not open.
"""
import os
import struct
import sys

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = 1
HEADER = 5  # version (1) + key id (4, big-endian)
NONCE = 12
TAG = 16


def read_hex(path):
    with open(path, "r", encoding="ascii") as f:
        return bytes.fromhex("".join(f.read().split()))


def read_raw(path):
    with open(path, "rb") as f:
        return f.read()


def open_field(key, sealed, associated_data):
    if len(sealed) < HEADER + NONCE + TAG:
        raise ValueError("sealed field too short")
    if sealed[0] != VERSION:
        raise ValueError("unknown version %d" % sealed[0])
    header = sealed[:HEADER]
    nonce = sealed[HEADER:HEADER + NONCE]
    # AESGCM expects ciphertext || tag, which is how the field ends.
    body = sealed[HEADER + NONCE:]
    return AESGCM(key).decrypt(nonce, body, header + associated_data)


def seal_field(key, key_id, plaintext, associated_data):
    header = struct.pack(">BI", VERSION, key_id)
    nonce = os.urandom(NONCE)
    return header + nonce + AESGCM(key).encrypt(nonce, plaintext, header + associated_data)


def main(argv):
    try:
        if len(argv) == 4 and not argv[1].startswith("--"):
            sys.stdout.buffer.write(open_field(read_hex(argv[1]), read_hex(argv[2]),
                                               read_raw(argv[3])))
        elif len(argv) == 6 and argv[1] == "--seal":
            sealed = seal_field(read_hex(argv[2]), int(argv[3]), read_raw(argv[4]),
                                read_raw(argv[5]))
            sys.stdout.write(sealed.hex())
        elif len(argv) == 6 and argv[1] == "--unwrap":
            # A wrapped data key is a sealed field under the master key, key id 0, with associated
            # data "pathaudit/data-key|<id>|<purpose>".
            wrapped = read_hex(argv[5])
            if struct.unpack(">I", wrapped[1:HEADER])[0] != 0:
                raise ValueError("not wrapped by the master key")
            ad = ("pathaudit/data-key|%d|%s" % (int(argv[3]), argv[4])).encode("utf-8")
            sys.stdout.write(open_field(read_hex(argv[2]), wrapped, ad).hex())
        else:
            sys.stderr.write(__doc__)
            return 64
    except (InvalidTag, ValueError) as e:
        sys.stderr.write("does not open: %s\n" % (type(e).__name__,))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
