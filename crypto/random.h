// Cryptographically secure random bytes from OpenSSL's DRBG, for keys, nonces and salts. Returns
// owned bytes. Thread-safe: OpenSSL keeps a DRBG per thread.
#pragma once

#include <cstddef>

#include "crypto/bytes.h"

namespace pathaudit::crypto {

// Throws core::CryptoError if the generator fails (e.g. cannot be seeded); never returns weak
// bytes.
Bytes random_bytes(std::size_t n);

// Fills caller-owned memory; for secrets that must not pass through a vector that could be copied.
void random_fill(void* out, std::size_t n);

// Random bytes for values that are public once used, such as AES-GCM nonces, at most 64 at a
// time: drawn from the same generator in 4 KiB refills kept per thread, so a million seals do not
// pay a million generator calls. Never for keys, salts or tokens. The buffer is dropped in a forked
// child, which must not repeat its parent's bytes.
void random_public_fill(void* out, std::size_t n);

}  // namespace pathaudit::crypto
