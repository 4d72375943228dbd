// Password storage for local accounts: scrypt (RFC 7914) through OpenSSL's EVP_KDF, encoded as
//   $scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt, base64 without padding>$<32-byte hash, same encoding>
// (contract: stored in the users table; see docs/security.md). Free functions, thread-safe. At
// most a fixed number of scrypt computations run at once in the process (default 2, each needs
// 128 * r * N bytes: 128 MiB with the defaults) so a burst of logins cannot exhaust memory; the
// rest wait their turn.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/bytes.h"

namespace pathaudit::crypto {

struct ScryptParams {
  std::uint64_t log2_n = 17;
  std::uint32_t r = 8;
  std::uint32_t p = 1;
};

// Bounds accepted when hashing and when reading a stored hash, so a tampered or hostile hash string
// cannot make verification take gigabytes or minutes.
inline constexpr std::uint64_t kScryptMaxLog2N = 20;
inline constexpr std::uint32_t kScryptMaxR = 32;
inline constexpr std::uint32_t kScryptMaxP = 16;
inline constexpr std::uint64_t kScryptMaxMemory = std::uint64_t{1} << 30;
// Longer passwords are refused by hash_password and never verify.
inline constexpr std::size_t kMaxPasswordBytes = 1024;

// 16-byte random salt. Throws core::ValidationError if params are out of bounds or the password is
// longer than kMaxPasswordBytes; core::CryptoError if OpenSSL fails.
std::string hash_password(std::string_view password, const ScryptParams& params = {});

// False if the password does not match (compared in constant time). Throws core::ValidationError
// if `encoded` is malformed or its parameters are out of bounds; the message never includes it.
bool verify_password(std::string_view password, std::string_view encoded);

// True if `encoded` was made with parameters other than `wanted`, so the caller can re-hash after
// a successful login. Throws core::ValidationError if malformed.
bool password_needs_rehash(std::string_view encoded, const ScryptParams& wanted = {});

// Raw scrypt for the RFC 7914 vectors. n must be a power of two greater than 1. Subject to the
// same memory bound and the same concurrency limit as hash_password.
Bytes scrypt_raw(std::string_view password, std::string_view salt, std::uint64_t n, std::uint32_t r,
                 std::uint32_t p, std::size_t length);

// Sets how many scrypt computations may run at once (1 to 64). Only before the first password
// operation in the process; later calls throw core::ConflictError.
void set_scrypt_concurrency(unsigned max_concurrent);

}  // namespace pathaudit::crypto
