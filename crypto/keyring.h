// Key hierarchy: one master key in a file outside the database wraps per-purpose data keys that
// are stored in the database (docs/security.md, "Keys"). This header has the master key file rules,
// data-key wrapping and the Keyring that holds the unwrapped keys of one partnership.
//
// A Keyring owns copies of every usable data key and its master key. It is immutable after
// construction, so all methods are safe to call from many threads at once; to rotate, build a new
// Keyring from the updated records and swap it in.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/aead.h"
#include "crypto/bytes.h"
#include "crypto/hash.h"
#include "crypto/secret_key.h"

namespace pathaudit::crypto {

// Purposes of data keys. A key serves exactly one purpose: "field" keys only seal and open,
// "pseudonym" keys only compute HMACs. The pseudonym key must never rotate: pseudonyms of records
// already imported could then no longer be matched by new imports, and raw identifiers are not
// kept to recompute them.
inline constexpr std::string_view kPurposeField = "field";
inline constexpr std::string_view kPurposePseudonym = "pseudonym";
inline constexpr std::string_view kPurposeSession = "session";

// The master key file holds exactly 32 raw bytes, is a regular file and is not accessible to group
// or others. Throws core::ValidationError naming the path (never the contents) if the file is
// missing, unreadable, not a regular file, has any group/other permission bit, or is not 32 bytes.
SecretKey load_master_key_file(const std::string& path);

// Creates a new master key file with 32 random bytes, synced to disk, mode 0400. Refuses to
// overwrite or follow a symlink at `path` (core::ValidationError). Removes the half-made file if
// any step fails.
void create_master_key_file(const std::string& path);

// One data key as stored in the database.
struct DataKeyRecord {
  std::uint32_t id = 0;  // >= 1; id 0 is reserved for the master key in the wrapped format.
  std::string purpose;   // kPurposeField, kPurposePseudonym, ...
  Bytes wrapped;         // wrap_data_key() output; may be empty once shredded.
  bool primary = false;  // the key new seals or HMACs of this purpose use; at most one per purpose
  std::string state;     // "active" | "retired" (opens, never primary) | "shredded" (gone)
  std::string created_at;
};

// A wrapped data key is a sealed field (aead.h format) under the master key with key id 0 and
// associated data "pathaudit/data-key|<id>|<purpose>", so a wrapped key cannot be moved to another
// id or purpose. Throws core::ValidationError for id 0.
Bytes wrap_data_key(const SecretKey& master, std::uint32_t id, std::string_view purpose,
                    const SecretKey& data_key);
// Throws core::CryptoError if the wrapped key does not open under this master key, id and purpose.
SecretKey unwrap_data_key(const SecretKey& master, std::uint32_t id, std::string_view purpose,
                          const Bytes& wrapped);

class Keyring {
 public:
  // Unwraps every record that is not shredded. Throws core::ValidationError for inconsistent
  // records (duplicate or zero id, unknown state, a primary that is not active, two primaries for
  // one purpose) and core::CryptoError naming only the key id if a key does not unwrap.
  Keyring(SecretKey master, const std::vector<DataKeyRecord>& records);

  Keyring(Keyring&&) noexcept = default;
  Keyring& operator=(Keyring&&) noexcept = default;
  Keyring(const Keyring&) = delete;
  Keyring& operator=(const Keyring&) = delete;

  // Throws core::NotFoundError if the purpose has no primary key.
  std::uint32_t primary_id(std::string_view purpose) const;

  // Seals under the primary key of `purpose`. Throws core::NotFoundError if there is none and
  // core::ValidationError if the purpose is not for encryption (pseudonym).
  Bytes seal(std::string_view purpose, std::string_view plaintext,
             std::string_view associated_data) const;

  // A sealer for many seals under the primary key of `purpose`, as seal() would make them. Same
  // errors as seal(). It keeps working if the keyring changes; it is meant to live for one batch.
  FieldSealer sealer(std::string_view purpose) const;

  // Opens with the key named inside `sealed`. Throws core::CryptoError if that key is unknown,
  // shredded or not an encryption key, or if the field does not open.
  std::string open(const Bytes& sealed, std::string_view associated_data) const;

  // HMAC-SHA256 under the primary key of `purpose`. Throws core::NotFoundError if there is none and
  // core::ValidationError if the purpose is not for MACs (field).
  std::array<std::uint8_t, 32> hmac(std::string_view purpose, std::string_view data) const;

  // True if the key is present and usable (not shredded).
  bool has_key(std::uint32_t id) const;
  bool is_shredded(std::uint32_t id) const;

  const SecretKey& master() const { return master_; }

 private:
  struct Entry {
    std::string purpose;
    SecretKey key;
    std::unique_ptr<HmacSha256> hmac;  // keyed once, for MAC purposes only
  };

  const Entry& primary_entry(std::string_view purpose) const;

  SecretKey master_;
  std::map<std::uint32_t, Entry> keys_;
  std::set<std::uint32_t> shredded_;
  std::map<std::string, std::uint32_t, std::less<>> primary_;
};

}  // namespace pathaudit::crypto
