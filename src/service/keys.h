// Key management use cases (DESIGN.md section 7, docs/security.md "Key management procedures"):
// status, master-key rotation, data-key rotation with resumable re-sealing, and crypto-shredding.
// Every operation is for admins (and the operator): ForbiddenError for any other principal. Every
// change is recorded in the audit log in the principal's name; none ever prints or logs key bytes.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "service/context.h"
#include "service/principal.h"

namespace pathaudit::service {

struct KeyStatus {
  std::uint32_t id;
  std::string purpose;
  std::string state;  // active, retired, shredded
  bool primary;
  std::string created_at;
  std::int64_t sealed_fields;  // fields currently sealed under this key
};

// Reads only the database: works without the master key.
std::vector<KeyStatus> key_status(Context& ctx, const Principal& who);

// Re-wraps every data key under the new master key in one transaction. The old key file keeps
// working until that transaction commits; then pathaudit.properties is pointed at the new file
// (when the master key came from the properties file). Returns the number of keys re-wrapped.
int rotate_master_key(Context& ctx, const Principal& who, const std::string& new_master_key_file);

struct RotationProgress {
  std::uint32_t new_key_id = 0;
  std::int64_t resealed = 0;
  std::int64_t remaining = 0;  // 0 when done
};

// Makes a new primary key for `purpose` (field only: the pseudonym key must never rotate), then
// re-seals every field still sealed under an older key, in batches of `batch_size`, each batch its
// own transaction. With `resume`, no new key is made: re-sealing continues under the current
// primary (after an interrupted rotation). `progress` is called after each batch.
RotationProgress rotate_data_key(Context& ctx, const Principal& who, const std::string& purpose,
                                 bool resume, int batch_size,
                                 const std::function<void(const RotationProgress&)>& progress = {});

// Destroys a retired key's wrapped bytes: every field it sealed becomes unreadable for ever.
// `confirm` must repeat the key id. Refuses a primary key. Checkpoints the WAL afterwards so the
// wrapped bytes do not linger there. Returns the number of fields made unreadable.
std::int64_t shred_data_key(Context& ctx, const Principal& who, std::uint32_t key_id,
                            std::uint32_t confirm);

}  // namespace pathaudit::service
