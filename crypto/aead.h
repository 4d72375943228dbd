// AES-256-GCM authenticated encryption: the sealed-field format every encrypted column uses, plus
// raw GCM primitives for known-answer tests. Free functions, thread-safe; inputs are borrowed and
// results are owned by the caller.
//
// Sealed field (contract, see docs/security.md):
//   version (1 byte, = 1) | data key id (4 bytes, big-endian) | nonce (12) | ciphertext | tag (16)
// The GCM additional data is the 5-byte header followed by the caller's associated data, so the
// version and key id cannot be altered, and a ciphertext moved to another table, column or row
// (whose associated data differs) does not open.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/bytes.h"
#include "crypto/secret_key.h"

namespace pathaudit::crypto {

inline constexpr std::uint8_t kSealedVersion = 1;
inline constexpr std::size_t kSealedHeaderSize = 5;
inline constexpr std::size_t kGcmNonceSize = 12;
inline constexpr std::size_t kGcmTagSize = 16;
// Size of a sealed empty plaintext; every sealed field is at least this long.
inline constexpr std::size_t kSealedOverhead = kSealedHeaderSize + kGcmNonceSize + kGcmTagSize;

// Raw AES-GCM. key: 16, 24 or 32 bytes; iv: any non-empty length (12 is the standard; others are
// hashed by GCM as the spec says); the tag is always 16 bytes. Throws core::ValidationError for bad
// sizes and core::CryptoError if OpenSSL fails. The caller must never reuse a (key, iv) pair.
Bytes gcm_encrypt(const Bytes& key, const Bytes& iv, const Bytes& aad, const Bytes& plaintext,
                  Bytes* tag_out);
// nullopt when authentication fails (wrong key, iv, aad or tag, or altered ciphertext).
std::optional<Bytes> gcm_decrypt(const Bytes& key, const Bytes& iv, const Bytes& aad,
                                 const Bytes& ciphertext, const Bytes& tag);

// Seals with a fresh random nonce. key_id is written into the header so open() callers can find
// the key; it is authenticated but not secret.
Bytes seal(const SecretKey& key, std::uint32_t key_id, std::string_view plaintext,
           std::string_view associated_data);

// seal() for many fields under one key: the AES-GCM context is keyed once, and each seal only
// sets its fresh nonce (keying a context per seal was a third of an import's sealing time). The
// output is exactly seal()'s. Owns its OpenSSL context, which is wiped when freed; the key itself
// is borrowed only while constructing. Not thread-safe: one per thread.
class FieldSealer {
 public:
  FieldSealer(const SecretKey& key, std::uint32_t key_id);
  ~FieldSealer();
  FieldSealer(FieldSealer&&) noexcept;
  FieldSealer& operator=(FieldSealer&&) noexcept;
  FieldSealer(const FieldSealer&) = delete;
  FieldSealer& operator=(const FieldSealer&) = delete;

  Bytes seal(std::string_view plaintext, std::string_view associated_data);

 private:
  struct Context;
  std::unique_ptr<Context> context_;
  std::uint32_t key_id_;
};

// Throws core::CryptoError on any failure (too short, unknown version, wrong key, wrong associated
// data, altered bytes). Never returns unauthenticated data.
std::string open(const SecretKey& key, const Bytes& sealed, std::string_view associated_data);

// The key id from a sealed field's header, for choosing the key. Throws core::CryptoError if the
// input is shorter than a sealed field or has an unknown version. Not authenticated until open().
std::uint32_t sealed_key_id(const Bytes& sealed);

namespace detail {
// seal/open over raw buffers, so key material (data-key wrapping) never passes through a
// std::string. open_raw writes exactly sealed_size - kSealedOverhead bytes to `out`.
Bytes seal_raw(const std::uint8_t* key, std::uint32_t key_id, const std::uint8_t* plaintext,
               std::size_t plaintext_size, std::string_view associated_data);
void open_raw(const std::uint8_t* key, const Bytes& sealed, std::string_view associated_data,
              std::uint8_t* out);
}  // namespace detail

}  // namespace pathaudit::crypto
