// Persistence of wrapped data keys (the data_keys table). Key bytes are only ever stored wrapped
// by the master key; a shredded key keeps its row (id, purpose, dates) with the wrapped bytes gone.
// Free functions over a Session; callers provide the transaction.
#pragma once

#include <cstdint>
#include <vector>

#include "crypto/keyring.h"
#include "store/database.h"

namespace pathaudit::store {

std::vector<crypto::DataKeyRecord> load_data_keys(Session& s);

// The id the next data key will get.
std::uint32_t next_data_key_id(Session& s);

void insert_data_key(Session& s, const crypto::DataKeyRecord& key);

// Replaces the wrapped bytes of an existing key (master-key rotation).
void rewrap_data_key(Session& s, std::uint32_t id, const crypto::Bytes& wrapped);

// Makes `id` the only primary key of its purpose; the previous primary becomes retired.
void make_primary(Session& s, std::uint32_t id, const std::string& at);

// Deletes the wrapped bytes: whatever the key sealed can never be opened again.
void shred_data_key(Session& s, std::uint32_t id, const std::string& at);

}  // namespace pathaudit::store
